"""Sitemap, page metadata (canonical, OpenGraph, JSON-LD), editorial pages and redirects."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.utils import timezone

from publications import services
from tests.factories import (
    MemberOrganisationFactory,
    PublicationFactory,
    SuperUserFactory,
    country,
)

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


# --- sitemap ---------------------------------------------------------------------------------


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

    services.unpublish([publication])

    assert not any("short-lived" in loc for loc in locations(client, "/sitemap-publications.xml"))


def test_site_domain_follows_site_url():
    assert Site.objects.get_current().domain == "127.0.0.1:8000"


# --- metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/publications/", "/members/", "/newsletter/", "/about/"])
def test_every_page_has_title_description_canonical_and_social_tags(client, path):
    html = client.get(path).content.decode()

    assert re.search(r"<title>[^<]+</title>", html)
    assert re.search(r'<meta name="description" content="[^"]+">', html)
    assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}">' in html
    for prop in ("og:title", "og:description", "og:url", "og:image", "og:type"):
        assert f'property="{prop}"' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_canonical_ignores_filters_but_keeps_the_page_number(client):
    for _ in range(21):
        PublicationFactory()

    html = client.get("/publications/", {"page": 2, "utm_source": "x"}).content.decode()

    assert '<link rel="canonical" href="http://127.0.0.1:8000/publications/?page=2">' in html


def test_publication_page_describes_a_news_article(client):
    member = MemberOrganisationFactory(name="Sample Rights League")
    publication = PublicationFactory(
        title="Release the defenders",
        slug="release-the-defenders",
        standfirst="The network calls for release.",
        tags=["Defenders"],
        countries=[country("KH")],
        signatories=[member],
    )

    html = client.get(publication.get_absolute_url()).content.decode()

    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Release the defenders">' in html
    [data] = json_ld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Release the defenders"
    assert data["url"] == "http://127.0.0.1:8000/publications/release-the-defenders/"
    assert data["author"][0]["name"] == "Sample Rights League"
    assert data["publisher"]["name"] == "FORUM-ASIA"
    assert data["keywords"] == ["Defenders"]


def test_reports_are_reports_and_carry_their_image(client):
    from django.core.files.base import ContentFile

    from publications.services import refresh_featured_renditions
    from tests.publications.conftest import image_bytes

    report = PublicationFactory(type="report", featured_image_alt="A chart")
    report.featured_image.save("chart.jpg", ContentFile(image_bytes(size=(1200, 700))))
    refresh_featured_renditions(report)

    html = client.get(report.get_absolute_url()).content.decode()

    [data] = json_ld(html)
    assert data["@type"] == "Report"
    image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert image.startswith("http://127.0.0.1:8000/media/") and image.endswith(".jpg")
    assert image in data["image"]


def test_home_and_member_pages_describe_organisations(client):
    member = MemberOrganisationFactory(name="Sample League", acronym="SL", city="Dili")

    home = json_ld(client.get("/").content.decode())
    member_page = json_ld(client.get(member.get_absolute_url()).content.decode())

    assert home[0]["@type"] == "Organization" and home[0]["name"] == "FORUM-ASIA"
    assert member_page[0]["@type"] == "Organization"
    assert member_page[0]["alternateName"] == "SL"
    assert member_page[0]["memberOf"]["name"] == "FORUM-ASIA"


def test_a_hostile_title_cannot_break_out_of_the_metadata(client):
    hostile = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    publication = PublicationFactory(title=hostile, standfirst=hostile)

    html = client.get(publication.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert html.count("</script>") == len(re.findall(r"<script[ >]", html))
    [data] = json_ld(html)
    assert data["name"] == hostile  # intact once parsed
    assert "\\u003C/script\\u003E" in html


def test_previews_carry_no_structured_data(client):
    draft = PublicationFactory(status="draft")
    client.force_login(SuperUserFactory())

    html = client.get(draft.get_absolute_url()).content.decode()

    assert json_ld(html) == []
    assert 'content="noindex, nofollow"' in html


# --- editorial pages and redirects --------------------------------------------------------------


def test_editorial_pages_exist_and_are_linked_from_the_footer(client):
    home = client.get("/").content.decode()

    for url in ("/about/", "/our-approach/", "/who-we-work-with/"):
        assert f'href="{url}"' in home
        response = client.get(url)
        assert response.status_code == 200
        assert b"Skip to content" in response.content  # extends base.html


def test_editorial_page_content_is_sanitised_on_every_save(client):
    page = FlatPage.objects.create(
        url="/history/",
        title="History",
        content='<p onclick="x()">Founded in 1991.</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a>',
    )
    page.sites.add(Site.objects.get_current())

    page.refresh_from_db()
    assert "script" not in page.content
    assert "onclick" not in page.content
    assert "javascript:" not in page.content
    assert "Founded in 1991." in client.get("/history/").content.decode()


def test_editors_edit_pages_with_the_rich_text_editor(client):
    client.force_login(SuperUserFactory())
    page = FlatPage.objects.get(url="/about/")

    html = client.get(f"/admin/flatpages/flatpage/{page.pk}/change/").content.decode()

    assert "ckeditor" in html.lower()
    response = client.post(
        f"/admin/flatpages/flatpage/{page.pk}/change/",
        {
            "url": "/about/",
            "title": "About us",
            "content": "<p>New text</p><script>alert(1)</script>",
            "sites": [Site.objects.get_current().pk],
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.content == "<p>New text</p>"


def test_editors_keep_old_urls_alive_with_redirects(client):
    Redirect.objects.create(
        site=Site.objects.get_current(), old_path="/old-news/item-12/", new_path="/statements/"
    )

    response = client.get("/old-news/item-12/")

    assert response.status_code == 301
    assert response["Location"] == "/statements/"


def test_an_unknown_address_is_still_a_404(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/no/such/deep/page/").status_code == 404
