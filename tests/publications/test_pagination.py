"""publications/pagination.py: capped counts and stable, cheap deep pages of the lists."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publications import pagination, views
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def countries(db):
    """The migration's countries, also after a browser test's flush ran just before."""
    from importlib import import_module

    from django.apps import apps

    from members.models import Country

    if not Country.objects.exists():
        import_module("members.migrations.0002_load_asian_countries").load_countries(apps, None)


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 5)
    monkeypatch.setattr(views.PublicationListView, "paginate_by", 2)


def publications(n, **kwargs):
    now = timezone.now()
    return [
        PublicationFactory(title=f"Item {i:02d}", publish_at=now - timedelta(hours=i), **kwargs)
        for i in range(n)
    ]


def test_a_count_beyond_the_cap_says_more_than(client, small_cap):
    publications(9)

    response = client.get("/publications/")
    text = response.content.decode()

    assert response.context["result_count"] == 5
    assert response.context["result_count_capped"] is True
    assert "More than <strong>5</strong> publications" in text
    assert 'rel="next"' in text


def test_below_the_cap_the_count_is_exact(client, small_cap):
    publications(4)

    response = client.get("/publications/")

    assert response.context["result_count"] == 4
    assert response.context["result_count_capped"] is False
    assert "page 1 of 2" in response.content.decode()


def test_pages_beyond_the_cap_keep_their_urls_and_order(client, small_cap):
    items = publications(9)

    page4 = client.get("/publications/", {"page": 4})
    page5 = client.get("/publications/", {"page": 5})

    assert list(page4.context["publications"]) == items[6:8]
    assert 'rel="next"' in page4.content.decode()
    assert list(page5.context["publications"]) == items[8:9]
    assert 'rel="next"' not in page5.content.decode()


def test_out_of_range_or_bad_pages_are_404_not_500(client, small_cap):
    publications(9)

    for page in ["6", "999999", "0", "-1", "abc", "1.5"]:
        assert client.get("/publications/", {"page": page}).status_code == 404, page


def test_deep_pages_choose_their_rows_by_primary_key_first(monkeypatch, client, small_cap):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_FROM", 2)
    items = publications(7)

    page3 = client.get("/publications/", {"page": 3})

    assert list(page3.context["publications"]) == items[4:6]
