from itertools import groupby

from django.views.generic import TemplateView

from forumasia.cache import AnonymousPageCacheMixin

from .forms import MemberFilterForm
from .models import Country, MemberOrganisation, SubRegion


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
