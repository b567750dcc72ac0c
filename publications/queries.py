"""The themes and countries the public may see named: the filter options of the lists, and the
look-ups of a `?tag=` or `?country=` before publications are filtered by it.

A theme used only by drafts or scheduled items is not public: looking one up by its slug for
display finds nothing, exactly as for a slug that does not exist, so no page reveals it.
"""

import re

from django.db.models import Exists, OuterRef

from members.models import Country

from .models import Publication

COUNTRY_CODE = re.compile(r"[A-Z]{2}\Z")
# taggit's slugs keep letters of every script (Thai, Khmer, ...), like Django's slug pattern.
TAG_SLUG = re.compile(r"[-\w]+\Z")
TAG_SLUG_LENGTH = 100


def public_tags(now=None):
    """Themes of at least one public publication."""
    return Publication.objects.published(now).themes()


def public_countries(now=None):
    """Countries at least one public publication is about."""
    return Country.objects.filter(
        Exists(
            Publication.countries.through.objects.filter(
                country_id=OuterRef("pk"), publication__in=Publication.objects.published(now)
            )
        )
    )


def public_country(code, known=()):
    """The country with ISO `code` if a public publication is about it, else None. `known`
    (countries already in hand, e.g. the list's facets) saves the query when it holds it."""
    if not COUNTRY_CODE.match(code):
        return None
    found = next((country for country in known if country.code == code), None)
    return found or public_countries().filter(code=code).first()


def public_tag(slug, known=()):
    """The theme with `slug` if a public publication carries it, else None."""
    if len(slug) > TAG_SLUG_LENGTH or not TAG_SLUG.match(slug):
        return None
    found = next((tag for tag in known if tag.slug == slug), None)
    return found or public_tags().filter(slug=slug).first()
