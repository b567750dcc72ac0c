"""The public archive (mailings/views.py): a sent issue's web version in each language, the
archive page and the newsletter page's latest issues. Only sent issues, only publications
public now, nothing about recipients; no cookie, no 500 for any path."""

from urllib.parse import quote

import pytest
from django.db import transaction
from django.urls import resolve, reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumasia import events
from forumasia.templatetags.html_dates import html_datetime
from mailings.models import Delivery, Issue
from mailings.urls import ISSUE_SLUGS_TAKEN
from mailings.views import NewsletterPageView
from newsletter.models import Subscriber
from newsletter.views import SubscribeView
from publications import services
from tests.factories import (
    IssueFactory,
    MailingListFactory,
    PublicationFactory,
    SubscriberFactory,
    publisher,
)
from tests.mailings.conftest import sent_issue

pytestmark = pytest.mark.django_db


# --- an issue's web version ---------------------------------------------------------------------


def test_a_sent_issue_shows_its_subject_date_introduction_and_items_in_order(client):
    first = PublicationFactory(title="Statement on civic space", standfirst="Defenders at risk")
    second = PublicationFactory(title="Open letter on detention", type="letter")
    issue = sent_issue(
        slug="2026-03",
        english__subject="March: defenders under pressure",
        english__introduction="<p>Dear friends, <strong>welcome</strong>.</p>",
        items=[second, first],
    )

    response = client.get("/newsletter/2026-03/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>March: defenders under pressure — FORUM-ASIA</title>" in html
    assert "<p>Dear friends, <strong>welcome</strong>.</p>" in html
    assert f'<time datetime="{html_datetime(issue.started_at)}">' in html
    assert html.index("Open letter on detention") < html.index("Statement on civic space")
    assert "Defenders at risk" in html
    assert f'href="{first.get_absolute_url()}"' in html
    assert response.context["publications"] == [second, first]


def test_the_date_sent_is_in_the_pages_language(client, thai_variant):
    issue = sent_issue(slug="2026-03")
    thai_variant(issue)
    month = timezone.localtime(issue.started_at).month

    english = client.get("/newsletter/2026-03/").content.decode()
    thai = client.get("/th/newsletter/2026-03/").content.decode()

    english_months = ["January", "February", "March", "April", "May", "June", "July"]
    english_months += ["August", "September", "October", "November", "December"]
    thai_months = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม"]
    thai_months += ["สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
    assert english_months[month - 1] in english
    assert thai_months[month - 1] in thai


@pytest.mark.parametrize(
    ("prefix", "subject", "language"),
    [
        ("", "FORUM-ASIA monthly: human rights in Asia", "en"),
        ("/th", "จดหมายข่าวรายเดือน", "th"),
        # No Indonesian variant: the English one, marked as English on the Indonesian page.
        ("/id", "FORUM-ASIA monthly: human rights in Asia", "en"),
    ],
)
def test_each_language_shows_its_variant_else_english(
    client, thai_variant, prefix, subject, language
):
    issue = sent_issue(slug="2026-04", items=[PublicationFactory(title="The item")])
    thai_variant(issue)

    response = client.get(f"{prefix}/newsletter/2026-04/")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["variant"].language == language
    assert f'<h1 lang="{language}">{subject}</h1>' in html
    assert "The item" in html
    assert f'<html lang="{prefix.strip("/") or "en"}">' in html


@pytest.mark.parametrize(
    "status",
    [
        Issue.Status.DRAFT,
        Issue.Status.SCHEDULED,
        Issue.Status.SENDING,
        Issue.Status.PAUSED,
        Issue.Status.CANCELLED,
    ],
)
@pytest.mark.parametrize("prefix", ["", "/th", "/id"])
def test_an_issue_not_sent_is_not_found(client, status, prefix):
    IssueFactory(slug="not-yet", status=status)

    assert client.get(f"{prefix}/newsletter/not-yet/").status_code == 404


def test_not_sent_is_not_found_for_staff_either(client):
    IssueFactory(slug="not-yet", status=Issue.Status.SENDING)
    client.force_login(publisher())

    assert client.get("/newsletter/not-yet/").status_code == 404


def test_a_publication_unpublished_since_the_issue_was_sent_is_left_out(
    client, django_capture_on_commit_callbacks
):
    kept = PublicationFactory(title="Still public")
    withdrawn = PublicationFactory(title="Withdrawn statement")
    sent_issue(slug="2026-05", items=[withdrawn, kept])
    assert "Withdrawn statement" in client.get("/newsletter/2026-05/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the takedown's event
        services.unpublish(publications=[withdrawn], user=publisher())
    html = client.get("/newsletter/2026-05/").content.decode()

    assert "Withdrawn statement" not in html
    assert "Still public" in html


def test_items_not_yet_public_are_left_out(client):
    sent_issue(
        slug="2026-06",
        items=[PublicationFactory(title="A draft", status="draft"), PublicationFactory()],
    )

    response = client.get("/newsletter/2026-06/")

    assert "A draft" not in response.content.decode()
    assert len(response.context["publications"]) == 1


def test_nothing_about_who_received_it_is_shown(client):
    secret_list = MailingListFactory(name="Confidential partners list")
    reader = SubscriberFactory(email="reader.at.risk@example.org", name="Somchai Reader")
    issue = sent_issue(slug="2026-07", lists=[secret_list], items=[PublicationFactory()])
    Issue.objects.filter(pk=issue.pk).update(recipient_count=12408)
    Delivery.objects.create(issue=issue, subscriber=reader, language="en", state="sent")

    pages = {
        path: client.get(path).content.decode()
        for path in ("/newsletter/2026-07/", "/th/newsletter/2026-07/", "/newsletter/archive/")
    }
    # The sign-up page offers the public lists to choose from, and names no recipient either.
    sign_up = client.get("/newsletter/").content.decode()

    for path, html in pages.items():
        for private in ("reader.at.risk", "Somchai", "Confidential partners", "12408", "12,408"):
            assert private not in html, path
    for private in ("reader.at.risk", "Somchai", "12408", "12,408"):
        assert private not in sign_up


def test_the_web_version_sets_no_cookie_and_loads_nothing_from_elsewhere(client):
    sent_issue(
        slug="2026-08",
        english__introduction='<p>Read <a href="https://example.org/report">the report</a>.</p>',
        items=[PublicationFactory()],
    )

    for path in ("/newsletter/2026-08/", "/newsletter/archive/"):
        response = client.get(path)
        html = response.content.decode()
        assert response.cookies == {}, path
        assert ' src="http' not in html and 'srcset="http' not in html, path
        assert 'rel="stylesheet" href="/' in html


def test_the_web_version_offers_its_feed_and_languages(client):
    sent_issue(slug="2026-09")

    html = client.get("/th/newsletter/2026-09/").content.decode()

    assert 'type="application/rss+xml"' in html and 'href="/feeds/newsletter/th/"' in html
    assert 'hreflang="id" href="http://127.0.0.1:8000/id/newsletter/2026-09/"' in html


# --- the archive page and the newsletter page -----------------------------------------------------


def test_the_archive_lists_sent_issues_newest_first_and_nothing_else(client, thai_variant):
    older = sent_issue(slug="2026-01", days_ago=60, english__subject="January issue")
    newer = sent_issue(slug="2026-02", days_ago=30, english__subject="February issue")
    thai_variant(newer, subject="ฉบับเดือนกุมภาพันธ์")
    IssueFactory(slug="draft", english__subject="A draft issue")
    IssueFactory(slug="sending", status=Issue.Status.SENDING, english__subject="Going out now")

    english = client.get("/newsletter/archive/")
    thai = client.get("/th/newsletter/archive/").content.decode()

    html = english.content.decode()
    assert [issue for issue, _variant in english.context["entries"]] == [newer, older]
    assert html.index("February issue") < html.index("January issue")
    assert "A draft issue" not in html and "Going out now" not in html
    assert 'href="/th/newsletter/2026-02/" lang="th">ฉบับเดือนกุมภาพันธ์</a>' in thai
    assert 'href="/th/newsletter/2026-01/" lang="en">January issue</a>' in thai


def test_the_newsletter_page_is_still_the_sign_up_page_with_the_latest_issues(client):
    for number in range(13):
        sent_issue(slug=f"issue-{number}", days_ago=13 - number, english__subject=f"Issue {number}")
    IssueFactory(slug="draft", english__subject="A draft issue")

    response = client.get(reverse("newsletter:subscribe"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="email"' in html and "csrfmiddlewaretoken" in html
    assert "Issue 12" in html and "Issue 1<" in html
    assert "Issue 0<" not in html  # the thirteenth: on the archive page
    assert html.index("Issue 12") < html.index("Issue 1<")
    assert "A draft issue" not in html
    assert f'href="{reverse("mailings:archive")}"' in html


def test_the_newsletter_page_without_sent_issues_has_no_archive_section(client):
    IssueFactory(slug="draft")

    html = client.get("/newsletter/").content.decode()

    assert "nl-archive" not in html
    assert "/newsletter/archive/" not in html


def test_the_newsletter_page_lists_an_issue_as_soon_as_it_is_sent(client):
    issue = IssueFactory(slug="2026-10", english__subject="October issue")
    assert "October issue" not in client.get("/newsletter/").content.decode()

    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)

    assert "October issue" in client.get("/newsletter/").content.decode()


def test_cached_archive_pages_show_a_newly_sent_issue_once_its_sending_is_announced(
    client, django_capture_on_commit_callbacks
):
    """The archive page, feeds and sitemap are cached like every public page: the send's
    `content_changed` event (forumasia/events.py) makes the next request render them again."""
    issue = IssueFactory(slug="2026-11", english__subject="November issue")
    for path in ("/newsletter/archive/", "/feeds/newsletter/", "/sitemap-newsletter.xml"):
        assert "2026-11" not in client.get(path).content.decode()
        assert client.get(path).page_cache == "hit"

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
        events.changed(issue)

    for path in ("/newsletter/archive/", "/feeds/newsletter/", "/sitemap-newsletter.xml"):
        assert "2026-11" in client.get(path).content.decode(), path


def test_the_newsletter_pages_form_still_subscribes_and_shows_errors_with_the_archive(client):
    MailingListFactory(slug="monthly", is_default=True)
    sent_issue(slug="2026-12", english__subject="December issue")

    refused = client.post("/newsletter/", {"email": "not an address"})
    accepted = client.post(
        "/th/newsletter/",
        {"email": "new.reader@example.org", "lists": [], "consent": "on"},
    )

    assert refused.status_code == 400
    assert "December issue" in refused.content.decode()
    assert accepted.status_code == 200
    assert Subscriber.objects.filter(email="new.reader@example.org").exists()


def test_both_names_of_the_newsletter_page_lead_to_it(client):
    assert reverse("newsletter:subscribe") == reverse("mailings:newsletter") == "/newsletter/"
    with translation.override("th"):
        view = resolve("/th/newsletter/").func.view_class

    assert view is NewsletterPageView and issubclass(view, SubscribeView)


@pytest.mark.parametrize("slug", sorted(ISSUE_SLUGS_TAKEN))
def test_an_issue_never_hides_the_newsletters_own_addresses(client, slug):
    sent_issue(slug=slug, english__subject="Hidden issue")

    response = client.get(f"/newsletter/{slug}/")

    assert response.resolver_match.view_name != "mailings:issue"
    assert '<h1 lang="en">Hidden issue</h1>' not in response.content.decode()


def test_the_newsletters_own_addresses_answer_as_before(client):
    assert resolve("/newsletter/start/").view_name == "newsletter:start"
    with translation.override("th"):
        assert resolve("/th/newsletter/confirm/abc/").view_name == "newsletter:confirm"
    assert resolve("/newsletter/manage/abc/").view_name == "newsletter:manage"
    assert resolve("/newsletter/unsubscribe/abc/").view_name == "newsletter:unsubscribe"
    page = client.post("/newsletter/start/", {"email": "someone@example.org"})
    assert page.status_code == 200 and "someone@example.org" in page.content.decode()


# --- hostile requests -------------------------------------------------------------------------


path_parts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="\x00\x01\x0b\x7f\ud800<>\"'%/.\\ ", min_size=1, max_size=8),
    st.sampled_from(["2026-03", "archive", "start", "..", "%00", "x" * 3000, '"><x-h>']),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    prefix=st.sampled_from(["", "/th", "/id"]),
    part=path_parts,
    query=st.one_of(st.text(max_size=30), st.just("page=<x-h>&slug=%22%3E%3Cx-h%3E")),
)
def test_hostile_slugs_and_query_strings_get_a_page_or_a_404_never_a_500(
    client, prefix, part, query
):
    if not Issue.objects.filter(slug="2026-03").exists():
        sent_issue(slug="2026-03", items=[PublicationFactory()])
    raw = quote(part.encode("utf-8", "surrogatepass"), safe="")
    for path in (f"{prefix}/newsletter/{raw}/", f"{prefix}/newsletter/2026-03/"):
        with transaction.atomic():
            response = client.get(f"{path}?{quote(query.encode('utf-8', 'surrogatepass'))}")
        assert response.status_code in (200, 404, 405), path
        assert b"<x-h" not in response.content, path  # nothing echoed as markup


# --- query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("items", [1, 12])
def test_the_issue_page_makes_the_same_few_queries_whatever_its_size(
    client, django_assert_max_num_queries, items
):
    publications = [PublicationFactory() for _ in range(items)]
    sent_issue(slug="budget", items=publications)

    with django_assert_max_num_queries(4):
        response = client.get("/th/newsletter/budget/")

    assert len(response.context["publications"]) == items


@pytest.mark.parametrize("issues", [1, 15])
def test_the_newsletter_and_archive_pages_make_the_same_few_queries_whatever_the_archive(
    client, django_assert_max_num_queries, issues
):
    MailingListFactory()
    for number in range(issues):
        sent_issue(slug=f"issue-{number}", days_ago=number)

    with django_assert_max_num_queries(5):
        assert client.get("/newsletter/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/newsletter/archive/").status_code == 200
