"""RSS 2.0 and Atom feeds of the newsletter's sent issues, one per interface language:
/feeds/newsletter/ (and /feeds/newsletter/atom/) in English, /feeds/newsletter/th/... in the
others, as the site puts the language in front of a page's address (mailings/feed_urls.py).

Each item is a sent issue in the feed's language (else English): its subject, its web
version's address in that language and its preheader. Built from `Issue.objects.archive()`,
like the archive pages: nothing unsent, nothing about recipients.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from publications.feeds import AtomFeed, RssFeed

from .models import Issue
from .views import in_page_language

FEED_SIZE = 30


class IssuesFeed(Feed):
    feed_type = RssFeed

    def __call__(self, request, language):
        # The feed's address says its language (feeds are outside the language prefixes).
        with translation.override(language):
            return super().__call__(request, language=language)

    def get_object(self, request, language):
        return language

    # --- the channel ---

    def title(self, language):
        return gettext("%(site)s: monthly e-newsletter") % {"site": settings.SITE_NAME}

    def link(self, language):
        return reverse("mailings:archive")

    def feed_url(self, language):
        return None  # the request's own URL

    def description(self, language):
        return gettext(
            "Every issue of the monthly e-newsletter, as it was sent: statements, open letters, "
            "reports and stories from the network."
        )

    subtitle = description  # Atom's name for it

    def author_name(self):
        return settings.SITE_NAME

    # --- the items: (issue, variant) pairs ---

    def items(self, language):
        return in_page_language(Issue.objects.archive()[:FEED_SIZE])

    def item_title(self, item):
        return item[1].subject

    def item_link(self, item):
        return item[0].get_absolute_url()

    def item_description(self, item):
        # The preheader is plain text; RSS readers show a description as HTML.
        return escape(item[1].preheader)

    def item_pubdate(self, item):
        return item[0].sent_on

    def item_updateddate(self, item):
        return item[0].updated_at

    def item_guid(self, item):
        return settings.SITE_URL + item[0].get_absolute_url()

    item_guid_is_permalink = True


class IssuesAtomFeed(IssuesFeed):
    feed_type = AtomFeed

    def item_description(self, item):
        return item[1].preheader  # a `type="text"` summary (publications.feeds.AtomFeed)
