"""Public pages: the list (with type pages) and the detail page. Views stay thin: every rule
about what is public lives in `PublicationQuerySet.published()`, every query parameter is read
through `PublicationFilterForm` (publications/forms.py).

On a sub-site (`request.sub_site`, set by its routing; None on the main site) every page and
feed lists only the sub-site's stream: all of them take what they may show from
`on_this_site()`. A publication's page on a sub-site names its one address, the main site's,
as canonical."""

from urllib.parse import quote, urlencode

from django.core.cache import cache
from django.core.paginator import InvalidPage
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    Max,
    Min,
    Subquery,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView
from taggit.models import Tag, TaggedItem

from forumasia.cache import AnonymousPageCacheMixin, content_version, is_cacheable_request
from forumasia.sites import main_site_url

from . import search
from .article import article_context
from .forms import PublicationFilterForm
from .models import (
    Publication,
    attach_other_languages,
    publication_content_type_id,
)
from .pagination import CappedPaginator
from .queries import public_countries

# The theme filter offers the most used themes of the latest FACET_WINDOW publications: what
# the archive is about now, at a cost that does not grow with the archive.
FACET_WINDOW = 1_000
FACET_TAGS = 20
FACETS_KEY = "publication-facets:{version}:{site}"
# Facets are shared by every list URL and kept per content version (a publish or an edit
# starts afresh); the timeout bounds how long a scheduled publication's country or year may be
# missing from the filter options after it goes public by the clock.
FACETS_TIMEOUT = 120
RELATED_COUNT = 3


class EqualsAny(Func):
    """PostgreSQL: `column = ANY(ARRAY(subquery))`, the subquery run once as a list."""

    arg_joiner = " = ANY(ARRAY"
    template = "(%(expressions)s))"
    output_field = BooleanField()


def on_this_site(request, publications):
    """`publications` narrowed to what the site `request` is for shows: on a sub-site its
    stream (the sub-site's `stream()`; this app knows sub-sites only as the request's
    `sub_site`), on the main site all of them."""
    sub_site = getattr(request, "sub_site", None)
    return publications if sub_site is None else sub_site.stream(publications)


def public_publications(request, now=None):
    """The public publications `request` may list: `published()` on this site. Lists, facets,
    search, feeds, related cards and the member and country pages all start here."""
    return on_this_site(request, Publication.objects.published(now))


def list_facets(request, now=None):
    """{'countries', 'tags', 'years'} of the publications the site lists, for the list's filter
    form; three bounded queries, cached per content version and site."""
    sub_site = getattr(request, "sub_site", None)
    key = FACETS_KEY.format(version=content_version(), site=sub_site.pk if sub_site else "")
    facets = cache.get(key)
    if facets is not None:
        return facets
    now = now or timezone.now()
    public = public_publications(request, now)
    countries = list(public_countries(now, publications=public).order_by("name"))
    recent = public.order_by("-publish_at", "-pk").values("pk")[:FACET_WINDOW]
    links = TaggedItem.objects.filter(content_type_id=publication_content_type_id())
    if connection.vendor == "postgresql":
        # `= ANY(ARRAY(subquery))`: the window's ids are collected first and their tag links
        # read by the (content type, object) index; with `IN (subquery)` PostgreSQL hashes the
        # whole link table instead.
        links = links.filter(EqualsAny(F("object_id"), Subquery(recent)))
    else:
        links = links.filter(object_id__in=recent)
    tags = [
        Tag(pk=row["tag_id"], name=row["tag__name"], slug=row["tag__slug"])
        for row in links.values("tag_id", "tag__name", "tag__slug")
        .annotate(uses=Count("pk"))
        .order_by("-uses", "tag__name")[:FACET_TAGS]
    ]
    span = public.aggregate(first=Min("publish_at"), last=Max("publish_at"))
    years = []
    if span["first"]:
        first = timezone.localtime(span["first"]).year
        last = timezone.localtime(span["last"]).year
        years = list(range(last, first - 1, -1))
    facets = {"countries": countries, "tags": tags, "years": years}
    cache.set(key, facets, timeout=FACETS_TIMEOUT)
    return facets


