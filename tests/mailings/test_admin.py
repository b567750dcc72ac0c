"""The newsletter issue's admin: compose, check (preview, test send), confirm and send, with the
send permission checked on the server for every view that mails or changes sending."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mailings import sending
from mailings.admin import IssueAdmin
from mailings.messages import MAX_HTML_BYTES
from mailings.models import Delivery, Issue, IssueItem
from mailings.selectors import issue_counts
from mailings.services import current_month, month_bounds
from newsletter.models import Subscriber, Subscription
from tests.factories import (
    IssueFactory,
    MailingListFactory,
    PublicationFactory,
    StaffUserFactory,
    SubscriberFactory,
    SuperUserFactory,
    SuppressionFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:mailings_issue_changelist")


def url(name, issue=None):
    return reverse(f"admin:mailings_issue_{name}", args=[issue.pk] if issue else [])


def page_text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def staff_with(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="mailings", codename__in=codenames)
    )
    return user


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def admin_client():
    return client_for(SuperUserFactory())


@pytest.fixture
def issue():
    return IssueFactory(
        lists=[MailingListFactory(slug="e-newsletter")], items=[PublicationFactory()]
    )


def deliveries(issue, *, sent=0, failed=0, bounced=0, complained=0):
    sent_at = timezone.now() - timedelta(hours=1)
    rows = [
        *(("sent", sent_at),) * sent,
        *(("failed", None),) * failed,
        *(("bounced", sent_at),) * bounced,
        *(("complained", sent_at),) * complained,
    ]
    for state, at in rows:
        Delivery.objects.create(
            issue=issue, subscriber=SubscriberFactory(), language="en", state=state, sent_at=at
        )


def started(issue, status="sending"):
    Issue.objects.filter(pk=issue.pk).update(
        status=status, started_at=timezone.now(), recipient_count=1500
    )
    issue.refresh_from_db()
    return issue


# --- the list and the counts ---------------------------------------------------------------


def test_the_list_shows_each_issues_counts_in_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    first = started(IssueFactory(lists=[MailingListFactory()]))
    deliveries(first, sent=3, failed=1, bounced=1, complained=1)
    admin_client.get(CHANGELIST)  # warm caches (content types, permissions)

    with django_assert_max_num_queries(12) as one:
        response = admin_client.get(CHANGELIST)
    for _ in range(5):
        deliveries(started(IssueFactory(lists=[MailingListFactory()])), sent=2, complained=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        many = admin_client.get(CHANGELIST)

    after_recipients = page_text(response).split("1,500", 1)[1]
    # Sent (bounced and complained ones were sent too), failed, bounced, complained, unsubscribed.
    assert after_recipients.split()[:5] == ["5", "1", "1", "1", "0"]
    assert "20.00%" in page_text(response)
    assert many.content.decode().count('class="complaint-rate complaint-over"') == 6


def test_unsubscribed_counts_only_those_who_left_after_the_issue_reached_them():
    issue = started(IssueFactory())
    deliveries(issue, sent=3)
    stayed, left_after, left_before = (d.subscriber for d in issue.deliveries.all())
    sent_at = issue.deliveries.first().sent_at
    Subscriber.objects.filter(pk=left_after.pk).update(unsubscribed_at=sent_at + timedelta(1))
    Subscriber.objects.filter(pk=left_before.pk).update(unsubscribed_at=sent_at - timedelta(1))

    counts = issue_counts(issue)
    assert (counts.sent, counts.unsubscribed) == (3, 1)


def test_a_started_issue_is_read_only_with_its_counts_and_coloured_complaint_rate(admin_client):
    issue = started(IssueFactory())
    deliveries(issue, sent=999, complained=1)  # 1 in 1,000: 0.10%, at the goal

    response = admin_client.get(url("change", issue))

    text = page_text(response)
    assert response.status_code == 200
    assert 'name="slug"' not in response.content.decode()
    assert 'name="_save"' not in response.content.decode()
    assert "Sent 1,000 Failed 0 Bounced 0 Complained 1" in text
    assert "goal: under 0.10%; limit: 0.30%" in text
    assert 'class="complaint-rate complaint-warning">0.10%' in response.content.decode()


# --- the send permission, CSRF ---------------------------------------------------------------

SEND_VIEWS = {"send", "test_send", "pause", "resume", "cancel"}


def own_views():
    """The names of every view the issue admin adds to Django's own (walked from get_urls)."""
    from django.contrib import admin

    patterns = IssueAdmin(Issue, admin.site).get_urls()
    names = {p.name.removeprefix("mailings_issue_") for p in patterns if p.name}
    return names - {"changelist", "add", "history", "delete", "change"}


