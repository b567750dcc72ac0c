"""Bounces and complaints come back (mailings/bounces.py): end to end through Postmark's real
webhook payloads posted to the real anymail URL with its basic-auth secret, and from the
reports a bounce mailbox receives (Postfix's delivery status notifications, an ARF complaint)
with their signed VERP addresses. A hard bounce suppresses the address, a complaint
unsubscribes it at once, and the next issue's audience leaves both out; a soft bounce, a
stranger, a forged VERP address or a post without the secret changes nothing; no address is
ever logged."""

import base64
import json
import logging

import pytest
from anymail.signals import AnymailTrackingEvent
from django.urls import reverse

from mailings import bounces
from mailings.bounces import Kind, Outcome
from mailings.models import Delivery
from newsletter.models import Subscriber, Suppression
from newsletter.suppressions import is_suppressed
from tests.factories import IssueFactory, MailingListFactory, SubscriberFactory
from tests.mailings.bounce_reports import BOUNCE_ADDRESS, report

pytestmark = pytest.mark.django_db

SECRET = "postmark:Zt8vQm2LxR4pWc7N"
ADDRESS = "somchai.k@example.org"


@pytest.fixture(autouse=True)
def configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.NEWSLETTER_BOUNCE_ADDRESS = BOUNCE_ADDRESS


@pytest.fixture
def monthly():
    return MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter")


@pytest.fixture
def somchai(monthly):
    return SubscriberFactory(email=ADDRESS, lists=[monthly])


@pytest.fixture
def delivery(somchai, monthly):
    issue = IssueFactory(lists=[monthly])
    return Delivery.objects.create(
        issue=issue, subscriber=somchai, language="en", state=Delivery.State.SENT
    )


def audience(mailing_list):
    return set(Subscriber.objects.recipients([mailing_list.pk]).values_list("email", flat=True))


def basic_auth(secret=SECRET):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


POSTMARK_URL = "/anymail/postmark/tracking/"


def postmark_bounce(*, email=ADDRESS, delivery_id=None, type_="HardBounce", details=None):
    """A Postmark bounce webhook's body as Postmark documents it (Bounce webhook)."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": type_,
        "TypeCode": 1 if type_ == "HardBounce" else 4096,
        "Name": "Hard bounce" if type_ == "HardBounce" else "Soft bounce",
        "Tag": "newsletter",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"delivery": str(delivery_id)} if delivery_id else {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message "
        "(ex: unknown user, mailbox not found).",
        "Details": details or f"smtp;550 5.1.1 <{email}>: Recipient address rejected: User unknown",
        "Email": email,
        "From": "newsletter@forum-asia.example",
        "BouncedAt": "2025-06-03T02:14:07.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "FORUM-ASIA e-newsletter, May 2025",
    }


def postmark_complaint(*, email=ADDRESS, delivery_id=None):
    """Postmark's spam complaint webhook body."""
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "outbound",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "Tag": "newsletter",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {"delivery": str(delivery_id)} if delivery_id else {},
        "ServerID": 1234,
        "Description": "",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "newsletter@forum-asia.example",
        "BouncedAt": "2025-06-04T08:30:10.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": False,
        "Subject": "FORUM-ASIA e-newsletter, May 2025",
    }


def postmark_subscription_change(*, email=ADDRESS, reason="ManualSuppression"):
    """Postmark's subscription change webhook body (the recipient used List-Unsubscribe)."""
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 123456,
        "MessageStream": "outbound",
        "ChangedAt": "2025-06-04T10:53:34.416071Z",
        "Recipient": email,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": reason,
        "Tag": "newsletter",
        "Metadata": {},
    }


def post(client, body, **headers):
    return client.post(
        POSTMARK_URL, data=json.dumps(body), content_type="application/json", **headers
    )


# --- The email service's route, end to end ------------------------------------------------------


def test_the_webhook_address_is_anymails_own_outside_the_language_prefixes():
    assert reverse("anymail:tracking_webhook", args=["postmark"]) == POSTMARK_URL


