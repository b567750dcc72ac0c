"""The network map: an inline SVG of Asia, drawn server-side, cached. Filled in below."""

from django.core.cache import cache

CACHE_KEY = "members:network-map:v1"


def forget_cached_map():
    cache.delete(CACHE_KEY)
