"""The site's URLs: each app's own, by name (the project package imports no app).

The public pages answer in each interface language (settings.LANGUAGES): English at the
addresses they always had, the others under /th/ and /id/ (forumasia/locale.py). What is not
read as a page stays unprefixed, one address each: the admin (staff work in English), files,
feeds, sitemaps, the email services' webhooks, health, robots.txt and the favicon.

A sub-site answers the same public pages under its prefix (its own host: none; else
/sites/<slug>/), with the URLconf `sub_site_urlconf()` builds for it (subsites/routing.py), so
that every address reversed on its pages stays on it.
"""

from functools import cache
from types import ModuleType

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from forumasia.files import FILES_URL, serve_file

# The admin's name is in templates/admin/base_site.html (its title and branding blocks).
admin.site.index_title = "Publish and manage the site"

# One address for every site: the admin, the webhooks and files.
shared = [
    path("admin/", admin.site.urls),
    # Email services' bounce and complaint webhooks (django-anymail), only with a secret set.
    path("anymail/", include("mailings.webhook_urls")),
    # Files of publications (and any owner registered with forumasia.files): only while public.
    path(FILES_URL.lstrip("/") + "<path:name>", serve_file, name="owned-file"),
]
if settings.DEBUG:
    from django.conf.urls.static import static

    shared += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Each site's, in every language at one address: feeds, sitemaps, health, robots.txt, favicon.
unprefixed = [
    path("feeds/", include("publications.feed_urls")),
    path("feeds/newsletter/", include("mailings.feed_urls")),
    path("", include("pages.site_urls")),
]

# Publications, the newsletter, then home, search, the members section (directory, member and
# country pages) and the editorial pages. Last: an editorial page may have any address no
# application URL has.
pages = [
    path("", include("publications.urls")),
    # The sign-up page with the latest issues, the archive and sent issues' web versions, before
    # the newsletter's own addresses (confirm/, manage/...), which an issue's slug never takes.
    path("newsletter/", include("mailings.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("pages.urls")),
]

urlpatterns = [
    *shared,
    *unprefixed,
    *i18n_patterns(*pages, prefix_default_language=False),
]


@cache
def sub_site_urlconf(prefix):
    """The URLconf of the sub-sites at `prefix` ("" for a host of its own, else
    "sites/<slug>/"): the main site's public pages under it, one object per prefix (Django
    keeps a resolver per URLconf)."""
    urlconf = ModuleType(f"{__name__}.sub_site.{prefix or 'host'}")
    urlconf.urlpatterns = [
        *shared,
        path(prefix, include(unprefixed)),
        *i18n_patterns(path(prefix, include(pages)), prefix_default_language=False),
    ]
    return urlconf
