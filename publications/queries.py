"""Query pieces shared by the lists, search, feeds and related publications: filtering by theme
and country through plain ids, and finding the themes and countries the public may see named.

A theme used only by drafts or scheduled items is not public: looking one up by its slug for
display finds nothing, exactly as for a slug that does not exist, so no page reveals it.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Subquery
from taggit.models import Tag, TaggedItem

from members.models import Country

from .models import Publication

COUNTRY_CODE = re.compile(r"[A-Z]{2}\Z")
# taggit's slugs keep letters of every script (Thai, Khmer, ...), like Django's slug pattern.
TAG_SLUG = re.compile(r"[-\w]+\Z")
TAG_SLUG_LENGTH = 100


def publication_content_type_id():
    """The content type of publications, as a one-row subquery (an InitPlan in PostgreSQL):
    tag links are filtered by plain ids, without a join on django_content_type, and without
    relying on a per-process cache of the id."""
    return Subquery(
        ContentType.objects.filter(app_label="publications", model="publication").values("pk")[:1]
    )


def tagged_with(tag_ids):
    """Publications carrying any of `tag_ids`, as an EXISTS over taggit's items: plain ids, so
    PostgreSQL estimates from the column statistics and probes the (content type, object,
    tag) index."""
    return Exists(
        TaggedItem.objects.filter(
            content_type_id=publication_content_type_id(),
            object_id=OuterRef("pk"),
            tag_id__in=tag_ids,
        )
    )


def about_countries(country_ids):
    return Exists(
        Publication.countries.through.objects.filter(
            publication_id=OuterRef("pk"), country_id__in=country_ids
        )
    )


def public_tags(now=None):
    """Themes of at least one public publication."""
    return Tag.objects.filter(
        Exists(
            TaggedItem.objects.filter(
                content_type_id=publication_content_type_id(),
                tag_id=OuterRef("pk"),
                object_id__in=Publication.objects.published(now).values("pk"),
            )
        )
    )


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