def test_every_view_the_admin_adds_is_known_to_these_tests():
    assert own_views() == SEND_VIEWS | {
        "draft",
        "fill",
        "preview",
        "preview_html",
        "publication_autocomplete",
    }


@pytest.mark.parametrize("name", sorted(SEND_VIEWS))
def test_staff_without_the_send_permission_are_refused_every_sending_view(issue, name):
    composer = client_for(staff_with("view_issue", "add_issue", "change_issue", "delete_issue"))

    assert composer.get(url(name, issue)).status_code in (403, 405)
    assert (
        composer.post(url(name, issue), {"when": "now", "addresses": "a@example.org"}).status_code
        == 403
    )
    issue.refresh_from_db()
    assert issue.status == "draft"
    assert mail.outbox == []


@pytest.mark.parametrize(
    "name", sorted(own_views() - {"preview", "preview_html", "publication_autocomplete"})
)
def test_every_post_view_refuses_staff_who_may_only_look(issue, name):
    viewer = client_for(staff_with("view_issue"))
    target = url(name) if name == "draft" else url(name, issue)

    response = viewer.post(
        target, {"when": "now", "month": "2026-12", "addresses": "a@example.org"}
    )

    assert response.status_code == 403
    assert Issue.objects.get().status == "draft"
    assert mail.outbox == []


def test_staff_without_the_send_permission_see_no_sending_buttons(issue):
    composer = client_for(staff_with("view_issue", "change_issue"))

    html = composer.get(url("change", issue)).content.decode()

    assert url("preview", issue) in html
    assert url("send", issue) not in html
    assert url("test_send", issue) not in html


def test_communications_staff_compose_preview_and_reach_the_send_confirmation(issue):
    from django.contrib.auth.models import Group

    user = StaffUserFactory()
    user.groups.add(Group.objects.get(name="Communications staff"))
    staff = client_for(user)
    SubscriberFactory(lists=list(issue.mailing_lists.all()))

    assert staff.get(url("add")).status_code == 200
    assert staff.get(url("preview", issue)).status_code == 200
    confirmation = staff.get(url("send", issue))
    assert confirmation.status_code == 200
    assert "Send to 1 subscriber" in page_text(confirmation)


def test_sending_needs_the_csrf_token():
    user = SuperUserFactory()
    issue = IssueFactory(lists=[MailingListFactory()])
    SubscriberFactory(lists=list(issue.mailing_lists.all()))
    client = client_for(user, enforce_csrf_checks=True)

    assert client.post(url("send", issue), {"when": "now"}).status_code == 403
    assert Issue.objects.get().status == "draft"


def test_the_action_views_answer_a_post_only(admin_client, issue):
    for name in ("draft", "fill", "pause", "resume", "cancel"):
        target = url(name) if name == "draft" else url(name, issue)
        assert admin_client.get(target).status_code == 405


# --- the confirmation and sending ------------------------------------------------------------


def many_subscribers(mailing_list, count):
    now = timezone.now()
    made = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"many{mailing_list.pk}-{n}@example.org",
            status="confirmed",
            consented_at=now,
            confirmed_at=now,
        )
        for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, mailing_list=mailing_list, subscribed_at=now) for s in made
    )


def test_the_confirmation_names_the_audience_with_thousands_separators(admin_client):
    monthly, members = MailingListFactory(slug="monthly"), MailingListFactory(slug="members")
    many_subscribers(monthly, 1200)
    both = SubscriberFactory(lists=[monthly, members])  # once, though on both lists
    SubscriberFactory(lists=[members])
    SubscriberFactory(lists=[members], status="pending")
    SuppressionFactory(email=SubscriberFactory(lists=[members]).email)
    issue = IssueFactory(lists=[monthly, members])
    assert both

    response = admin_client.get(url("send", issue))

    text = page_text(response)
    assert "Send to 1,202 subscribers of 2 lists" in text
    assert "Send now to 1,202 subscribers" in text
    assert "Asia/Bangkok time (UTC+7)" in text
    assert Issue.objects.get().status == "draft"


def test_a_double_post_sends_once(admin_client):
    issue = IssueFactory(lists=[MailingListFactory()])
    SubscriberFactory(lists=list(issue.mailing_lists.all()))

    first = admin_client.post(url("send", issue), {"when": "now"}, follow=True)
    second = admin_client.post(url("send", issue), {"when": "now"}, follow=True)

    issue.refresh_from_db()
    assert issue.status in ("sending", "sent")
    assert issue.recipient_count == 1
    assert "Sending to 1 subscriber has started." in page_text(first)
    assert "already sending" in page_text(second) or "already sent" in page_text(second)
    assert sending.start(issue) is False


