"""Bounded work on the list and detail pages: capped counts, stable deep pages, the related
publications from two small queries, the theme facet from a bounded window."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from publications import pagination, views
from publications.models import Publication
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


def test_related_is_the_newest_three_sharing_a_theme_or_a_country(
    client, django_assert_max_num_queries
):
    now = timezone.now()
    main = PublicationFactory(tags=["Land rights"], countries=[country("KH")])
    by_tag_old = PublicationFactory(tags=["Land rights"], publish_at=now - timedelta(days=9))
    by_tag = PublicationFactory(tags=["Land rights"], publish_at=now - timedelta(days=2))
    by_country = PublicationFactory(countries=[country("KH")], publish_at=now - timedelta(days=1))
    both = PublicationFactory(
        tags=["Land rights"], countries=[country("KH")], publish_at=now - timedelta(days=3)
    )
    PublicationFactory(tags=["Land rights"], status="draft")
    PublicationFactory(countries=[country("KH")], publish_at=now + timedelta(days=1))
    PublicationFactory(tags=["Other"], countries=[country("TH")])

    related = views.related_publications(
        main,
        tag_ids=[tag.pk for tag in main.tags.all()],
        country_ids=[c.pk for c in main.countries.all()],
        now=timezone.now(),
    )

    assert related == [by_country, by_tag, both]
    assert by_tag_old not in related
    with django_assert_max_num_queries(2):
        views.related_publications(main, tag_ids=[1], country_ids=[1], now=now)


def test_the_theme_facet_counts_only_the_latest_window(monkeypatch, client):
    monkeypatch.setattr(views, "FACET_WINDOW", 3)
    now = timezone.now()
    for i in range(3):
        PublicationFactory(tags=["Recent"], publish_at=now - timedelta(hours=i))
    for i in range(5):
        PublicationFactory(tags=["Old"], publish_at=now - timedelta(days=30 + i))

    response = client.get("/publications/")
    names = [tag.name for tag in response.context["tag_options"]]

    assert names == ["Recent"]
    # A theme chosen from elsewhere stays selectable and filters correctly.
    chosen = client.get("/publications/", {"tag": "old"})
    assert [tag.name for tag in chosen.context["tag_options"]] == ["Recent", "Old"]
    assert chosen.context["result_count"] == 5
    assert all(p.publish_at < now - timedelta(days=29) for p in chosen.context["publications"])
    assert Publication.objects.count() == 8
