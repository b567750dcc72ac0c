from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from forumasia.cache import AnonymousPageCacheMixin
from forumasia.forms import PageForm

from .forms import MemberFilterForm
from .models import Country, MemberOrganisation, SubRegion

PUBLICATIONS_PER_PAGE = 10


def paginate_publications(publications, page_number):
    """A page of `publications` (a reverse manager of Publication, e.g. a country's), only the
    public ones, newest first. The app does not import publications: `published()` and
    `for_cards()` (the columns the card partial needs) arrive through the reverse manager,
    which uses Publication's default manager. No valid page number: the first page; beyond
    the last: the last (Paginator.get_page)."""
    queryset = publications.published().for_cards().order_by("-publish_at", "-pk")
    page = Paginator(queryset, PUBLICATIONS_PER_PAGE).get_page(page_number)
    # The page is the only parameter these pages read: pagination links carry nothing else.
    return {"page_obj": page, "querystring_without_page": ""}


class PublicationPagesMixin(AnonymousPageCacheMixin):
    """Member and country pages: their only query parameter is the page of publications."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.page_form = PageForm(request.GET)

    def page_cache_query(self):
        return self.page_form.canonical

    def publication_page(self, publications):
        return paginate_publications(publications, self.page_form.canonical.get("page"))


class MemberListView(AnonymousPageCacheMixin, TemplateView):
    """/members/: current members grouped by country, filtered by country, sub-region, search.

    Queries: countries with counts (filters, totals, and the map on a cache miss) and the
    members, whatever the number of members.
    """

    template_name = "members/member_list.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.form = MemberFilterForm(request.GET)

    def page_cache_query(self):
        return self.form.canonical

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        countries = list(Country.objects.with_member_counts())
        with_members = [country for country in countries if country.member_count]
        filters = self.form.filters()
        selected_country = next(
            (c for c in with_members if c.code.lower() == filters["country"]), None
        )
        if selected_country is None:
            filters["country"] = ""

        members = MemberOrganisation.objects.active().select_related("country")
        if selected_country:
            members = members.filter(country=selected_country)
        if filters["region"]:
            members = members.filter(country__sub_region=filters["region"])
        members = list(members.search(filters["q"]).order_by("country__name", "name"))
        groups = [
            (country, list(group)) for country, group in groupby(members, key=lambda m: m.country)
        ]
        context.update(
            form=self.form,
            country_choices=[
                (country.code.lower(), f"{country.name} ({country.member_count})")
                for country in with_members
            ],
            filters=filters,
            is_filtered=any(filters.values()),
            countries=countries,
            groups=groups,
            result_count=len(members),
            result_country_count=len(groups),
            total_members=sum(country.member_count for country in with_members),
            total_countries=len(with_members),
            selected_country=selected_country,
            selected_region=dict(SubRegion.choices).get(filters["region"], ""),
        )
        return context


class MemberDetailView(PublicationPagesMixin, DetailView):
    """/members/<slug>/: current and former members (former ones are marked)."""

    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return MemberOrganisation.objects.select_related("country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.publication_page(self.object.signed_publications))
        return context


class CountryDetailView(PublicationPagesMixin, DetailView):
    """/countries/<code>/: a country's members and the publications about it."""

    template_name = "members/country_detail.html"
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
        context.update(self.publication_page(self.object.publications))
        return context
