"""The themes, countries and partners the public may see named: the filter options of the lists,
the look-ups of a `?tag=` or `?country=` before publications are filtered by it, and the names
search corrects typos to (publications/search.py).

A theme or partner used only by drafts or scheduled items is not public: looking one up by its
slug for display finds nothing, exactly as for a slug that does not exist, so no page reveals
it.
"""

import re

from django.db.models import Exists, OuterRef, Q

from members.models import Country, MemberOrganisation

from .models import Publication

COUNTRY_CODE = re.compile(r"[A-Z]{2}\Z")
# taggit's slugs keep letters of every script (Thai, Khmer, ...), like Django's slug pattern.
TAG_SLUG = re.compile(r"[-\w]+\Z")
TAG_SLUG_LENGTH = 100


def public_tags(now=None):
    """Themes of at least one public publication."""
    return Publication.objects.published(now).themes()


def public_countries(now=None, publications=None):
    """Countries at least one public publication is about (one of `publications`: a sub-site's
    public ones; by default all)."""
    if publications is None:
        publications = Publication.objects.published(now)
    return Country.objects.filter(
        Exists(
            Publication.countries.through.objects.filter(
                country_id=OuterRef("pk"), publication__in=publications
            )
        )
    )


def named_countries(now=None):
    """Countries a public page names: about a public publication, or home to a current member
    (the member directory)."""
    return Country.objects.filter(
        Q(Exists(public_countries(now).filter(pk=OuterRef("pk"))))
        | Q(Exists(MemberOrganisation.objects.active().filter(country_id=OuterRef("pk"))))
    )


def public_partners(now=None):
    """Partner organisations that signed at least one public publication."""
    return Publication.objects.published(now).partners()


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
