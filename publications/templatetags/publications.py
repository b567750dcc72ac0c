from django import template
from django.conf import settings
from django.template.loader import get_template

from forumasia.files import owned_files
from forumasia.fragments import render_one

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


FILTERS_TEMPLATE = "publications/includes/filters.html"


@register.simple_tag(takes_context=True)
def filter_fields(context, prefix):
    """The type, country, theme and year selects of the list and search pages
    (publications/includes/filters.html), as a fragment keyed on the options and the choices
    they show (forumasia/fragments.py): the same for every page of a filter combination, and
    still there after a publish unless the options themselves changed."""
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
    parts = (
        prefix,
        values["fixed_type"],
        tuple(values["filters"].items()),
        tuple(values["type_choices"]),
        tuple((country.code, country.name) for country in values["country_options"]),
        tuple((tag.slug, tag.name) for tag in values["tag_options"]),
        tuple(values["year_options"]),
    )
    return render_one("filters", parts, lambda: get_template(FILTERS_TEMPLATE).render(values))
