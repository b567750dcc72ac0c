from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Subscriber
from newsletter.selectors import InvalidFilters, subscribers_matching
from tests.factories import SubscriberFactory, country

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:newsletter_subscriber_changelist")


@pytest.fixture
def subscribers(monthly, urgent):
    SubscriberFactory(email="lan@example.org", name="Nguyễn Thị Lan", lists=[urgent])
    SubscriberFactory(
        email="minh@example.org", name="Trần Văn Minh", country=country("VN"), lists=[monthly]
    )
    SubscriberFactory(email="somsri@example.org", organisation="Lan Foundation", status="pending")
    old = SubscriberFactory(email="old@example.org", country=country("TH"), lists=[urgent])
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))


def emails(queryset):
    return sorted(queryset.values_list("email", flat=True))


def test_the_selector_selects_what_the_changelist_shows_for_each_of_its_filters(
    client, comms, subscribers
):
    week_ago = urlencode({"created_at__gte": timezone.localtime() - timedelta(days=7)})
    queries = [
        "",
        "status__exact=confirmed",
        "status__exact=pending&q=lan",
        "list=urgent-appeals",
        f"country__id__exact={country('VN').pk}",
        "country__isnull=True",
        week_ago,
        week_ago.replace("__gte", "__lt") + "&o=1",
        "q=lan",
        'q="Lan Foundation"',
        "q=example.org minh",
    ]
    for query in queries:
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200, query
        shown = response.context["cl"].queryset

        assert emails(subscribers_matching(QueryDict(query))) == emails(shown), query
    assert emails(subscribers_matching(QueryDict("q=lan"))) == [
        "lan@example.org",
        "somsri@example.org",
    ]


@pytest.mark.parametrize(
    "query",
    [
        "no_such_field=1",
        "email__startswith=a",
        "country__id__exact=vn",
        "q=nul\x00",
        "created_at__gte=x",
    ],
)
def test_parameters_the_changelist_does_not_take_are_refused(query):
    with pytest.raises(InvalidFilters):
        subscribers_matching(QueryDict(query))
