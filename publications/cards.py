"""Publication cards (`publications/includes/card.html`) rendered once per content, not once
per page: each card is a fragment keyed on everything it shows (forumasia/fragments.py), so a
list, home, member or detail page re-rendered after a publish takes its cards from the cache.

Views call `attach_cards(publications)` after `attach_other_languages()`; templates show
`{{ publication.card_html }}`.
"""

import re

from django.conf import settings
from django.template.defaultfilters import truncatewords
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

from forumasia.fragments import render_many

from .models import Publication
from .templatetags.publications import (
    fallback_rendition,
    largest_rendition,
    rendition_url,
    srcset,
)

CARD_TEMPLATE = "publications/includes/card.html"
PLAIN_SLUG = re.compile(r"[-\w]+", re.ASCII)
CARD_IMAGE_SIZES = "(min-width: 64rem) 23rem, (min-width: 40rem) 46vw, 100vw"


def card_parts(publication):
    """Everything the card shows: a change to any of it is a new fragment."""
    return (
        publication.pk,
        publication.slug,
        publication.type,
        publication.title,
        publication.standfirst,
        publication.publish_at.isoformat(),
        repr(publication.featured_image_renditions),
        tuple(
            (other.pk, other.slug, other.language)
            for other in getattr(publication, "other_languages", ())
        ),
        # Where media and pages are served from (a deploy may change either).
        settings.MEDIA_URL,
        settings.TIME_ZONE,
        translation.get_language(),
    )


def card_date(moment):
    """`moment|date:"j M Y"` in the Secretariat's zone, without parsing the format each time
    (Django's "M" is the month's translated abbreviation, title-cased)."""
    local = timezone.localtime(moment)
    return f"{local.day} {str(MONTHS_3[local.month]).title()} {local.year}"


class DetailURLs:
    """`publication.get_absolute_url()` for many slugs with one `reverse()`: a slug of plain
    ASCII letters, digits, "-" and "_" is placed into the reversed pattern as is (reverse()
    would leave it unchanged); any other slug goes through reverse()."""

    PLACEHOLDER = "card-slug-placeholder"

    def __init__(self):
        url = Publication(slug=self.PLACEHOLDER).get_absolute_url()
        self.head, _, self.tail = url.partition(self.PLACEHOLDER)

    def __call__(self, publication):
        if PLAIN_SLUG.fullmatch(publication.slug):
            return f"{self.head}{publication.slug}{self.tail}"
        return publication.get_absolute_url()


def card_context(publication, urls=None):
    """What the card shows, computed once (the template only places it)."""
    urls = urls or DetailURLs()
    renditions = publication.featured_image_renditions
    fallback = fallback_rendition(renditions)
    picture = None
    if fallback:
        largest = largest_rendition(renditions)
        picture = {
            "webp_srcset": srcset(renditions, "webp"),
            "jpeg_srcset": srcset(renditions, "jpeg"),
            "src": rendition_url(fallback),
            "width": largest["width"],
            "height": largest["height"],
        }
    return {
        "type": publication.type,
        "type_label": publication.get_type_display(),
        "url": urls(publication),
        "title": publication.title,
        "standfirst": truncatewords(publication.standfirst, 30) if publication.standfirst else "",
        "publish_at": publication.publish_at,
        "date": card_date(publication.publish_at),
        "renditions": bool(renditions),
        "picture": picture,
        "sizes": CARD_IMAGE_SIZES,
        "other_languages": [
            {
                "url": urls(other),
                "language": other.language,
                "autonym": other.language_autonym,
            }
            for other in getattr(publication, "other_languages", ())
        ],
    }


def render_card(publication, urls=None):
    return get_template(CARD_TEMPLATE).render({"card": card_context(publication, urls)})


def attach_cards(publications):
    """Set `card_html` on each of `publications` (their other languages already attached)."""
    publications = list(publications)
    urls = DetailURLs()
    for publication, html in zip(
        publications,
        render_many(publications, card_parts, lambda item: render_card(item, urls), kind="card"),
        strict=True,
    ):
        publication.card_html = html
    return publications
