from django import template
from django.conf import settings
from django.core.files.storage import default_storage

register = template.Library()


@register.filter
def srcset(renditions, key="jpeg"):
    """'url 400w, url 800w' for the renditions written by forumasia.images.make_renditions."""
    return ", ".join(
        f"{default_storage.url(item[key])} {item['width']}w"
        for item in renditions or []
        if item.get(key)
    )


@register.filter
def rendition_url(rendition, key="jpeg"):
    return default_storage.url(rendition[key]) if rendition and rendition.get(key) else ""


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
