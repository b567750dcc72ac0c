"""Public pages: the list (with type pages) and the detail page. Views stay thin: every rule
about what is public lives in `PublicationQuerySet.published()`."""

import re
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView
from taggit.models import Tag, TaggedItem

from members.models import Country

from .feeds import feed_query
from .models import Publication, Signature

MAX_QUERY_LENGTH = 200
YEAR = re.compile(r"^\d{4}$")


class PublicationVisibilityMixin:
    """The one place that decides who sees what.

    Visitors get `published()`; users who may change publications also reach drafts and
    scheduled items, which are then marked as a preview and never cached.
    """

    model = Publication

    def can_preview(self):
        return self.request.user.has_perm("publications.change_publication")

    def get_queryset(self):
        publications = Publication.objects.all()
        return publications if self.can_preview() else publications.published()


class PublicationListView(ListView):
    """/publications/ and the type pages; filters `type`, `country`, `tag`, `year`, `q`.

    Lists show what the public sees, to staff too (drafts are previewed at their own URL).
    Unknown filter values never fail: an invalid type or year is ignored, an unknown country
    or tag matches nothing.
    """

    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20
    fixed_type = None

    def get_filters(self):
        # NUL characters cannot be stored or compared by PostgreSQL; nothing real contains them.
        params = {key: value.replace("\x00", "") for key, value in self.request.GET.items()}
        filters = {}
        type_value = self.fixed_type or params.get("type", "")
        if type_value in Publication.Type.values:
            filters["type"] = type_value
        country = params.get("country", "").strip()[:10]
        if country:
            filters["country"] = country.upper()
        tag = params.get("tag", "").strip()[:100]
        if tag:
            filters["tag"] = tag
        year = params.get("year", "").strip()
        if YEAR.match(year):
            filters["year"] = int(year)
        query = " ".join(params.get("q", "").split())[:MAX_QUERY_LENGTH]
        if query:
            filters["q"] = query
        return filters

    def get_queryset(self):
        self.filters = self.get_filters()
        publications = Publication.objects.published().for_cards()
        if "type" in self.filters:
            publications = publications.filter(type=self.filters["type"])
        if "country" in self.filters:
            publications = publications.filter(
                Exists(
                    Publication.countries.through.objects.filter(
                        publication=OuterRef("pk"), country__code=self.filters["country"]
                    )
                )
            )
        if "tag" in self.filters:
            publications = publications.filter(
                Exists(
                    TaggedItem.objects.filter(
                        content_type__app_label="publications",
                        content_type__model="publication",
                        object_id=OuterRef("pk"),
                        tag__slug=self.filters["tag"],
                    )
                )
            )
        if "year" in self.filters:
            publications = publications.filter(publish_at__year=self.filters["year"])
        if "q" in self.filters:
            publications = publications.search(self.filters["q"])
        return publications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        public = Publication.objects.published(now)
        countries = list(
            Country.objects.filter(
                Exists(
                    Publication.countries.through.objects.filter(
                        country=OuterRef("pk"), publication__in=public
                    )
                )
            ).order_by("name")
        )
        tags = list(
            Tag.objects.filter(
                taggit_taggeditem_items__content_type__app_label="publications",
                taggit_taggeditem_items__content_type__model="publication",
                taggit_taggeditem_items__object_id__in=public.values("pk"),
            )
            .annotate(uses=Count("taggit_taggeditem_items"))
            .order_by("-uses", "name")[:20]
        )
        span = public.aggregate(first=Min("publish_at"), last=Max("publish_at"))
        years = []
        if span["first"]:
            first = timezone.localtime(span["first"]).year
            last = timezone.localtime(span["last"]).year
            years = list(range(last, first - 1, -1))

        filters = self.filters
        country = next((c for c in countries if c.code == filters.get("country")), None)
        tag = next((t for t in tags if t.slug == filters.get("tag")), None)
        if "tag" in filters and tag is None:
            tag = Tag.objects.filter(slug=filters["tag"]).first()
        context.update(
            filters=filters,
            fixed_type=self.fixed_type,
            type_label=Publication.Type(self.fixed_type).label if self.fixed_type else None,
            type_choices=Publication.Type.choices,
            country_options=countries,
            tag_options=tags,
            year_options=years,
            chips=self.chips(filters, country, tag),
            result_count=context["paginator"].count,
            querystring_without_page=self.querystring(exclude=("page",)),
            query=filters.get("q", ""),
            **self.feed_context(filters, country, tag),
        )
        return context

    def feed_context(self, filters, country, tag):
        """The feed of the same type/country/tag, for "Follow ... by RSS" (no words or year:
        feeds filter by those three only). Nothing for the unfiltered list."""
        feed_filters = {key: filters[key] for key in ("type", "country", "tag") if key in filters}
        if not feed_filters or ("country" in filters and country is None):
            return {"feed_query": "", "feed_label": ""}
        if "type" in filters:
            label = (
                "open letters"
                if filters["type"] == "letter"
                else (Publication.Type(filters["type"]).label.lower() + "s")
            )
        else:
            label = "publications"
        if country is not None:
            label += f" about {country.name}"
        if "tag" in filters:
            label += f" on {tag.name if tag else filters['tag']}"
        return {"feed_query": feed_query(feed_filters), "feed_label": label}

    def querystring(self, exclude=()):
        """The current filters as a query string, without `exclude` and empty values."""
        pairs = [
            (key, value)
            for key, value in self.request.GET.items()
            if key not in exclude
            and key in ("type", "country", "tag", "year", "q")
            and value.strip()
            and not (key == "type" and self.fixed_type)
        ]
        return urlencode(pairs)

    def chips(self, filters, country, tag):
        """Active filters as removable chips: (label, value, url without that filter)."""
        chips = []
        labels = {
            "type": ("Type", lambda v: Publication.Type(v).label),
            "country": ("Country", lambda v: country.name if country else v),
            "tag": ("Theme", lambda v: tag.name if tag else v),
            "year": ("Year", str),
            "q": ("Words", lambda v: f"“{v}”"),
        }
        for key, (label, display) in labels.items():
            if key not in filters:
                continue
            if key == "type" and self.fixed_type:
                # On a type page the type is the page itself: removing it leads to all types.
                remaining = self.querystring(exclude=("page",))
                url = "/publications/" + (f"?{remaining}" if remaining else "")
            else:
                remaining = self.querystring(exclude=("page", key))
                url = "?" + remaining if remaining else self.request.path
            chips.append({"label": label, "value": display(filters[key]), "url": url})
        return chips