def test_an_issue_is_scheduled_in_bangkok_time(admin_client):
    issue = IssueFactory(lists=[MailingListFactory()])
    SubscriberFactory(lists=list(issue.mailing_lists.all()))
    later = timezone.localtime() + timedelta(days=3)
    typed = later.strftime("%Y-%m-%dT09:00")

    admin_client.post(url("send", issue), {"when": "schedule", "send_at": typed})

    issue.refresh_from_db()
    assert issue.status == "scheduled"
    assert issue.send_at == datetime(later.year, later.month, later.day, 2, 0, tzinfo=UTC)


def test_a_time_in_the_past_is_refused(admin_client):
    issue = IssueFactory(lists=[MailingListFactory()])
    SubscriberFactory(lists=list(issue.mailing_lists.all()))

    response = admin_client.post(
        url("send", issue), {"when": "schedule", "send_at": "2020-01-01T09:00"}
    )

    assert "Choose a time in the future" in page_text(response)
    assert Issue.objects.get().status == "draft"


def test_an_issue_with_nobody_to_send_to_offers_no_send_button(admin_client):
    issue = IssueFactory(lists=[MailingListFactory()])

    response = admin_client.get(url("send", issue))
    admin_client.post(url("send", issue), {"when": "now"})

    assert "Nobody would receive it" in page_text(response)
    assert 'value="now"' not in response.content.decode()
    assert Issue.objects.get().status == "draft"


def test_pause_resume_and_cancel(admin_client, issue):
    started(issue)

    admin_client.post(url("pause", issue))
    assert Issue.objects.get().status == "paused"
    admin_client.post(url("cancel", issue))
    assert Issue.objects.get().status == "cancelled"
    response = admin_client.post(url("resume", issue), follow=True)
    assert "Only a paused issue can be resumed." in page_text(response)


def test_a_resumed_issue_sends_the_rest(admin_client, issue):
    # The tests' task backend runs a task at once: resuming sends to whoever is still owed.
    SubscriberFactory(lists=list(issue.mailing_lists.all()))
    started(issue, status="paused")

    admin_client.post(url("resume", issue))

    assert Issue.objects.get().status == "sent"
    assert len(mail.outbox) == 1


# --- preview and test send -------------------------------------------------------------------


def too_large(issue):
    issue.variants.update(introduction="<p>" + "Solidarity. " * (MAX_HTML_BYTES // 10) + "</p>")
    return issue


def test_the_preview_frames_the_email_at_phone_and_desktop_widths_with_its_text(
    admin_client, issue
):
    response = admin_client.get(url("preview", issue))

    html = response.content.decode()
    assert 'width="390"' in html and 'width="1280"' in html
    assert html.count('sandbox=""') == 2
    assert issue.items.get().publication.title in page_text(response)  # the text version
    assert "%%" not in html  # its links filled in, as a subscriber gets them


def test_the_emails_html_is_sandboxed_and_only_framed_by_the_admin(admin_client, issue):
    response = admin_client.get(url("preview_html", issue) + "?language=en")

    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("sandbox; default-src 'none';")
    assert "script-src" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert issue.items.get().publication.title in response.content.decode()


def test_the_preview_and_the_send_page_name_the_size_of_a_too_large_email(admin_client, issue):
    too_large(issue)
    SubscriberFactory(lists=list(issue.mailing_lists.all()))

    preview = page_text(admin_client.get(url("preview", issue)))
    confirmation = admin_client.get(url("send", issue))
    admin_client.post(url("send", issue), {"when": "now"})

    assert re.search(r"The en email is 1\d\d\.\d KB; it must be at most 100 KB", preview)
    assert "it must be at most 100 KB" in page_text(confirmation)
    assert 'value="now"' not in confirmation.content.decode()
    assert Issue.objects.get().status == "draft"


def test_a_test_send_goes_to_the_typed_addresses(admin_client, issue):
    response = admin_client.post(
        url("test_send", issue),
        {
            "addresses": "Somsri@Example.org, editor@example.org\nsomsri@example.org",
            "language": "en",
        },
        follow=True,
    )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "editor@example.org",
        "somsri@example.org",
    ]
    assert "Sent 2 test messages to somsri@example.org, editor@example.org." in page_text(response)
    assert all(m.extra_headers["List-Unsubscribe-Post"] for m in mail.outbox)
    assert Issue.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("not-an-address", "Not an email address: not-an-address."),
        (" ".join(f"a{n}@example.org" for n in range(11)), "At most 10 addresses (11 typed)."),
        ("", "This field is required."),
    ],
)
def test_a_test_send_refuses_bad_addresses(admin_client, issue, typed, error):
    response = admin_client.post(url("test_send", issue), {"addresses": typed})

    assert error in page_text(response)
    assert mail.outbox == []


