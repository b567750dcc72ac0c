"""The newsletter's feeds (mailings/feeds.py): sent issues only, in the feed's language."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from mailings.models import Issue
from tests.factories import IssueFactory
from tests.mailings.conftest import sent_issue

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own response
    return channel, [
        {field: item.findtext(field) for field in ("title", "link", "description", "guid")}
        for item in channel.iter("item")
    ]


def test_the_feed_lists_only_sent_issues_newest_first(client):
    sent_issue(slug="2026-01", days_ago=40, english__subject="January issue")
    sent_issue(
        slug="2026-02", days_ago=10, english__subject="February issue", english__preheader="<b>x"
    )
    for status in ("draft", "scheduled", "sending", "paused", "cancelled"):
        IssueFactory(slug=status, status=status, english__subject=f"Issue {status}")

    channel, items = rss_items(client, "/feeds/newsletter/")

    assert [item["title"] for item in items] == ["February issue", "January issue"]
    assert items[0] == {
        "title": "February issue",
        "link": "http://127.0.0.1:8000/newsletter/2026-02/",
        "description": "&lt;b&gt;x",  # plain text, escaped for readers that show HTML
        "guid": "http://127.0.0.1:8000/newsletter/2026-02/",
    }
    assert channel.findtext("link") == "http://127.0.0.1:8000/newsletter/archive/"


def test_each_language_has_its_feed_with_its_variant_else_english(client):
    issue = sent_issue(slug="2026-03", english__subject="March issue")
    issue.variants.create(language="th", subject="ฉบับเดือนมีนาคม", preheader="สรุปประจำเดือน")

    _channel, thai = rss_items(client, "/feeds/newsletter/th/")
    _channel, indonesian = rss_items(client, "/feeds/newsletter/id/")

    assert thai[0]["title"] == "ฉบับเดือนมีนาคม"
    assert thai[0]["description"] == "สรุปประจำเดือน"
    assert thai[0]["link"] == "http://127.0.0.1:8000/th/newsletter/2026-03/"
    assert indonesian[0]["title"] == "March issue"
    assert indonesian[0]["link"] == "http://127.0.0.1:8000/id/newsletter/2026-03/"


def test_the_atom_feed_carries_the_preheader_as_text(client):
    sent_issue(slug="2026-04", english__subject="April issue", english__preheader="A & B")

    response = client.get("/feeds/newsletter/th/atom/")

    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    entry = root.find(f"{ATOM}entry")
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "th"
    assert entry.findtext(f"{ATOM}title") == "April issue"
    assert entry.find(f"{ATOM}summary").get("type") == "text"
    assert entry.findtext(f"{ATOM}summary") == "A & B"
    assert entry.find(f"{ATOM}link").get("href") == "http://127.0.0.1:8000/th/newsletter/2026-04/"


def test_an_empty_archive_is_an_empty_feed_not_an_error(client):
    IssueFactory(slug="draft")

    _channel, items = rss_items(client, "/feeds/newsletter/")

    assert items == []


def test_feed_addresses_put_the_language_where_pages_do(client):
    assert reverse("newsletter-rss", kwargs={"language": "en"}) == "/feeds/newsletter/"
    assert reverse("newsletter-atom", kwargs={"language": "th"}) == "/feeds/newsletter/th/atom/"
    assert client.get("/feeds/newsletter/en/").status_code == 404  # English has no prefix
    assert client.get("/feeds/newsletter/xx/").status_code == 404
    with translation.override("th"):
        assert reverse("newsletter-rss", kwargs={"language": "id"}) == "/feeds/newsletter/id/"


def test_the_feed_makes_the_same_few_queries_whatever_the_archive(
    client, django_assert_max_num_queries
):
    for number in range(12):
        sent_issue(slug=f"issue-{number}", days_ago=number)

    # The issues, their variants, and the Site (feeds build absolute addresses from it).
    with django_assert_max_num_queries(3):
        _channel, items = rss_items(client, "/feeds/newsletter/th/")

    assert len(items) == 12
    assert Issue.objects.sent().count() == 12
