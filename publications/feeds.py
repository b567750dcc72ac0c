"""RSS 2.0 and Atom feeds of the latest public publications: /feeds/rss/ and /feeds/atom/.

`?type=`, `?country=` (ISO code) and `?tag=` (slug) narrow a feed, so a partner can follow one
country or theme; they are read only through `FeedFilterForm` (publications/forms.py). An
unknown type is ignored (the feed of everything); an unknown country or tag, or a tag only
drafts carry, gives an empty feed; nothing a reader sends yields an error. Built from
`published()` like every public surface: drafts and scheduled items never appear.

A sub-site's feeds (its host's /feeds/rss/, or /sites/<slug>/feeds/rss/) hold its stream only
and are named after it; each item links to its one address, the main site's.
"""

import contextlib
import mimetypes
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext

from forumasia.context_processors import canonical_url
from forumasia.files import owned_files
from forumasia.sites import site_origin
from forumasia.text import clean_text

from .forms import FeedFilterForm
from .models import Publication, Signature
from .views import public_publications

FEED_SIZE = 30


def feed_cache_query(request):
    """What a feed reads from the query string (the page cache's key)."""
    return FeedFilterForm(request.GET).canonical


def xml_safe(value):
    """`value` (a feed's or an item's field) without the characters XML 1.0 forbids."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return type(value)(xml_safe(part) for part in value)
    return value


class FeedGeneratorMixin:
    """What both feed formats add to Django's generators.

    - The characters XML 1.0 forbids are removed from every field when the feed is written,
      so a row stored before text was cleaned on save (a title with Word's U+000B) cannot
      make the feed unreadable or its view fail.
    - An empty feed (a filter nothing matches) is dated at the epoch instead of "now" (Django's
      default): the same request gives the same bytes, so the cached copy is the fresh one and
      a reader polling it sees nothing new.
    """

    def write(self, outfile, encoding):
        self.feed = {name: xml_safe(value) for name, value in self.feed.items()}
        self.items = [
            {name: xml_safe(value) for name, value in item.items()} for item in self.items
        ]
        super().write(outfile, encoding)

    def latest_post_date(self):
        if not self.items:
            return datetime.fromtimestamp(0, tz=UTC)
        return super().latest_post_date()


class RssFeed(FeedGeneratorMixin, Rss201rev2Feed):
    pass


class AtomFeed(FeedGeneratorMixin, Atom1Feed):
    """Atom with the summary marked as what it is: plain text (Django's says HTML)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class LatestPublicationsFeed(Feed):
    feed_type = RssFeed

    def get_object(self, request):
        form = FeedFilterForm(request.GET)
        # Filtering looks up the country and theme (the channel's title names them).
        publications = form.filter(public_publications(request).for_cards()).one_per_group()
        sub_site = getattr(request, "sub_site", None)
        return {
            "form": form,
            "filters": form.filters,
            "publications": publications,
            "site_name": settings.SITE_NAME if sub_site is None else sub_site.name,
            # Absolute already: Django would put the main site's domain (the Site row) before
            # a path, also on a sub-site's own host.
            "origin": site_origin(request),
            "url": canonical_url(request),
        }

    # --- the channel ---

    def title(self, obj):
        parts = [obj["site_name"]]
        filters = obj["filters"]
        if "type" in filters:
            parts.append(Publication.Type(filters["type"]).plural_label)
        if "country" in filters:
            country = obj["form"].country
            parts.append(country.name if country else filters["country"])
        if "tag" in filters:
            tag = obj["form"].tag
            parts.append(tag.name if tag else filters["tag"])
        if len(parts) == 1:
            parts.append(gettext("Latest publications"))
        return " — ".join(parts)

    def link(self, obj):
        query = obj["form"].feed_query()
        path = reverse("publications:publication-list") + (f"?{query}" if query else "")
        return obj["origin"] + path

    def feed_url(self, obj):
        return obj["url"]  # the request's own address

    def description(self, obj):
        return gettext(
            "Joint statements, open letters, reports and stories from the network of human "
            "rights organisations across Asia."
        )

    subtitle = description  # Atom's name for it

    def author_name(self):
        return settings.SITE_NAME

    # --- the items ---

    def items(self, obj):
        return list(
            obj["publications"].prefetch_related(
                "tags",
                Prefetch(
                    "signatures",
                    queryset=Signature.objects.select_related("member", "partner").only(
                        "publication_id", "order", "member__name", "partner__name"
                    ),
                ),
            )[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # The standfirst is plain text; RSS readers show a description as HTML, so it is sent
        # escaped ("<b>" shows as written).
        return escape(item.standfirst)

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        names = [signature.signatory.name for signature in item.signatures.all()]
        return ", ".join(names) if names else settings.SITE_NAME

    def item_link(self, item):
        # Its one address, the main site's, from a sub-site's feed too.
        path = reverse(
            "publications:publication-detail",
            kwargs={"slug": item.slug},
            urlconf=settings.ROOT_URLCONF,
        )
        return settings.SITE_URL + path

    item_guid = item_link

    item_guid_is_permalink = True

    def _largest_jpeg(self, item):
        renditions = [r for r in item.featured_image_renditions or [] if r.get("jpeg")]
        return renditions[-1]["jpeg"] if renditions else None

    def item_enclosure_url(self, item):
        name = self._largest_jpeg(item)
        if not name:
            return None
        return settings.SITE_URL + owned_files.url(name)

    def item_enclosure_length(self, item):
        name = self._largest_jpeg(item)
        # The file's size from storage (a stat on disk; a HEAD request on object storage).
        with contextlib.suppress(OSError, NotImplementedError):
            return owned_files.size(name) if name else 0
        return 0

    def item_enclosure_mime_type(self, item):
        name = self._largest_jpeg(item)
        return (mimetypes.guess_type(name)[0] if name else None) or "image/jpeg"


class LatestPublicationsAtomFeed(LatestPublicationsFeed):
    feed_type = AtomFeed

    def item_description(self, item):
        return item.standfirst  # a `type="text"` summary (AtomFeed)
