"""What the site answers at one address in every language (outside the language prefixes:
forumasia/urls.py): sitemaps, which list each page's languages, health, robots.txt and the
favicon. A sub-site answers them under its prefix (forumasia/urls.py): its own sitemap.xml, and
robots.txt at its own host's root."""

from django.urls import path

from forumasia.cache import cache_anonymous_page
from subsites.stylesheet import accent_stylesheet

from . import views
from .sitemaps import index_response, sitemaps

# The sitemap is cached like the home page: keyed on the content version, so an unpublished
# publication leaves it at once and a scheduled one enters it on time (forumasia/cache.py),
# and on the host and path, so a sub-site's is never served for the main site's.
sitemap_index = cache_anonymous_page()(index_response)
sitemap_section = cache_anonymous_page(query=views.sitemap_page_query)(views.sitemap_section)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # Browsers and crawlers ask for /favicon.ico whatever the page says; answer, don't 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_section, {"sitemaps": sitemaps}, name="sitemap-section"),
    # A sub-site's accent colour (a 404 on the main site): subsites/stylesheet.py says why.
    path("accent.css", accent_stylesheet, name="sub-site-accent"),
]
