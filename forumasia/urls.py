from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from publications.feeds import (
    LatestPublicationsAtomFeed,
    LatestPublicationsFeed,
    feed_cache_query,
)

from .cache import cache_anonymous_page

admin.site.site_header = "forumasia administration"
admin.site.site_title = "forumasia administration"
admin.site.index_title = "Publish and manage the site"

# Feeds are read by feed readers every few minutes: the same page for everyone, per filter.
feed_rss = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsFeed())
feed_atom = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsAtomFeed())

urlpatterns = [
    path("feeds/rss/", feed_rss, name="feed-rss"),
    path("feeds/atom/", feed_atom, name="feed-atom"),
    path("", include("members.urls")),
    path("", include("publications.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Home, search, sitemaps, health, robots and the editorial pages. Last: an editorial page may
# have any address no application URL has.
urlpatterns += [path("", include("pages.urls"))]
