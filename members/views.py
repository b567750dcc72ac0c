from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Country, MemberOrganisation


class MemberListView(ListView):
    template_name = "members/member_list.html"
    context_object_name = "members"

    def get_queryset(self):
        return MemberOrganisation.objects.active().select_related("country")


class MemberDetailView(DetailView):
    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return MemberOrganisation.objects.select_related("country")


class CountryDetailView(DetailView):
    template_name = "members/country_detail.html"
    context_object_name = "country"

    def get_object(self, queryset=None):
        return get_object_or_404(Country, code=self.kwargs["code"].upper()[:2])
