"""Which sub-site a request is for, and the URLconf it is answered with.

A sub-site is reached at its own host (aseanrights.example.org/...) or, without one, under
/sites/<slug>/ on the main site (after the language prefix: /th/sites/<slug>/...). Its pages
are the main site's pages, answered with the same views under the sub-site's prefix
(forumasia/urls.py, `sub_site_urlconf()`), so every `{% url %}` on them stays on the sub-site;
the views narrow what they show to its stream through `request.sub_site` (None on the main
site), and name each publication's one address on the main site as canonical.

The sub-sites are read once per content version and kept in the process: saving one in the
admin moves the version (forumasia/events.py), so a new host or slug is served by every process
at its next request, with no restart. A request to a sub-site's host costs one cache read here;
the main site's requests none.
"""

import re
import threading

from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.http.request import split_domain_port, validate_host
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from forumasia.cache import content_version
from forumasia.hosts import serving_sub_site_host

from .models import PATH_PREFIX, SubSite

SUB_SITE_PATH = re.compile(
    rf"^/(?:(?P<language>[a-z]{{2,3}}(?:-[a-z0-9]+)?)/)?{PATH_PREFIX}/(?P<slug>[-a-zA-Z0-9_]+)/"
)


class Directory:
    """The sub-sites by host and by slug, read again when the content version moves."""

    def __init__(self):
        self.lock = threading.Lock()
        self.version = None
        self.by_host = {}
        self.by_slug = {}

    def current(self):
        version = content_version()
        with self.lock:
            if version != self.version:
                # With its list: every page of a sub-site offers its sign-up (base.html).
                sub_sites = list(SubSite.objects.select_related("mailing_list"))
                self.by_host = {s.host: s for s in sub_sites if s.host}
                self.by_slug = {s.slug: s for s in sub_sites}
                self.version = version
            return self.by_host, self.by_slug


directory = Directory()


def configured_host(host):
    return validate_host(host, list.__iter__(settings.ALLOWED_HOSTS))


def urlconf_for(sub_site):
    return import_string(settings.SUB_SITE_URLCONF)(sub_site.url_prefix)


class SubSiteMiddleware:
    """First of all middleware: the host check (`get_host()`) of every later one accepts a
    sub-site's host (forumasia/hosts.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.sub_site = None
        host, _port = split_domain_port(request._get_raw_host())
        if host and not configured_host(host):
            by_host, _by_slug = directory.current()
            request.sub_site = by_host.get(host)
            if request.sub_site is None:
                return self.get_response(request)  # refused by the host check (400)
            request.urlconf = urlconf_for(request.sub_site)
            token = serving_sub_site_host.set(host)
            try:
                return self.get_response(request)
            finally:
                serving_sub_site_host.reset(token)
        match = SUB_SITE_PATH.match(request.path_info)
        if match is not None:
            _by_host, by_slug = directory.current()
            sub_site = by_slug.get(match["slug"])
            if sub_site is not None and sub_site.host:
                # One address each: a sub-site with a host of its own lives there only.
                rest = request.get_full_path()[match.end() :]
                language = f"/{match['language']}" if match["language"] else ""
                return HttpResponsePermanentRedirect(f"{sub_site.origin}{language}/{rest}")
            if sub_site is not None:
                request.sub_site = sub_site
                request.urlconf = urlconf_for(sub_site)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A sub-site answers only in the languages it offers: any other is a 404 (the language
        switcher offers none of them: forumasia/templatetags/languages.py). Here, once the
        address's language is active and the sub-site's URLconf answers the 404 page."""
        if request.sub_site is not None and not request.sub_site.offers(get_language()):
            raise Http404("This sub-site is not offered in this language.")