class PublicationVisibilityMixin:
    """The one place that decides who sees what.

    Visitors get `published()`; users who may change publications also reach drafts and
    scheduled items, which are then marked as a preview and never cached.
    """

    model = Publication

    def can_preview(self):
        # Without a session cookie the visitor is anonymous: known without loading the session,
        # so the page stays cacheable (forumasia/cache.py). Previews therefore never reach the
        # page cache, and neither does a draft's 404 (only 200s are stored).
        if is_cacheable_request(self.request):
            return False
        return self.request.user.has_perm("publications.change_publication")

    def get_queryset(self):
        if self.can_preview():
            return on_this_site(self.request, Publication.objects.all())
        return public_publications(self.request)


class PublicationListView(AnonymousPageCacheMixin, ListView):
    """/publications/ and the type pages; filters `type`, `country`, `tag`, `year`, `q`.

    Lists show what the public sees, to staff too (drafts are previewed at their own URL).
    Unknown filter values never fail (publications/forms.py); a page number that is not one,
    or beyond the last page, is a 404.
    """

    template_name = "publications/publication_list.html"
    context_object_name = "publications"
    paginate_by = 20
    fixed_type = None
    # The words searched instead when those typed matched nothing (search.search_publications).
    search_correction = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form = PublicationFilterForm(request.GET, fixed_type=self.fixed_type)
        self.filters = self.form.filters

    def page_cache_query(self):
        # A request for a page that is not a page number is answered (404) without the cache.
        return None if self.form.page_number is None else self.form.canonical

    def get_queryset(self):
        self.facets = list_facets(self.request)
        # Country and tag are looked up first (usually from the facets already in hand) and
        # filtered by id: a code or slug inside the subquery hides the selectivity from
        # PostgreSQL's estimates.
        return self.form.filter(
            public_publications(self.request).for_cards(),
            known_countries=self.facets["countries"],
            known_tags=self.facets["tags"],
        )

    def paginate_queryset(self, queryset, page_size):
        """A page of cards, one per translation group: the search selector's when the list
        is searched (`q`), else the filtered publications newest first."""
        number = self.form.page_number
        if number is None:
            raise Http404("No such page.")
        try:
            if "q" in self.filters:
                page, _, self.search_correction = search.search_publications(
                    query=self.filters["q"], publications=queryset, page=number, per_page=page_size
                )
            else:
                page = CappedPaginator(queryset.one_per_group(), page_size).page(number)
        except InvalidPage as error:
            raise Http404("No such page.") from error
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters, tag = self.filters, self.form.tag
        tag_options = self.facets["tags"]
        if tag is not None and tag not in tag_options:
            # The chosen theme stays selectable even when it is not among the popular ones.
            tag_options = [*tag_options, tag]
        paginator = context["paginator"]
        attach_other_languages(context["publications"])
        context.update(
            filters=filters,
            fixed_type=self.fixed_type,
            type_plural_label=(
                Publication.Type(self.fixed_type).plural_label if self.fixed_type else None
            ),
            type_choices=Publication.Type.choices,
            country_options=self.facets["countries"],
            tag_options=tag_options,
            year_options=self.facets["years"],
            chips=self.chips(),
            result_count=min(paginator.count, paginator.cap),
            result_count_capped=paginator.is_capped,
            querystring_without_page=self.form.query_string(),
            query=filters.get("q", ""),
            **self.feed_context(),
        )
        return context

    def feed_context(self):
        """The feed of the same type/country/tag, for "Follow ... by RSS" (no words or year:
        feeds filter by those three only). Nothing for the unfiltered list."""
        filters, country, tag = self.filters, self.form.country, self.form.tag
        feed_query = self.form.feed_query()
        if not feed_query or ("country" in filters and country is None):
            return {"feed_query": "", "feed_label": ""}
        if "type" in filters:
            label = Publication.Type(filters["type"]).plural_label.lower()
        else:
            label = gettext("publications")
        if country is not None:
            label = gettext("%(items)s about %(country)s") % {
                "items": label,
                "country": country.name,
            }
        if "tag" in filters:
            theme = tag.name if tag else filters["tag"]
            label = gettext("%(items)s on %(theme)s") % {"items": label, "theme": theme}
        return {"feed_query": feed_query, "feed_label": label}

    def chips(self):
        """Active filters as removable chips: (label, value, url without that filter)."""
        filters, country, tag = self.filters, self.form.country, self.form.tag
        chips = []
        labels = {
            "type": (gettext("Type"), lambda v: Publication.Type(v).label),
            "country": (gettext("Country"), lambda v: country.name if country else v),
            "tag": (gettext("Theme"), lambda v: tag.name if tag else v),
            "year": (gettext("Year"), str),
            "q": (gettext("Words"), lambda v: gettext("“%(words)s”") % {"words": v}),
        }
        for key, (label, display) in labels.items():
            if key not in filters:
                continue
            if key == "type" and self.fixed_type:
                # On a type page the type is the page itself: removing it leads to all types.
                remaining = self.form.query_string()
                url = reverse("publications:publication-list") + (
                    f"?{remaining}" if remaining else ""
                )
            else:
                remaining = self.form.query_string(exclude=(key,))
                url = "?" + remaining if remaining else self.request.path
            chips.append({"key": key, "label": label, "value": display(filters[key]), "url": url})
        return chips