def test_a_postmark_hard_bounce_suppresses_the_address_and_the_next_issue_leaves_it_out(
    client, monthly, somchai, delivery
):
    other = SubscriberFactory(email="mai.tran@example.org", lists=[monthly])

    response = post(client, postmark_bounce(delivery_id=delivery.pk), **basic_auth())

    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == (ADDRESS, Suppression.Reason.BOUNCE)
    assert ADDRESS not in suppression.detail and "5.1.1" in suppression.detail
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.BOUNCED
    assert audience(monthly) == {other.email}


def test_a_postmark_spam_complaint_unsubscribes_at_once_and_suppresses(
    client, monthly, somchai, delivery
):
    response = post(client, postmark_complaint(delivery_id=delivery.pk), **basic_auth())

    assert response.status_code == 200
    somchai.refresh_from_db()
    assert somchai.status == Subscriber.Status.UNSUBSCRIBED
    assert not somchai.subscriptions.active().exists()
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.COMPLAINED
    assert audience(monthly) == set()


def test_an_unsubscribe_at_the_email_service_unsubscribes_here(client, monthly, somchai):
    response = post(client, postmark_subscription_change(), **basic_auth())

    assert response.status_code == 200
    somchai.refresh_from_db()
    assert somchai.status == Subscriber.Status.UNSUBSCRIBED
    assert not Suppression.objects.exists()
    assert audience(monthly) == set()


@pytest.mark.parametrize(
    "headers",
    [{}, basic_auth("postmark:wrong"), basic_auth("someone:" + SECRET.partition(":")[2])],
    ids=["no secret", "wrong password", "wrong user"],
)
def test_a_post_without_the_secret_changes_nothing(client, monthly, somchai, delivery, headers):
    for body in (postmark_bounce(delivery_id=delivery.pk), postmark_complaint()):
        assert post(client, body, **headers).status_code == 400

    somchai.refresh_from_db()
    delivery.refresh_from_db()
    assert somchai.status == Subscriber.Status.CONFIRMED
    assert delivery.state == Delivery.State.SENT
    assert not Suppression.objects.exists()
    assert audience(monthly) == {ADDRESS}


def test_without_a_configured_secret_the_webhooks_are_not_there(settings, client, somchai):
    settings.ANYMAIL = {}

    for secret in (SECRET, ":"):
        response = post(client, postmark_complaint(), **basic_auth(secret))
        assert response.status_code == 404

    somchai.refresh_from_db()
    assert somchai.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("service", ["nosuchservice", "mailgun", "mandrill"])
def test_a_service_anymail_lacks_or_the_site_has_not_set_up_is_a_404(client, service):
    # Mailgun's view needs its signing key (ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY) even to start;
    # Mandrill's combined inbound webhook is not routed.
    response = client.post(
        f"/anymail/{service}/tracking/", data="{}", content_type="application/json", **basic_auth()
    )

    assert response.status_code == 404


def test_the_webhook_refuses_a_get_and_sets_no_cookie(client):
    response = client.get(POSTMARK_URL, **basic_auth())

    assert response.status_code == 405
    assert not response.cookies


def test_a_soft_bounce_is_only_logged(client, monthly, somchai, delivery):
    body = postmark_bounce(
        delivery_id=delivery.pk, type_="SoftBounce", details="smtp;452 4.2.2 Mailbox full"
    )

    assert post(client, body, **basic_auth()).status_code == 200

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert not Suppression.objects.exists()
    assert audience(monthly) == {ADDRESS}


def test_an_event_about_a_stranger_is_ignored_safely(client, somchai):
    for body in (postmark_bounce(email="stranger@example.net"), postmark_complaint(email="")):
        assert post(client, body, **basic_auth()).status_code == 200

    assert not Suppression.objects.exists()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_metadata_naming_another_subscribers_delivery_leaves_that_delivery_alone(
    client, monthly, somchai, delivery
):
    other = SubscriberFactory(email="mai.tran@example.org", lists=[monthly])

    post(client, postmark_bounce(email=other.email, delivery_id=delivery.pk), **basic_auth())

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert is_suppressed(other.email) and not is_suppressed(ADDRESS)


