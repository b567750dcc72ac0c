"""What an editorial page's address (its path) may be: checked on every save of a page, and by
the page view before it looks one up.

An address is refused, with a message saying why, unless it
- starts with exactly one "/" and ends with "/", its parts separated by single slashes ("//"
  is read by browsers as the start of another site's address);
- holds only letters, marks and digits of any script and "-", "_", "." and "~" (no backslash,
  no "%" and so no encoded slash or character, no space, no control character), and no part
  of dots only (browsers rewrite "." and "..");
- is at most MAX_LENGTH characters;
- is neither equal to nor under an address the site's applications answer: its first part is
  not the first part of any route of the URLconf other than the editorial pages' own
  (publications/, statements/, feeds/, newsletter/, admin/, members/, countries/, search/,
  sitemap.xml, sitemap-….xml, healthz, robots.txt...), nor of MEDIA_URL or STATIC_URL, nor
  a language prefix (/th/, /id/: a page answers under each of them already). The URLconf is
  walked, so an application route added later is refused the day it is added.
"""

import functools
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import LocalePrefixPattern, URLResolver, get_resolver
from django.utils.regex_helper import normalize

MAX_LENGTH = 200
# The name of the route that serves editorial pages (pages/urls.py): the one route a page's
# address may match.
PAGE_ROUTE = "page"
SYMBOLS = "-_.~"
# Unicode categories of the characters a part may hold besides SYMBOLS: letters, marks (Thai,
# Khmer and Burmese vowels and tones are marks) and digits.
CATEGORIES = ("L", "M", "N")


def _character_problem(character):
    if character in SYMBOLS or unicodedata.category(character)[0] in CATEGORIES:
        return None
    if character == "%":
        return "“%” cannot be in an address: write the characters themselves, not their codes."
    if character.isprintable() and not character.isspace():
        return f"“{character}” cannot be in an address."
    return f"An address cannot hold a space or control character (U+{ord(character):04X})."


def shape_problem(path):
    """Why `path` cannot be a page's address by its characters alone, or None."""
    if len(path) > MAX_LENGTH:
        return f"An address has at most {MAX_LENGTH} characters."
    if not path.startswith("/") or not path.endswith("/") or path == "/":
        return "An address starts and ends with “/”, e.g. /about/our-history/."
    if "//" in path:
        return "“//” cannot be in an address: browsers read it as the start of another site's."
    for character in path:
        if character != "/" and (problem := _character_problem(character)):
            return problem
    if any(part.strip(".") == "" for part in path[1:-1].split("/")):
        return "A part of an address cannot be only dots."
    return None


def _route_templates(resolver, prefix=""):
    """The route of every pattern but the editorial pages', as "publications/%(slug)s/"."""
    for pattern in resolver.url_patterns:
        if getattr(pattern, "name", None) == PAGE_ROUTE:
            continue
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            # The language prefix is the active language's: walked as the unprefixed English.
            yield from _route_templates(pattern, prefix)
            continue
        for template, _parameters in normalize(pattern.pattern.regex.pattern):
            if isinstance(pattern, URLResolver):
                yield from _route_templates(pattern, prefix + template)
            else:
                yield prefix + template


def _first_part(template):
    """(literal start of the first part, whether that is the whole part)."""
    first = template.split("/", 1)[0]
    literal = first.split("%(", 1)[0]
    return literal, literal == first


def reserved_first_parts():
    """[(literal, whole)] for every application route and for MEDIA_URL and STATIC_URL: a
    page's first part may not equal a whole one nor start with a partial one."""
    return _reserved_first_parts(get_resolver(), settings.MEDIA_URL, settings.STATIC_URL)


# Once per URLconf and settings (a walk of the admin's hundreds of routes is not free).
@functools.lru_cache(maxsize=8)
def _reserved_first_parts(resolver, media_url, static_url):
    parts = {_first_part(template) for template in _route_templates(resolver)}
    for url in (media_url, static_url):
        if url.startswith("/") and not url.startswith("//"):
            parts.add((url.strip("/").split("/", 1)[0], True))
    parts.update((code, True) for code, _name in settings.LANGUAGES)
    # The home page ("") is not a first part: "/" is refused by its shape.
    parts.discard(("", True))
    return tuple(sorted(parts))


def reserved_problem(path):
    """Why `path` is the site's own (an application answers it or addresses under it), or
    None."""
    first = path.strip("/").split("/", 1)[0]
    for literal, whole in reserved_first_parts():
        if first == literal if whole else first.startswith(literal):
            shown = f"/{first}/" if whole else f"/{literal}…"
            return (
                f"Addresses under {shown} belong to the site itself: choose an address whose "
                "first part is not taken."
            )
    return None


def validate_page_path(path):
    """The validator of Page.path: ValidationError with every reason in turn."""
    problem = shape_problem(path) or reserved_problem(path)
    if problem:
        raise ValidationError(problem, code="invalid_address")
