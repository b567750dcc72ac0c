"""The site-wide pages, composed from the apps' querysets: home, search, the member and country
pages, the sitemap's sections, health, robots.txt and the editorial pages."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, TemplateView

from forumasia import health
from forumasia.cache import AnonymousPageCacheMixin, cache_anonymous_page, is_cacheable_request
from forumasia.forms import PageForm
from forumasia.sites import main_site_url
from forumasia.text import is_searchable
from members.models import Country, MemberOrganisation
from publications.models import Publication, attach_other_languages
from publications.views import PublicationListView, on_this_site
from subsites.models import SubSite
from subsites.routing import urlconf_for

from .models import Page
from .paths import shape_problem
from .sitemaps import SitemapPageForm, section_response

HOME_LATEST = {"statement": 4, "report": 3, "story": 3}


class HomeView(TemplateView):
    """The home page, composed from content. Queries: the lead, one per section, this year's
    count, the countries (figures, chips and map) and the sub-sites: 7, whatever the amount of
    content."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        public = Publication.objects.published(now).for_cards()
        # The newest featured publication leads; without one, the newest publication.
        lead = public.one_per_group().order_by("-is_featured", "-publish_at", "-pk").first()
        sections = {}
        for type_value, count in HOME_LATEST.items():
            items = public.of_type(type_value)
            if lead is not None:
                items = items.outside_group_of(lead)
            sections[type_value] = list(items.one_per_group()[:count])
        attach_other_languages(
            [card for cards in sections.values() for card in cards] + [lead] * bool(lead),
            now=now,
        )
        year = timezone.localdate(now).year
        countries = list(Country.objects.with_member_counts())
        member_countries = [country for country in countries if country.member_count]
        context.update(
            # "Explore our sub-sites": the network's campaign and programme sites.
            sub_sites=list(SubSite.objects.listed()),
            lead=lead,
            latest_statements=sections["statement"],
            latest_reports=sections["report"],
            latest_stories=sections["story"],
            countries=countries,
            member_countries=member_countries,
            network={
                "members": sum(country.member_count for country in member_countries),
                "countries": len(member_countries),
                "publications_this_year": public.in_year(year).count_groups(),
                "year": year,
            },
        )
        return context


class SubSiteHomeView(TemplateView):
    """A sub-site's home: its introduction, its pinned picks (in the editors' order), then the
    latest of the rest of its stream, its lists and its newsletter's sign-up. Queries: the
    pinned, the latest and their other languages: 3, whatever the amount of content."""

    template_name = "pages/sub_site_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        sub_site = self.request.sub_site
        stream = sub_site.stream(Publication.objects.published(now).for_cards())
        pinned = list(
            stream.filter(
                sub_site_picks__sub_site=sub_site, sub_site_picks__is_pinned=True
            ).order_by("sub_site_picks__position", "sub_site_picks__pk")
        )
        latest = list(
            stream.exclude(pk__in=[publication.pk for publication in pinned])
            .one_per_group()
            .order_by("-publish_at", "-pk")[:SUB_SITE_LATEST]
        )
        attach_other_languages(pinned + latest, now=now)
        context.update(pinned=pinned, latest=latest)
        return context


SUB_SITE_LATEST = 9
main_home = cache_anonymous_page()(HomeView.as_view())
sub_site_home = cache_anonymous_page()(SubSiteHomeView.as_view())


def home(request):
    """The main site's home, or a sub-site's own at its address (subsites/routing.py)."""
    if request.sub_site is not None:
        return sub_site_home(request)
    return main_home(request)


MEMBER_RESULTS = 8


class SearchView(PublicationListView):
    """/search/?q=: publications (ranked, highlighted, paginated, combinable with the list
    filters type/country/tag/year) and, on the first page, members. The list's filter form
    reads the query string; publications are matched by the search selector
    (`publications.search.search_publications()`, through the list view), members by
    `MemberOrganisation.objects.search()`. Text with nothing to
    search for (forumasia/text.py) shows the prompt: no publication, no member. On a sub-site
    it searches the sub-site's stream (the list's queryset) and shows no members: they are the
    main site's directory."""

    template_name = "search/search.html"

    def get_queryset(self):
        publications = super().get_queryset()
        if not is_searchable(self.filters.get("q", "")):
            return publications.none()
        return publications

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.filters.get("q", "")
        usable = is_searchable(query)
        members = []
        on_main_site = getattr(self.request, "sub_site", None) is None
        if usable and on_main_site and context["page_obj"].number == 1:
            members = list(
                MemberOrganisation.objects.active()
                .select_related("country")
                .search(query)[: MEMBER_RESULTS + 1]
            )
        context.update(
            is_searching=usable,
            members=members[:MEMBER_RESULTS],
            more_members=len(members) > MEMBER_RESULTS,
            search_correction=self.search_correction,
            # The header's search box shows the words searched for, as the view read them.
        )
        return context


# --- member and country pages: the members section's pages that list publications ----------------

PUBLICATIONS_PER_PAGE = 10


