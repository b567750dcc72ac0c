"""Page metadata (pages/templatetags/site_meta.py and base.html): titles, descriptions,
canonical addresses, social cards and JSON-LD that no content can break out of."""

import itertools
import json
import re

import pytest
from django.utils import timezone

from mailings.models import Issue
from tests.factories import (
    IssueFactory,
    MemberOrganisationFactory,
    PublicationFactory,
    SuperUserFactory,
    country,
)
from tests.forumasia.test_urls import ROUTES

pytestmark = pytest.mark.django_db


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


# Routes that are not a page to land on with a GET: POST-only endpoints, a redirect, files,
# and the newsletter's links, which need a token from an email (tests/newsletter/test_views.py).
NOT_PAGES = {
    "ckeditor/upload/",
    "newsletter/start/",
    "favicon.ico",
    # A sub-site's accent colour; the main site has none (tests/subsites/test_home.py).
    "accent.css",
    "files/%(name)s",
    "newsletter/confirm/%(token)s/",
    "newsletter/manage/%(token)s/",
    "newsletter/unsubscribe/%(token)s/",
    # Email services POST bounces and complaints here.
    "anymail/%(service)s/tracking/",
}


def test_every_page_has_title_description_canonical_and_social_tags(client):
    """Every route the resolver knows (as tests/forumasia/test_urls.py walks them), filled with
    addresses that exist: each HTML page carries the metadata."""
    member = MemberOrganisationFactory(country=country("TH"))
    publication = PublicationFactory(countries=[country("TH")], signatories=[member])
    issue = IssueFactory(slug="2026-11", items=[publication])
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, started_at=timezone.now())
    candidates = {
        "slug": [publication.slug, member.slug, issue.slug],
        "language": ["th"],
        "code": ["th"],
        "section": ["publications"],
        "url": ["about/"],
    }
    checked = []
    for _namespace, template, parameters in ROUTES:
        if template in NOT_PAGES:
            continue
        for values in itertools.product(*(candidates[name] for name in parameters)):
            path = "/" + template % dict(zip(parameters, values, strict=True))
            response = client.get(path)
            if response.status_code == 200:
                break
        assert response.status_code == 200, path
        if not response["Content-Type"].startswith("text/html"):
            continue  # feeds, sitemaps, robots.txt, /healthz
        html = response.content.decode()
        assert re.search(r"<title>[^<]+</title>", html), path
        assert re.search(r'<meta name="description" content="[^"]+">', html), path
        assert f'<link rel="canonical" href="http://127.0.0.1:8000{path}">' in html
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:type"):
            assert re.search(rf'<meta property="{prop}" content="[^"]+">', html), (path, prop)
        assert '<meta name="twitter:card" content="summary_large_image">' in html, path
        checked.append(path)

    assert {"/", "/publications/", "/members/", "/newsletter/", "/about/", "/search/"} <= set(
        checked
    )
    assert publication.get_absolute_url() in checked and member.get_absolute_url() in checked
    assert "/newsletter/2026-11/" in checked and "/newsletter/archive/" in checked


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
    assert image.startswith("http://127.0.0.1:8000/files/publications/") and image.endswith(".jpg")
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
