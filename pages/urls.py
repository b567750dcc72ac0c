"""The site-wide pages: home, search, the members section and, last, the editorial pages at the
addresses editors give them; in each interface language (forumasia/urls.py). Sitemaps, health
and robots.txt are in pages/site_urls.py."""

from django.urls import include, path, re_path

from members import urls as members_urls

from . import views
from .paths import PAGE_ROUTE

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

urlpatterns = [
    path("", views.home, name="home"),
    path("", include(members_section)),
    # /search/ is cached like the list it extends (PublicationListView's query parameters).
    path("search/", views.SearchView.as_view(), name="search"),
    # Editorial pages (About, Our approach, ...) at the address editors give them in the admin.
    # Last, so no page can shadow an application URL (nor can its address be one:
    # pages/paths.py); an unknown address is a 404 as before (and the redirects middleware then
    # looks for an editor's redirect). The pattern keeps control characters, spaces, "%",
    # backslashes and "//" out (nor does the slash-appending redirect lead to such an address);
    # the view looks up only addresses a page may have: no NUL ever reaches the database.
    re_path(r"^(?P<url>(?:[^/\x00-\x20\x7f-\x9f%\\]+/)+)$", views.page, name=PAGE_ROUTE),
]