class PublicationPagesMixin(AnonymousPageCacheMixin):
    """Member and country pages: their only query parameter is the page of publications. On a
    sub-site they list its stream only, and name the main site's page as canonical."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page_form = PageForm(request.GET)

    def page_cache_query(self):
        return self.page_form.canonical

    def publication_page(self, publications):
        """A page of the public `publications`, newest first. No valid page number: the first
        page; beyond the last: the last (Paginator.get_page)."""
        public = on_this_site(self.request, publications.published()).for_cards()
        paginator = Paginator(
            public.one_per_group().order_by("-publish_at", "-pk"), PUBLICATIONS_PER_PAGE
        )
        # The same number as counting the cards, without probing each row for a better card.
        paginator.count = public.count_groups()
        page = paginator.get_page(self.page_form.canonical.get("page"))
        page.object_list = attach_other_languages(page.object_list)
        # The page is the only parameter these pages read: pagination links carry nothing else.
        return {
            "page_obj": page,
            "querystring_without_page": "",
            "canonical_url": main_site_url(self.request),
        }


class MemberDetailView(PublicationPagesMixin, DetailView):
    """/members/<slug>/: current and former members (former ones are marked), with the
    publications they signed."""

    template_name = "pages/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return MemberOrganisation.objects.select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.publication_page(Publication.objects.signed_by(self.object)))
        return context


class CountryDetailView(PublicationPagesMixin, DetailView):
    """/countries/<code>/: a country's members and the publications about it."""

    template_name = "pages/country_detail.html"
    context_object_name = "country"

    def get_object(self, queryset=None):
        code = self.kwargs["code"]
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise Http404("No such country.")
        return get_object_or_404(Country, code=code.upper())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = list(self.object.members.select_related("country").order_by("name"))
        context["members"] = [m for m in members if m.is_active]
        context["former_members"] = [m for m in members if not m.is_active]
        context.update(self.publication_page(Publication.objects.about_country(self.object)))
        return context


def sitemap_page_query(request):
    """What a sitemap section reads from the query string (the page cache's key): its page;
    None when `p` is not a page number."""
    form = SitemapPageForm(request.GET)
    return None if form.errors else form.canonical


def sitemap_section(request, section, sitemaps):
    """Django's sitemap view (written faster: pages/sitemaps.py), given the validated page only:
    it reads `p` from request.GET itself, and would take the last of repeated values and digits
    of any script. The sections are the main site's: a sub-site's addresses are all in its
    sitemap.xml."""
    query = sitemap_page_query(request)
    if query is None or request.sub_site is not None:
        raise Http404("No such sitemap page.")
    request.GET = QueryDict(urlencode(query))
    return section_response(request, sitemaps, section)


def can_preview_pages(request):
    """Staff who may change pages see a page that is not public, marked as a preview. Without a
    session cookie the visitor is anonymous, known without loading the session: the page stays
    cacheable, and a preview never reaches the page cache."""
    return not is_cacheable_request(request) and request.user.has_perm("pages.change_page")


@cache_anonymous_page()
def page(request, url):
    """An editorial page (About us, ...) of this site (the main site's, or on a sub-site that
    sub-site's, its path after the sub-site's prefix) at the address editors gave it: a public
    one (`Page.objects.published()`), or for staff a preview of one they may open in the admin,
    clearly marked and never cached. One query for a visitor."""
    path = "/" + url
    if shape_problem(path):
        raise Http404("No such page.")
    now = timezone.now()
    pages = Page.objects.on_site(request.sub_site).select_related("parent", "sub_site")
    if can_preview_pages(request):
        pages = pages.published(now) | pages.run_by(request.user)
    else:
        pages = pages.published(now)
    found = get_object_or_404(pages, path=path)
    is_preview = not found.is_public_at(now)
    response = render(
        request,
        "pages/page.html",
        {"page": found, "parent": found.public_parent(now), "is_preview": is_preview},
    )
    if is_preview:
        # A preview must never be kept by a browser cache, a proxy or the CDN.
        add_never_cache_headers(response)
    return response


@require_GET
@never_cache
def healthz(request):
    """200 while this host can serve (database, cache, storage), 503 otherwise: what a load
    balancer needs to know. The load balancer's own requests get live checks and the details
    (which part, how far behind the task queue is); anyone else the status of a recent check
    (forumasia/health.py)."""
    if health.is_trusted_caller(request):
        healthy, body = health.report()
    else:
        healthy = health.recent_result.healthy_now()
        body = {"status": "ok" if healthy else "unavailable"}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """The same rules on every host; the host's sitemap, and on the main site's host those of
    the sub-sites under /sites/<slug>/ too. Crawlers read robots.txt only at a host's root, so a
    sub-site without a host of its own has none (404)."""
    sub_site = request.sub_site
    if sub_site is not None and not sub_site.host:
        raise Http404("robots.txt is the main site's.")
    sitemaps = [reverse("sitemap")]
    if sub_site is None:
        sitemaps += [
            reverse("sitemap", urlconf=urlconf_for(path_site))
            for path_site in SubSite.objects.filter(host=None).order_by("slug")
        ]
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /newsletter/confirm/",
        "Disallow: /newsletter/manage/",
        "Disallow: /newsletter/unsubscribe/",
        *(f"Sitemap: {request.build_absolute_uri(path)}" for path in sitemaps),
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