class PublicationDetailView(AnonymousPageCacheMixin, PublicationVisibilityMixin, DetailView):
    """One publication; it reads no query parameter (the page cache keys it on its path)."""

    template_name = "publications/publication_detail.html"
    context_object_name = "publication"

    def get_queryset(self):
        # Attachments and the gallery are read only when the article is rendered
        # (publications/article.py): a detail page after a publish reads it from the cache.
        # The search columns are large and the page shows none of them.
        return (
            super()
            .get_queryset()
            .select_related("translation_of")
            .defer("body_text", "search_vector", "unspaced_text", "translation_of__body_text")
            .defer("translation_of__search_vector", "translation_of__unspaced_text")
            .defer("translation_of__body")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        publication = self.object
        now = timezone.now()
        is_preview = not publication.is_public_at(now)
        article = article_context(publication, is_preview=is_preview)
        related = related_publications(
            publication,
            tag_ids=article.pop("tag_ids"),
            country_ids=article.pop("country_ids"),
            now=now,
            request=self.request,
        )
        # The other languages of the page and of its related cards, in one query.
        attach_other_languages([publication, *related], now=now)
        # Its one address, the main site's, from every site that shows it (also on the share
        # links, kept in the article's fragment).
        canonical = main_site_url(self.request)
        context.update(
            **article,
            is_preview=is_preview,
            translations=publication.other_languages,
            related=related,
            share_links=share_links(publication, canonical),
            absolute_url=canonical,
            canonical_url=canonical,
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A preview must never be kept by a browser cache, a proxy or the CDN.
            patch_cache_control(response, no_cache=True, private=True)
            response["X-Robots-Tag"] = "noindex"
        return response


def related_publications(
    publication, *, tag_ids, country_ids, now, request=None, limit=RELATED_COUNT
):
    """The newest `limit` public publications of the site `request` is for (without one: the
    main site) sharing a theme or a country with `publication`, one per translation group,
    never one of its own translations (nor its original).

    Two small queries, each "newest first, LIMIT `limit`" walking the publish-time index and
    probing one link table, merged here: the same result as one query with `tag OR country`,
    which PostgreSQL can only answer by first collecting every publication sharing either
    (most of the archive for a popular theme)."""
    public = public_publications(request, now).for_cards().outside_group_of(publication)
    sharing = [public.tagged(*tag_ids)] if tag_ids else []
    if country_ids:
        sharing.append(public.about_country(*country_ids))
    candidates = {}
    for publications in sharing:
        for item in publications.one_per_group()[:limit]:
            candidates[item.pk] = item
    newest = sorted(candidates.values(), key=lambda p: (p.publish_at, p.pk), reverse=True)
    return newest[:limit]


def share_links(publication, url):
    """Plain links to each network's share page for the publication at `url`: no third-party
    script, nothing loads. (name for the class, label, url): only email is a word to
    translate."""
    title = publication.title
    return [
        (
            "facebook",
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ),
        ("x", "X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        (
            "linkedin",
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": f"{title} {url}"})),
        (
            "telegram",
            "Telegram",
            "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        ),
        ("email", gettext("Email"), f"mailto:?subject={quote(title)}&body={quote(url)}"),
    ]