def test_no_address_is_ever_logged(client, caplog, monthly, somchai, delivery):
    caplog.set_level(logging.DEBUG)

    post(client, postmark_bounce(delivery_id=delivery.pk, type_="SoftBounce"), **basic_auth())
    post(client, postmark_bounce(delivery_id=delivery.pk), **basic_auth())
    post(client, postmark_complaint(), **basic_auth())
    post(client, postmark_bounce(email="stranger@example.net"), **basic_auth())
    post(client, postmark_complaint(), **basic_auth("postmark:wrong"))
    bounces.act_on_report(report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS))

    assert caplog.records
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "@" not in logged


# --- How anymail's normalised events are read ---------------------------------------------------


def event(event_type, reject_reason=None, mta_response=None, esp_event=None):
    return AnymailTrackingEvent(
        event_type=event_type,
        reject_reason=reject_reason,
        mta_response=mta_response,
        esp_event=esp_event or {},
        recipient=ADDRESS,
    )


@pytest.mark.parametrize(
    ("tracking_event", "kind"),
    [
        (event("bounced", "bounced", "smtp; 550 5.1.1 User unknown"), Kind.HARD_BOUNCE),
        (event("bounced", "bounced"), Kind.HARD_BOUNCE),
        (event("bounced", "bounced", "452 4.2.2 Mailbox full"), Kind.SOFT_BOUNCE),
        (event("bounced", "bounced", "421 Try again later"), Kind.SOFT_BOUNCE),
        (event("bounced", "bounced", esp_event={"Type": "SoftBounce"}), Kind.SOFT_BOUNCE),
        (event("deferred"), Kind.SOFT_BOUNCE),
        (event("rejected", "invalid"), Kind.HARD_BOUNCE),
        (event("rejected", "bounced"), Kind.HARD_BOUNCE),
        (event("rejected", "blocked"), Kind.SOFT_BOUNCE),
        (event("rejected", "spam"), Kind.COMPLAINT),
        (event("rejected", "unsubscribed"), Kind.UNSUBSCRIBE),
        (event("complained", "spam"), Kind.COMPLAINT),
        (event("unsubscribed"), Kind.UNSUBSCRIBE),
        (event("delivered"), None),
        (event("opened"), None),
    ],
)
def test_anymail_events_are_read_as_hard_or_soft_bounces_complaints_or_unsubscribes(
    tracking_event, kind
):
    assert bounces.kind_of_event(tracking_event) == kind


def test_what_a_mail_server_said_is_kept_without_addresses():
    said = "550 5.1.1 <someone.else@example.org>: Recipient address rejected (a@b.example)"

    assert bounces.without_addresses(said) == (
        "550 5.1.1 <[address]>: Recipient address rejected ([address])"
    )


# --- The bounce mailbox's reports ---------------------------------------------------------------


@pytest.mark.parametrize("crlf", [True, False], ids=["as IMAP gives it", "as a Maildir keeps it"])
def test_a_postfix_hard_bounce_suppresses_the_address_of_the_delivery_its_verp_names(
    monthly, somchai, delivery, crlf
):
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS, crlf=crlf)

    assert bounces.read_report(raw).kind == Kind.HARD_BOUNCE
    assert bounces.act_on_report(raw) == Outcome.SUPPRESSED
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.BOUNCED
    assert Suppression.objects.get().detail.startswith("5.1.1 smtp; 550 5.1.1 <[address]>")
    assert audience(monthly) == set()


def test_an_arf_complaint_unsubscribes_at_once_and_suppresses(monthly, somchai, delivery):
    raw = report("arf-complaint", delivery_id=delivery.pk, recipient=ADDRESS)

    assert bounces.act_on_report(raw) == Outcome.COMPLAINED
    somchai.refresh_from_db()
    delivery.refresh_from_db()
    assert somchai.status == Subscriber.Status.UNSUBSCRIBED
    assert delivery.state == Delivery.State.COMPLAINED
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT


def test_a_delay_notice_is_only_logged(monthly, somchai, delivery):
    raw = report("postfix-delayed", delivery_id=delivery.pk, recipient=ADDRESS)

    assert bounces.act_on_report(raw) == Outcome.LOGGED
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert audience(monthly) == {ADDRESS}