# --- composing -------------------------------------------------------------------------------


def this_months_first_second():
    """Public now and in the Secretariat's current month, at whatever hour the suite runs."""
    return month_bounds(current_month())[0] + timedelta(seconds=1)


def test_drafting_this_months_issue_fills_it_and_opens_it(admin_client):
    MailingListFactory(slug="e-newsletter", is_default=True)
    PublicationFactory(publish_at=this_months_first_second())

    response = admin_client.post(url("draft"))

    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("change", issue)
    assert issue.items.count() == 1
    assert issue.created_by is not None


def test_filling_adds_the_months_publications(admin_client):
    issue = IssueFactory()
    publication = PublicationFactory(publish_at=this_months_first_second())

    admin_client.post(url("fill", issue), {"month": f"{current_month():%Y-%m}"})

    assert [item.publication for item in issue.items.all()] == [publication]


def test_the_publication_chooser_offers_public_publications_only(admin_client):
    public = PublicationFactory(title="Public statement on Myanmar")
    PublicationFactory(title="Draft statement on Myanmar", status="draft")
    PublicationFactory(
        title="Scheduled statement on Myanmar", publish_at=timezone.now() + timedelta(days=2)
    )

    response = admin_client.get(
        url("publication_autocomplete"),
        {
            "app_label": "mailings",
            "model_name": "issueitem",
            "field_name": "publication",
            "term": "Myanmar",
        },
    )

    assert [row["id"] for row in response.json()["results"]] == [str(public.pk)]


def issue_form(issue, items, **changes):
    data = {
        "slug": issue.slug,
        "mailing_lists": [m.pk for m in issue.mailing_lists.all()],
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-0-id": issue.variants.get().pk,
        "variants-0-issue": issue.pk,
        "variants-0-language": "en",
        "variants-0-subject": "December",
        "variants-0-preheader": "",
        "variants-0-introduction": "<p>Dear friends</p><script>alert(1)</script>",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
    }
    for number, (item, position) in enumerate(items):
        data.update(
            {
                f"items-{number}-id": item.pk,
                f"items-{number}-issue": issue.pk,
                f"items-{number}-publication": item.publication_id,
                f"items-{number}-position": position,
            }
        )
    data.update(changes)
    return data


def test_typed_positions_reorder_the_items_and_the_introduction_is_sanitised(admin_client):
    first, second = PublicationFactory(), PublicationFactory()
    issue = IssueFactory(lists=[MailingListFactory()], items=[first, second])
    one, two = issue.items.all()

    response = admin_client.post(url("change", issue), issue_form(issue, [(one, 2), (two, 1)]))

    assert response.status_code == 302
    assert [item.publication for item in issue.items.all()] == [second, first]
    assert "<script>" not in issue.variants.get().introduction


def test_a_publication_that_is_not_public_cannot_be_added(admin_client):
    draft = PublicationFactory(status="draft")
    issue = IssueFactory(lists=[MailingListFactory()], items=[PublicationFactory()])
    (item,) = issue.items.all()
    data = issue_form(issue, [(item, 1)])
    data.update(
        {
            "items-TOTAL_FORMS": "2",
            "items-1-issue": issue.pk,
            "items-1-publication": draft.pk,
            "items-1-position": "2",
        }
    )

    response = admin_client.post(url("change", issue), data)

    assert response.status_code == 200
    assert "Select a valid choice" in page_text(response)
    assert IssueItem.objects.count() == 1


def test_an_issue_needs_its_english_version(admin_client, issue):
    data = issue_form(issue, [], **{"variants-0-language": "th", "items-TOTAL_FORMS": "0"})
    data["items-INITIAL_FORMS"] = "0"

    response = admin_client.post(url("change", issue), data)

    assert "An issue needs its English version" in page_text(response)


@pytest.mark.parametrize("slug", ["archive", "confirm", "manage", "unsubscribe", "start"])
def test_an_issue_cannot_take_the_address_of_another_newsletter_page(admin_client, issue, slug):
    data = issue_form(issue, [], slug=slug, **{"items-TOTAL_FORMS": "0"})
    data["items-INITIAL_FORMS"] = "0"

    response = admin_client.post(url("change", issue), data)

    assert "is the address of another newsletter page" in page_text(response)
    assert Issue.objects.get().slug == issue.slug
