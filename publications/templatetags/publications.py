import functools
import re

from django import template
from django.conf import settings
from django.template.defaultfilters import truncatewords
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3

from forumasia.files import owned_files
from publications.models import Publication

register = template.Library()


@register.filter
def srcset(renditions, key="jpeg"):
    """'url 400w, url 800w' for the renditions written by forumasia.images.make_renditions."""
    return ", ".join(
        f"{owned_files.url(item[key])} {item['width']}w"
        for item in renditions or []
        if item.get(key)
    )


@register.filter
def rendition_url(rendition, key="jpeg"):
    return owned_files.url(rendition[key]) if rendition and rendition.get(key) else ""


@register.filter
def fallback_rendition(renditions):
    """The rendition to use as plain `src`: the 800 px one, or the largest there is."""
    if not renditions:
        return None
    suitable = [item for item in renditions if item["width"] <= 800]
    return suitable[-1] if suitable else renditions[0]


@register.filter
def largest_rendition(renditions):
    return renditions[-1] if renditions else None


@register.filter
def absolute_url(url):
    """A site-relative URL made absolute with SITE_URL (storage URLs may already be)."""
    return settings.SITE_URL + url if url.startswith("/") else url


@register.inclusion_tag("publications/includes/filters.html", takes_context=True)
def filter_fields(context, prefix):
    """The type, country, theme and year selects of the list and search pages
    (publications/includes/filters.html, a fragment cached on `shows`: the options and the
    choices they show, so the same for every page of a filter combination, and still there
    after a publish unless the options themselves changed). `prefix`: the fields' id prefix."""
    filters = context["filters"]
    values = {
        "prefix": prefix,
        "fixed_type": context.get("fixed_type"),
        "filters": {name: filters.get(name) for name in ("type", "country", "tag", "year")},
        "type_choices": context.get("type_choices") or (),
        "country_options": context.get("country_options") or (),
        "tag_options": context.get("tag_options") or (),
        "year_options": context.get("year_options") or (),
    }
    # Countries and themes can be renamed, and have no time of change: their names are keyed.
    values["shows"] = (
        prefix,
        values["fixed_type"],
        tuple(values["filters"].items()),
        tuple(values["type_choices"]),
        tuple((country.code, country.name) for country in values["country_options"]),
        tuple((tag.slug, tag.name) for tag in values["tag_options"]),
        tuple(values["year_options"]),
        translation.get_language(),
    )
    return values


# --- Cards --------------------------------------------------------------------------------------

PLAIN_SLUG = re.compile(r"[-\w]+", re.ASCII)
SLUG_PLACEHOLDER = "card-slug-placeholder"
CARD_IMAGE_SIZES = "(min-width: 64rem) 23rem, (min-width: 40rem) 46vw, 100vw"


@register.inclusion_tag("publications/includes/card.html")
def publication_card(publication):
    """One publication as a card (publications/includes/card.html), a fragment cached on what
    it shows (`card_shows()`) and the page's language."""
    return {
        "publication": publication,
        "shows": card_shows(publication),
        # A sub-site's cards link to its own copies (/sites/<slug>/publications/...): the
        # addresses differ with the URLconf (subsites/routing.py).
        "language": (translation.get_language(), urlconf_name()),
    }


def urlconf_name():
    """The URLconf this request's addresses are reversed with: the main site's, or a sub-site's
    (forumasia/urls.py, `sub_site_urlconf()`)."""
    urlconf = get_urlconf()
    return getattr(urlconf, "__name__", urlconf or "")


@register.filter
def cards_shown(publications):
    """What a list of cards shows, for a fragment around them (the cards of a page that a
    publish did not change come back in one cache read, not one per card)."""
    return (
        translation.get_language(),
        urlconf_name(),
        *(card_shows(publication) for publication in publications),
    )


def card_shows(publication):
    """The publication (`cache_key`) and the other languages it links to (set by
    `attach_other_languages()`; shown by slug and language)."""
    return (
        publication.cache_key,
        *((other.pk, other.slug, other.language) for other in other_languages(publication)),
    )


def other_languages(publication):
    return getattr(publication, "other_languages", ())


@functools.lru_cache
def detail_url_around(language, script_prefix, urlconf):
    """What comes before and after the slug in a detail page's address: reversed once per
    language (script prefix and URLconf: a sub-site's are under its prefix), not once per
    card."""
    head, _, tail = (
        Publication(slug=SLUG_PLACEHOLDER).get_absolute_url().partition(SLUG_PLACEHOLDER)
    )
    return head, tail


def detail_url(publication):
    """`publication.get_absolute_url()`: a slug of plain ASCII letters, digits, "-" and "_" is
    placed into the reversed address as is (reverse() would leave it unchanged)."""
    if not PLAIN_SLUG.fullmatch(publication.slug):
        return publication.get_absolute_url()
    head, tail = detail_url_around(translation.get_language(), get_script_prefix(), get_urlconf())
    return f"{head}{publication.slug}{tail}"


def card_date(moment):
    """`moment|date:"j M Y"` in the Secretariat's zone, without parsing the format each time
    (Django's "M" is the month's translated abbreviation, title-cased)."""
    local = timezone.localtime(moment)
    return f"{local.day} {str(MONTHS_3[local.month]).title()} {local.year}"


@register.filter
def card(publication):
    """What the card shows, computed once on a cache miss (card.html only places it)."""
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
        "url": detail_url(publication),
        "title": publication.title,
        "standfirst": truncatewords(publication.standfirst, 30) if publication.standfirst else "",
        "publish_at": publication.publish_at,
        "date": card_date(publication.publish_at),
        "renditions": bool(renditions),
        "picture": picture,
        "sizes": CARD_IMAGE_SIZES,
        "other_languages": [
            {
                "url": detail_url(other),
                "language": other.language,
                "autonym": other.language_autonym,
            }
            for other in other_languages(publication)
        ],
    }
