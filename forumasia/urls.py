from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path

from publications.feeds import (
    LatestPublicationsAtomFeed,
    LatestPublicationsFeed,
    feed_cache_query,
)

from . import views
from .cache import cache_anonymous_page
from .sitemaps import sitemaps

admin.site.site_header = "forumasia administration"
admin.site.site_title = "forumasia administration"
admin.site.index_title = "Publish and manage the site"

# The sitemap is cached like the home page: keyed on the content version, so an unpublished
# publication leaves it at once and a scheduled one enters it on time (forumasia/cache.py).
sitemap_index = cache_anonymous_page()(sitemap_views.index)
sitemap_section = cache_anonymous_page(query=views.sitemap_page_query)(views.sitemap_section)
# Feeds are read by feed readers every few minutes: the same page for everyone, per filter.
feed_rss = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsFeed())
feed_atom = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsAtomFeed())

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    # /search/ is cached like the list it extends (PublicationListView's query parameters).
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/rss/", feed_rss, name="feed-rss"),
    path("feeds/atom/", feed_atom, name="feed-atom"),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": sitemaps, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_section,
        {"sitemaps": sitemaps},
        name="sitemap-section",
    ),
    path("", include("members.urls")),
    path("", include("publications.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Editorial pages (About, Our approach, ...) at the address editors give them in the admin.
# Last, so no page can shadow an application URL; an unknown address is a 404 as before (and
# the redirects middleware then looks for an editor's redirect). Only the characters a
# flatpage URL may hold (FlatpageForm's rule) reach the view: no NUL or control character
# ever reaches the database.
urlpatterns += [re_path(r"^(?P<url>[-\w/.~]*/)$", views.flatpage, name="flatpage")]
