"""RSS 2.0 and Atom feeds of the latest public publications: /feeds/rss/ and /feeds/atom/.

`?type=`, `?country=` (ISO code) and `?tag=` (slug) narrow a feed, so a partner can follow one
country or theme. An unknown type is ignored (the feed of everything); an unknown country or
tag gives an empty feed; nothing a reader sends yields an error. Built from `published()` like
every public surface: drafts and scheduled items never appear.
"""

import contextlib
import mimetypes
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag, TaggedItem

from members.models import Country

from .models import Publication, Signature

FEED_SIZE = 30


def feed_filters(params):
    """{'type': ..., 'country': ..., 'tag': ...} from a request's GET, only the usable values."""
    params = {key: value.replace("\x00", "").strip() for key, value in params.items()}
    filters = {}
    if params.get("type") in Publication.Type.values:
        filters["type"] = params["type"]
    country = params.get("country", "")[:10]
    if country:
        filters["country"] = country.upper()
    tag = params.get("tag", "")[:100]
    if tag:
        filters["tag"] = tag
    return filters


def feed_query(filters):
    """The query string that selects the same filters (for the feed links on list pages)."""
    pairs = [(key, filters[key]) for key in ("type", "country", "tag") if key in filters]
    if "country" in filters:
        pairs = [(k, v.lower() if k == "country" else v) for k, v in pairs]
    return urlencode(pairs)


class LatestPublicationsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request):
        filters = feed_filters(request.GET)
        country = tag = None
        if "country" in filters:
            country = Country.objects.filter(code=filters["country"]).first()
        if "tag" in filters:
            tag = Tag.objects.filter(slug=filters["tag"]).first()
        return {"filters": filters, "country": country, "tag": tag}

    # --- the channel ---

    def title(self, obj):
        parts = [settings.SITE_NAME]
        filters = obj["filters"]
        if "type" in filters:
            label = Publication.Type(filters["type"]).label
            parts.append("Open letters" if filters["type"] == "letter" else label + "s")
        if "country" in filters:
            parts.append(obj["country"].name if obj["country"] else filters["country"])
        if "tag" in filters:
            parts.append(obj["tag"].name if obj["tag"] else filters["tag"])
        if len(parts) == 1:
            parts.append("Latest publications")
        return " — ".join(parts)

    def link(self, obj):
        query = feed_query(obj["filters"])
        return reverse("publications:publication-list") + (f"?{query}" if query else "")

    def feed_url(self, obj):
        return None  # the request's own URL, with its filters

    def description(self, obj):
        return (
            "Joint statements, open letters, reports and stories from the network of human "
            "rights organisations across Asia."
        )

    subtitle = description  # Atom's name for it

    def author_name(self):
        return settings.SITE_NAME

    # --- the items ---

    def items(self, obj):
        filters = obj["filters"]
        publications = Publication.objects.published().defer("body", "co_signers", "media_contact")
        if "type" in filters:
            publications = publications.filter(type=filters["type"])
        if "country" in filters:
            if obj["country"] is None:
                return []
            publications = publications.filter(
                Exists(
                    Publication.countries.through.objects.filter(
                        publication=OuterRef("pk"), country=obj["country"]
                    )
                )
            )
        if "tag" in filters:
            if obj["tag"] is None:
                return []
            publications = publications.filter(
                Exists(
                    TaggedItem.objects.filter(
                        content_type__app_label="publications",
                        content_type__model="publication",
                        object_id=OuterRef("pk"),
                        tag=obj["tag"],
                    )
                )
            )
        return list(
            publications.prefetch_related(
                "tags",
                Prefetch(
                    "signatures",
                    queryset=Signature.objects.select_related("member").only(
                        "publication_id", "order", "member__name"
                    ),
                ),
            )[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.standfirst

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        names = [signature.member.name for signature in item.signatures.all()]
        return ", ".join(names) if names else settings.SITE_NAME

    def item_guid(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    item_guid_is_permalink = True

    def _largest_jpeg(self, item):
        renditions = [r for r in item.featured_image_renditions or [] if r.get("jpeg")]
        return renditions[-1]["jpeg"] if renditions else None

    def item_enclosure_url(self, item):
        name = self._largest_jpeg(item)
        if not name:
            return None
        url = default_storage.url(name)
        return settings.SITE_URL + url if url.startswith("/") else url

    def item_enclosure_length(self, item):
        name = self._largest_jpeg(item)
        # The file's size from storage (a stat on disk; a HEAD request on object storage).
        with contextlib.suppress(OSError, NotImplementedError):
            return default_storage.size(name) if name else 0
        return 0

    def item_enclosure_mime_type(self, item):
        name = self._largest_jpeg(item)
        return (mimetypes.guess_type(name)[0] if name else None) or "image/jpeg"


class LatestPublicationsAtomFeed(LatestPublicationsFeed):
    feed_type = Atom1Feed
