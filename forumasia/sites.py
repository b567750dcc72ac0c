"""Which site a page is on, the main site or a sub-site (`request.sub_site`, set by
subsites/routing.py; this package imports no app), and the main site's addresses, which every
copy of a page a sub-site shows (a publication's, a member's) names as its own: its canonical
address, its language alternates and its structured data."""

from contextlib import contextmanager

from django.conf import settings
from django.urls import get_urlconf, reverse, set_urlconf


def site_origin(request):
    """Scheme and host of the site `request` is for: SITE_URL's, or the sub-site's."""
    sub_site = getattr(request, "sub_site", None)
    return settings.SITE_URL if sub_site is None else sub_site.origin


@contextmanager
def main_site_urls():
    """Inside, reverse() and get_absolute_url() give the main site's addresses, whichever
    site's URLconf the request set (Django keeps it per thread: set_urlconf)."""
    previous = get_urlconf()
    set_urlconf(None)
    try:
        yield
    finally:
        set_urlconf(previous)


def main_site_url(request):
    """The absolute address on the main site of the page `request` asks for, in the current
    language: the same view and arguments reversed with the main site's URLconf."""
    match = request.resolver_match
    path = reverse(
        match.view_name, args=match.args, kwargs=match.kwargs, urlconf=settings.ROOT_URLCONF
    )
    return settings.SITE_URL + path
