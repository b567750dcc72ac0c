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

    assert [loc.rsplit("/publications/", 1)[1] for loc in publications] == ["public-one/"]
    assert members == [f"http://127.0.0.1:8000{member.get_absolute_url()}"]
    assert countries == ["http://127.0.0.1:8000/countries/kh/"]
    assert "http://127.0.0.1:8000/statements/" in sections
    assert "http://127.0.0.1:8000/" in sections
    assert "http://127.0.0.1:8000/about/" in pages
    lastmod = client.get("/sitemap-publications.xml").content.decode()
    # The sitemap gives the Secretariat's date, which runs 7 hours ahead of UTC.
    assert f"<lastmod>{timezone.localdate(public.updated_at):%Y-%m-%d}" in lastmod


def test_sitemap_is_cached_but_drops_an_unpublished_item_at_once(client):
    publication = PublicationFactory(slug="short-lived")
    assert any("short-lived" in loc for loc in locations(client, "/sitemap-publications.xml"))
    assert client.get("/sitemap-publications.xml")["X-Page-Cache"] == "hit"

    services.unpublish(publications=[publication], user=publisher())

    assert not any("short-lived" in loc for loc in locations(client, "/sitemap-publications.xml"))
