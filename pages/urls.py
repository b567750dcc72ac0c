"""The site-wide pages: home, search, the members section, sitemaps, health, robots and, last,
the editorial pages at the addresses editors give them."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from forumasia.cache import cache_anonymous_page
from members import urls as members_urls

from . import views
from .paths import PAGE_ROUTE
from .sitemaps import sitemaps

# The members section, one namespace: the directory (members/urls.py) and the member and
# country pages, which list publications and so are composed here.
members_section = (
    [
        *members_urls.urlpatterns,
        path("members/<slug:slug>/", views.MemberDetailView.as_view(), name="member-detail"),
        path("countries/<str:code>/", views.CountryDetailView.as_view(), name="country-detail"),
    ],
    members_urls.app_name,
)

# The sitemap is cached like the home page: keyed on the content version, so an unpublished
# publication leaves it at once and a scheduled one enters it on time (forumasia/cache.py).
sitemap_index = cache_anonymous_page()(sitemap_views.index)
sitemap_section = cache_anonymous_page(query=views.sitemap_page_query)(views.sitemap_section)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # Browsers and crawlers ask for /favicon.ico whatever the page says; answer, don't 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include(members_section)),
    # /search/ is cached like the list it extends (PublicationListView's query parameters).
    path("search/", views.SearchView.as_view(), name="search"),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path("sitemap-<section>.xml", sitemap_section, {"sitemaps": sitemaps}, name="sitemap-section"),
    # Editorial pages (About, Our approach, ...) at the address editors give them in the admin.
    # Last, so no page can shadow an application URL (nor can its address be one:
    # pages/paths.py); an unknown address is a 404 as before (and the redirects middleware then
    # looks for an editor's redirect). The pattern keeps control characters, spaces, "%",
    # backslashes and "//" out (nor does the slash-appending redirect lead to such an address);
    # the view looks up only addresses a page may have: no NUL ever reaches the database.
    re_path(r"^(?P<url>(?:[^/\x00-\x20\x7f-\x9f%\\]+/)+)$", views.page, name=PAGE_ROUTE),
]
