"""The sitemap (pages/sitemaps.py and each app's sections): public content only, on SITE_URL,
cached and never stale."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from publications import services
from tests.factories import MemberOrganisationFactory, PublicationFactory, country, publisher

pytestmark = pytest.mark.django_db


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_sitemap_index_lists_every_section_on_site_url(client, settings):
    sections = locations(client, "/sitemap.xml")

    for name in ("sections", "pages", "members", "countries", "publications"):
        assert f"http://127.0.0.1:8000/sitemap-{name}.xml" in sections or any(
            loc.endswith(f"/sitemap-{name}.xml") for loc in sections
        )


def test_sitemap_holds_public_publications_members_countries_types_and_pages(client):
    member = MemberOrganisationFactory(country=country("KH"))
    MemberOrganisationFactory(name="Former", is_active=False)
    public = PublicationFactory(slug="public-one")
    PublicationFactory(slug="draft-one", status="draft")
    PublicationFactory(slug="later-one", publish_at=timezone.now() + timedelta(days=1))

    publications = locations(client, "/sitemap-publications.xml")
    members = locations(client, "/sitemap-members.xml")
    countries = locations(client, "/sitemap-countries.xml")
    sections = locations(client, "/sitemap-sections.xml")
    pages = locations(client, "/sitemap-pages.xml")

    assert [loc.rsplit("/publications/", 1)[1] for loc in publications] == ["public-one/"] * 3
    assert members == [
        f"http://127.0.0.1:8000{prefix}{member.get_absolute_url()}" for prefix in ("", "/th", "/id")
    ]
    assert countries == [
        f"http://127.0.0.1:8000{prefix}/countries/kh/" for prefix in ("", "/th", "/id")
    ]
    assert "http://127.0.0.1:8000/statements/" in sections
    assert "http://127.0.0.1:8000/" in sections
    assert "http://127.0.0.1:8000/about/" in pages
    lastmod = client.get("/sitemap-publications.xml").content.decode()
    # The sitemap gives the Secretariat's date, which runs 7 hours ahead of UTC.
    assert f"<lastmod>{timezone.localdate(public.updated_at):%Y-%m-%d}" in lastmod


def test_sitemap_is_cached_but_drops_an_unpublished_item_at_once(client, commit):
    publication = PublicationFactory(slug="short-lived")
    assert any("short-lived" in loc for loc in locations(client, "/sitemap-publications.xml"))
    assert client.get("/sitemap-publications.xml").page_cache == "hit"

    services.unpublish(publications=[publication], user=publisher())
    commit()

    assert not any("short-lived" in loc for loc in locations(client, "/sitemap-publications.xml"))


# --- written without the template, the same bytes as Django's own sitemap -------------------------


def test_the_written_urlset_is_what_djangos_template_renders(settings):
    from datetime import UTC, date, datetime

    from django.template.loader import render_to_string

    from pages.sitemaps import render_urlset

    urls = [
        {
            "location": "http://127.0.0.1:8000/publications/a-b/?x=1&y=<2>",
            # 20:00 UTC is the next day in Bangkok: the date shown is the Secretariat's.
            "lastmod": datetime(2026, 1, 31, 20, 0, tzinfo=UTC),
            "changefreq": "monthly",
            "priority": "0.8",
            "alternates": [],
        },
        {
            "location": "http://127.0.0.1:8000/members/x/",
            "lastmod": date(2025, 12, 1),
            "changefreq": None,
            "priority": "",
            "alternates": [{"location": "http://127.0.0.1:8000/th/x/", "lang_code": "th"}],
        },
        {
            "location": "http://127.0.0.1:8000/",
            "lastmod": None,
            "changefreq": "daily",
            "priority": "0.6",
            "alternates": [],
        },
    ]

    for urlset in (urls, urls[:1], []):
        assert render_urlset(urlset) == render_to_string("sitemap.xml", {"urlset": urlset})
    assert "<lastmod>2026-02-01</lastmod>" in render_urlset(urls)


def stock_publication_sitemap():
    """The publications section as Django's own Sitemap would build it: model instances,
    get_absolute_url(), the lastmod of every item."""
    from django.contrib.sitemaps import Sitemap

    from publications.models import Publication

    class Stock(Sitemap):
        changefreq = "monthly"
        priority = 0.8
        limit = 2
        i18n = True
        alternates = True
        x_default = True

        def items(self):
            return Publication.objects.published()

        def lastmod(self, publication):
            return publication.updated_at

    return Stock


def test_the_publication_sections_and_index_equal_djangos_stock_sitemap(client, monkeypatch):
    from django.contrib.sitemaps import views as stock_views
    from django.test import RequestFactory

    from pages.sitemaps import sitemaps
    from publications.sitemaps import PublicationSitemap

    monkeypatch.setattr(PublicationSitemap, "limit", 2)
    now = timezone.now()
    for number in range(5):
        PublicationFactory(slug=f"item-{number}", publish_at=now - timedelta(days=number))
    PublicationFactory(slug="draft-item", status="draft")
    stock = {**sitemaps, "publications": stock_publication_sitemap()}
    factory = RequestFactory(HTTP_HOST="127.0.0.1:8000")

    # Five publications in three languages: eight pages of two.
    for page in range(1, 9):
        ours = client.get("/sitemap-publications.xml", {"p": page}, HTTP_HOST="127.0.0.1:8000")
        theirs = stock_views.sitemap(
            factory.get("/sitemap-publications.xml", {"p": page}), stock, section="publications"
        )
        theirs.render()
        assert ours.status_code == 200
        assert ours.content == theirs.content
        assert ours["Last-Modified"] == theirs["Last-Modified"]
        assert ours["X-Robots-Tag"] == theirs["X-Robots-Tag"]
    assert client.get("/sitemap-publications.xml", {"p": 9}).status_code == 404

    ours = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8000")
    theirs = stock_views.index(
        factory.get("/sitemap.xml"), stock, sitemap_url_name="sitemap-section"
    )
    theirs.render()
    assert ours.content == theirs.content


def test_an_address_is_what_get_absolute_url_returns():
    from publications.models import Publication
    from publications.sitemaps import PublicationSitemap

    sitemap = PublicationSitemap()
    for slug in ("plain-slug_1", "A-2026", "x"):
        assert sitemap.location((slug, None)) == Publication(slug=slug).get_absolute_url()


def test_sitemap_query_budgets_are_constant(client, django_assert_max_num_queries):
    PublicationFactory.create_batch(12)

    # The newsletter's section adds two: its date (MAX) and its sent issues (a few hundred).
    with django_assert_max_num_queries(10):
        assert client.get("/sitemap.xml").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/sitemap-publications.xml").status_code == 200


def test_each_address_is_listed_in_every_language_with_its_alternates(client):
    PublicationFactory(slug="appeal")
    body = client.get("/sitemap-publications.xml").content.decode()
    root = ET.fromstring(body)  # noqa: S314 - our own response
    xhtml = "{http://www.w3.org/1999/xhtml}"
    entries = {
        url.find(f"{SITEMAP}loc").text: {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{xhtml}link")
        }
        for url in root.iter(f"{SITEMAP}url")
    }
    site = "http://127.0.0.1:8000"
    alternates = {
        "en": f"{site}/publications/appeal/",
        "th": f"{site}/th/publications/appeal/",
        "id": f"{site}/id/publications/appeal/",
        "x-default": f"{site}/publications/appeal/",
    }

    assert entries == dict.fromkeys(
        [alternates["en"], alternates["th"], alternates["id"]], alternates
    )
    pages = locations(client, "/sitemap-pages.xml")
    assert {f"{site}/about/", f"{site}/th/about/", f"{site}/id/about/"} <= set(pages)