@pytest.mark.parametrize("name", ["postfix-hard-bounce", "arf-complaint"])
def test_a_report_with_a_forged_verp_signature_changes_nothing(monthly, somchai, delivery, name):
    raw = report(name, delivery_id=delivery.pk, recipient=ADDRESS, signature="0123456789ab")

    assert bounces.act_on_report(raw) == Outcome.UNKNOWN
    somchai.refresh_from_db()
    assert somchai.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.exists()


def test_a_report_about_a_delivery_we_do_not_have_changes_nothing(somchai):
    raw = report("postfix-hard-bounce", delivery_id=999999, recipient=ADDRESS)

    assert bounces.act_on_report(raw) == Outcome.UNKNOWN
    assert not Suppression.objects.exists()


def test_a_report_about_an_erased_subscribers_delivery_changes_nothing(delivery, somchai):
    somchai.delete()
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS)

    assert bounces.act_on_report(raw) == Outcome.UNKNOWN
    assert not Suppression.objects.exists()


def test_an_auto_reply_is_not_a_report(delivery):
    raw = report("out-of-office", delivery_id=delivery.pk, recipient=ADDRESS)

    assert bounces.read_report(raw) is None
    assert bounces.act_on_report(raw) == Outcome.NOT_A_REPORT


@pytest.mark.parametrize(
    "kept",
    ["To:", "X-Original-To:", "X-Postfix-Sender:", "Return-Path: <bounces+"],
)
def test_the_verp_address_is_found_in_any_one_place_a_report_carries_it(delivery, kept):
    """The bounce mailbox's own headers may be rewritten by forwarding; the report's fields and
    the returned headers carry the address too."""
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS)
    lines = raw.decode().split("\r\n")
    places = ("To:", "X-Original-To:", "Delivered-To:", "X-Postfix-Sender:", "Return-Path: <b")
    left = [
        line
        for line in lines
        if not (line.startswith(places) and not line.startswith(kept) and "bounces+" in line)
    ]

    assert bounces.read_report("\r\n".join(left).encode()).delivery_id == delivery.pk


def test_a_crafted_message_in_the_bounce_mailbox_is_ignored_without_an_error(delivery):
    """Anyone can mail the bounce address: odd numbers in the VERP tag, broken reports."""
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS)
    crafted = [
        raw.replace(f"+{delivery.pk}-".encode(), "+²-".encode()),
        b"Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: "
        b"message/delivery-status\r\n\r\n--x--",
        b"Content-Type: multipart/report\r\n\r\nno boundary",
        b"\xff\xfe\x00 not a message at all",
    ]

    outcomes = [bounces.act_on_report(message) for message in crafted]

    assert set(outcomes) <= {Outcome.UNKNOWN, Outcome.NOT_A_REPORT}
    assert not Suppression.objects.exists()


def test_a_report_whose_returned_headers_claim_an_unknown_charset_is_still_read(delivery):
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS)
    only_in_the_returned_headers = b"\r\n".join(
        line
        for line in raw.replace(
            b"Content-Type: text/rfc822-headers",
            b"Content-Type: text/rfc822-headers; charset=x-no-such-charset",
        ).split(b"\r\n")
        if not (b"bounces+" in line and not line.startswith(b"Return-Path: <bounces+"))
    )

    assert bounces.act_on_report(only_in_the_returned_headers) == Outcome.SUPPRESSED


def test_a_message_the_email_package_fails_on_is_not_a_report_and_stops_nothing(
    delivery, monkeypatch
):
    raw = report("postfix-hard-bounce", delivery_id=delivery.pk, recipient=ADDRESS)

    def unreadable(raw):
        raise LookupError("unknown encoding: x-no-such-charset")

    monkeypatch.setattr(bounces, "read_report", unreadable)

    assert bounces.act_on_report(raw) == Outcome.NOT_A_REPORT


def test_metadata_that_is_not_a_delivery_number_is_ignored(client, somchai, delivery):
    for value in ["²", "1e3", "-1", "9" * 40, "", None]:
        body = postmark_bounce()
        body["Metadata"] = {"delivery": value}
        assert post(client, body, **basic_auth()).status_code == 200

    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.SENT
    assert Suppression.objects.get().email == ADDRESS  # found by the address the service named