class PublicationDetailView(PublicationVisibilityMixin, DetailView):
    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("translation_of")
            .prefetch_related(
                Prefetch("signatures", queryset=Signature.objects.select_related("member")),
                "countries",
                "tags",
                "attachments",
                "gallery_images",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        now = timezone.now()
        public = Publication.objects.published(now).for_cards()
        root_id = publication.translation_of_id or publication.pk
        translations = (
            public.filter(Q(pk=root_id) | Q(translation_of_id=root_id))
            .exclude(pk=publication.pk)
            .only("pk", "slug", "title", "language", "publish_at")
            .order_by("language")
        )
        tag_ids = [tag.pk for tag in publication.tags.all()]
        country_ids = [country.pk for country in publication.countries.all()]
        related = Publication.objects.none()
        if tag_ids or country_ids:
            matches = Q()
            if tag_ids:
                matches |= Q(
                    Exists(
                        TaggedItem.objects.filter(
                            content_type__app_label="publications",
                            content_type__model="publication",
                            object_id=OuterRef("pk"),
                            tag_id__in=tag_ids,
                        )
                    )
                )
            if country_ids:
                matches |= Q(
                    Exists(
                        Publication.countries.through.objects.filter(
                            publication=OuterRef("pk"), country_id__in=country_ids
                        )
                    )
                )
            related = public.filter(matches).exclude(pk=publication.pk)[:3]
        context.update(
            is_preview=not publication.is_public_at(now),
            translations=list(translations),
            related=list(related),
            share_links=share_links(publication),
            absolute_url=settings.SITE_URL + publication.get_absolute_url(),
            signatures=list(publication.signatures.all()),
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A preview must never be kept by a browser cache, a proxy or the CDN.
            patch_cache_control(response, no_cache=True, private=True)
            response["X-Robots-Tag"] = "noindex"
        return response


def share_links(publication):
    """Plain links to each network's share page: no third-party script, nothing loads."""
    url = settings.SITE_URL + publication.get_absolute_url()
    title = publication.title
    return [
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        (
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{title} {url}"})),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        (
            "Email",
            f"mailto:?subject={quote(title)}&body={quote(url)}",
        ),
    ]
