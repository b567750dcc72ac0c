"""publications/pagination.py: capped counts and stable, cheap deep pages of the lists."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publications import pagination, views
from tests.factories import PublicationFactory, country

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


def page_links(response):
    """The pagination's numbers as shown: "[n]" for the current page, "…" for a gap."""
    nav = re.search(r'<nav class="pagination".*?</nav>', response.content.decode(), re.DOTALL)
    shown = re.findall(r'(…)</li>|aria-label="Page (\d+)"( aria-current="page")?', nav.group(0))
    return [gap or (f"[{number}]" if current else number) for gap, number, current in shown]


def test_numbered_pages_show_the_first_the_last_and_the_neighbours(monkeypatch, client):
    monkeypatch.setattr(views.PublicationListView, "paginate_by", 2)
    publications(30)

    assert page_links(client.get("/publications/")) == ["[1]", "2", "3", "…", "15"]
    assert page_links(client.get("/publications/", {"page": 8})) == [
        *("1", "…", "6", "7", "[8]", "9", "10", "…", "15")
    ]
    assert page_links(client.get("/publications/", {"page": 15})) == [
        *("1", "…", "13", "14", "[15]")
    ]


def test_page_links_keep_the_filters_and_page_one_has_no_page_number(monkeypatch, client):
    monkeypatch.setattr(views.PublicationListView, "paginate_by", 2)
    publications(5, countries=[country("TH")])

    html = client.get("/publications/", {"country": "th", "page": 2}).content.decode()

    assert 'href="?country=th" aria-label="Page 1"' in html
    assert 'href="?country=th&amp;page=2" aria-label="Page 2" aria-current="page"' in html
    assert 'rel="prev" href="?country=th"' in html
    assert 'rel="next" href="?country=th&amp;page=3"' in html
    unfiltered = client.get("/publications/", {"page": 2}).content.decode()
    assert 'rel="prev" href="/publications/"' in unfiltered


def test_beyond_the_cap_the_numbers_stop_at_the_pages_the_capped_count_proves(client, small_cap):
    publications(9)

    # Cap 5, two a page: the count read 6 rows, so pages 1-3 exist; more may follow.
    assert page_links(client.get("/publications/")) == ["[1]", "2", "3", "…"]
    page4 = client.get("/publications/", {"page": 4})
    assert page_links(page4) == ["1", "2", "3", "[4]"]
    assert 'rel="next"' in page4.content.decode()
    assert page_links(client.get("/publications/", {"page": 5})) == ["1", "2", "3", "4", "[5]"]


def test_numbered_pages_never_count_every_row(client, small_cap):
    publications(9)

    with CaptureQueriesContext(connection) as queries:
        client.get("/publications/", {"page": 2})

    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)


def test_country_pages_number_their_pages_with_django_s_paginator(client):
    publications(25, countries=[country("TH")])

    response = client.get("/countries/th/", {"page": 2})

    assert page_links(response) == ["1", "[2]", "3"]
    assert 'href="/countries/th/" aria-label="Page 1"' in response.content.decode()
