"""Sent issues in the sitemap (mailings/sitemaps.py, listed by pages/sitemaps.py): each issue in
every language, with the others as alternates."""

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from tests.factories import IssueFactory
from tests.mailings.conftest import sent_issue

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SITE = "http://127.0.0.1:8000"


def urls(client, path):
    response = client.get(path)
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    return {
        url.findtext(f"{SITEMAP}loc"): {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")
        }
        for url in root.iter(f"{SITEMAP}url")
    }


def test_the_sitemap_lists_sent_issues_in_every_language_with_alternates(client):
    sent_issue(slug="2026-05")
    for status in ("draft", "scheduled", "sending", "paused", "cancelled"):
        IssueFactory(slug=f"issue-{status}", status=status)

    found = urls(client, "/sitemap-newsletter.xml")

    addresses = {
        "en": f"{SITE}/newsletter/2026-05/",
        "th": f"{SITE}/th/newsletter/2026-05/",
        "id": f"{SITE}/id/newsletter/2026-05/",
    }
    assert set(found) == set(addresses.values())
    for alternates in found.values():
        assert alternates == {**addresses, "x-default": addresses["en"]}


def test_the_sitemap_index_and_sections_name_the_newsletters_pages(client):
    sent_issue(slug="2026-06")

    index = client.get("/sitemap.xml").content.decode()
    sections = urls(client, "/sitemap-sections.xml")

    assert "/sitemap-newsletter.xml" in index
    assert f"{SITE}/newsletter/archive/" in sections
    assert f"{SITE}/th/newsletter/archive/" in sections


def test_an_issue_sent_shows_its_last_change_as_the_date(client):
    issue = sent_issue(slug="2026-07")

    xml = client.get("/sitemap-newsletter.xml").content.decode()

    assert f"<lastmod>{timezone.localdate(issue.updated_at):%Y-%m-%d}</lastmod>" in xml
