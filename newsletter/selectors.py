"""Reads the admin and the tasks share: plain functions from parameters to a queryset, so that a
task never builds a request to reuse an admin's query."""

from django import forms
from django.contrib.admin.utils import prepare_lookup_value
from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from .models import Subscriber

# Query parameters of the admin's changelist that choose no subscribers: ordering, page, "show
# all", facets, the error flag, popups.
NOT_FILTERS = frozenset({"o", "p", "all", "e", "_facets", "_popup", "_to_field"})
SEARCHED_FIELDS = ("email", "name", "organisation")


class InvalidFilters(ValueError):
    """Parameters no subscribers' changelist takes, or values its filters refuse."""


class SubscriberFilters(forms.Form):
    """The subscribers' changelist's filters and search under its own parameter names
    (newsletter/admin.py: list_filter, search_fields). A NUL in any of them is refused, as the
    admin refuses it (PostgreSQL cannot compare with it)."""

    q = forms.CharField(required=False)
    status__exact = forms.CharField(required=False)
    list = forms.CharField(required=False)
    country__id__exact = forms.IntegerField(required=False)
    country__isnull = forms.CharField(required=False)
    created_at__gte = forms.DateTimeField(required=False)
    created_at__lt = forms.DateTimeField(required=False)


def _searched(queryset: QuerySet, search: str) -> QuerySet:
    """The admin's search: every word (or quoted phrase) in one of SEARCHED_FIELDS."""
    for word in smart_split(search):
        if word[0] in "\"'" and word[0] == word[-1]:
            word = unescape_string_literal(word)
        queryset = queryset.filter(
            Q.create([(f"{field}__icontains", word) for field in SEARCHED_FIELDS], connector=Q.OR)
        )
    return queryset


def subscribers_matching(params) -> QuerySet:
    """The subscribers the admin's changelist shows for the query parameters `params` (a
    QueryDict: its filters and search; ordering and page are ignored). Raises InvalidFilters
    for a parameter it does not take or a value a filter refuses."""
    unknown = set(params) - set(SubscriberFilters.base_fields) - NOT_FILTERS
    form = SubscriberFilters(params)
    if unknown or not form.is_valid():
        raise InvalidFilters("Those filters are not valid.")
    # Only what was given, as the changelist's filters apply only their own parameters.
    lookups = {
        name: value
        for name, value in form.cleaned_data.items()
        if name in params and value not in (None, "")
    }
    search, list_slug = lookups.pop("q", ""), lookups.pop("list", "")
    if "country__isnull" in lookups:
        lookups["country__isnull"] = prepare_lookup_value("__isnull", lookups["country__isnull"])
    queryset = Subscriber.objects.filter(**lookups)
    if list_slug:
        queryset = queryset.on_list(list_slug)
    return _searched(queryset, search)
