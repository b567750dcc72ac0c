"""/feeds/rss/ and /feeds/atom/, named `feed-rss` and `feed-atom` without a namespace (every
page's head links to them)."""

from django.urls import path

from forumasia.cache import cache_anonymous_page

from .feeds import LatestPublicationsAtomFeed, LatestPublicationsFeed, feed_cache_query

# Feeds are read by feed readers every few minutes: the same page for everyone, per filter.
feed_rss = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsFeed())
feed_atom = cache_anonymous_page(query=feed_cache_query)(LatestPublicationsAtomFeed())

urlpatterns = [
    path("rss/", feed_rss, name="feed-rss"),
    path("atom/", feed_atom, name="feed-atom"),
]
