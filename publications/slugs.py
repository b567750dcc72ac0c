"""Slugs for titles in any script: readable Latin letters, never empty, never taken.

Titles are transliterated with AnyAscii (ISC licence: free to use on the network's site,
unlike Unidecode's GPL) and then slugified, so "แถลงการณ์ร่วม" gives "aethlngkarnrwm" and
"人权捍卫者" "renquanhanweizhe". A title with no letter or digit at all falls back to
`fallback` (the publication's type).
"""

from anyascii import anyascii
from django.utils.text import slugify

# The model's column holds 255; room is kept for the "-2", "-3"… that make a slug unique.
BASE_LENGTH = 200


def slug_base(text, *, fallback="publication"):
    """`text` as a slug of ASCII letters, digits and hyphens, at most BASE_LENGTH long."""
    slug = slugify(anyascii(text or ""))
    if len(slug) > BASE_LENGTH:
        cut = slug[:BASE_LENGTH]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-") or slugify(fallback) or "publication"


def unique_slug(text, *, taken, fallback="publication"):
    """The slug of `text`, with -2, -3… added until it is not in `taken` (a queryset of slugs
    or any collection)."""
    base = slug_base(text, fallback=fallback)
    if hasattr(taken, "filter"):
        taken = set(taken.filter(slug__startswith=base))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
