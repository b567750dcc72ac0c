import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from newsletter import data_protection, subscriptions
from newsletter.models import (
    Erasure,
    SignupRequest,
    Subscriber,
    SubscriberExport,
    Subscription,
    Suppression,
    address_digest,
)
from newsletter.suppressions import is_suppressed, suppress
from newsletter.tokens import CONFIRMATION_MAX_AGE
from tests.factories import SubscriberFactory, SuppressionFactory, country
from tests.newsletter.test_views import confirm_path, sign_up

pytestmark = pytest.mark.django_db


def test_erase_deletes_personal_data_and_keeps_an_anonymous_count(monthly, django_user_model):
    staff = django_user_model.objects.create(username="dpo")
    subscriber = SubscriberFactory(email="gone@example.org", name="Gone", lists=[monthly])

    erasure = data_protection.erase(subscriber=subscriber, by=staff)

    assert not Subscriber.objects.filter(email="gone@example.org").exists()
    assert not Subscription.objects.exists()
    assert Erasure.objects.count() == 1
    assert erasure.status == "confirmed" and erasure.erased_by == staff
    assert "gone" not in str(erasure).lower()


def test_subscriber_data_holds_everything_we_keep_and_is_logged(monthly):
    subscriber = SubscriberFactory(
        email="me@example.org",
        name="ဇော်မင်း ဦး",
        country=country("MM"),
        language="th",
        lists=[monthly],
    )

    data = data_protection.export_subscriber_data(subscriber=subscriber)

    assert data["email"] == "me@example.org"
    assert data["language"] == "th"
    assert data["name"] == "ဇော်မင်း ဦး"
    assert data["country"] == "Myanmar"
    assert data["lists"][0]["list"] == "Monthly e-newsletter"
    assert data["consent_text"] == "Sample consent."
    assert SubscriberExport.objects.get().format == "json"


def test_subscriber_data_includes_signups_waiting_for_confirmation(waiting_signup):
    subscriber = waiting_signup(requested_ago=timedelta(hours=1))
    SignupRequest.objects.filter(subscriber=subscriber).update(name="ဇော်မင်း ဦး", language="id")

    data = data_protection.export_subscriber_data(subscriber=subscriber)

    assert data["sign_ups"][0]["name"] == "ဇော်မင်း ဦး"
    assert data["sign_ups"][0]["language"] == "id"
    assert data["sign_ups"][0]["lists"] == ["Monthly e-newsletter"]
    assert data["sign_ups"][0]["confirmed_at"] is None


def purge():
    out = io.StringIO()
    call_command("delete_expired_signups", stdout=out)
    return out.getvalue()


def test_a_signup_never_confirmed_is_deleted_when_its_link_expires_and_not_a_second_before(
    client, monthly, mailoutbox
):
    """At whatever hour the suite's clock starts: the link works up to its last second, and
    the hourly purge deletes the sign-up, and the address it made, only after that."""
    sign_up(client, email="late@example.org", name="Late Reader", organisation="Late Org")
    sign_up(client, email="last.second@example.org")
    confirmed = SubscriberFactory(email="kept@example.org", lists=[monthly])
    left = SubscriberFactory(email="left@example.org", lists=[monthly])
    subscriptions.unsubscribe(subscriber=left)
    sign_up(client, email="left@example.org", name="Typed By Someone")
    late, last_second, _ = [confirm_path(message) for message in mailoutbox]
    expires_at = SignupRequest.objects.get(subscriber__email="late@example.org").expires_at

    with time_machine.travel(expires_at - timedelta(seconds=1), tick=False):
        assert "Deleted 0 expired sign-up(s) and 0 address(es)" in purge()
        assert client.get(late).status_code == 200
        assert client.post(last_second).status_code == 200  # still confirms

    with time_machine.travel(expires_at + timedelta(seconds=1), tick=False):
        assert client.get(late).status_code == 410
        assert "Deleted 2 expired sign-up(s) and 1 address(es)" in purge()
        assert client.get(late).status_code == 410  # still "expired", with nothing behind it

    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "kept@example.org",
        "last.second@example.org",
        "left@example.org",
    ]
    assert not SignupRequest.objects.filter(confirmed_at__isnull=True).exists()
    assert Subscriber.objects.get(pk=left.pk).status == "unsubscribed"  # its record of consent
    assert Subscriber.objects.get(pk=confirmed.pk).status == "confirmed"


def test_the_sign_up_page_says_an_unconfirmed_address_is_deleted_after_the_links_lifetime(
    client, monthly
):
    page = client.get("/newsletter/").content.decode()

    assert (
        f"If you do not confirm within {CONFIRMATION_MAX_AGE.days} days, we delete your address"
        in page
    )


def test_erasure_keeps_the_address_suppressed_by_its_digest_alone(monthly):
    subscriber = SubscriberFactory(email="Gone@Example.org".lower(), lists=[monthly])

    data_protection.erase(subscriber=subscriber)

    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.detail, suppression.reason) == ("", "", "erasure")
    assert suppression.digest == address_digest("gone@example.org")
    assert is_suppressed("GONE@example.org")
    assert "gone" not in str(suppression).lower()


def test_erasure_turns_a_bounce_that_named_the_address_into_a_digest(monthly):
    subscriber = SubscriberFactory(email="bounced@example.org", lists=[monthly])
    suppress(
        email=subscriber.email,
        reason="bounce",
        detail="550 5.1.1 <bounced@example.org>: User unknown",
    )

    data_protection.erase(subscriber=subscriber)

    assert list(Suppression.objects.values_list("email", "reason", "detail")) == [
        ("", "erasure", "")
    ]


def test_digest_only_suppressions_leave_the_recipients_query_working(monthly):
    """The recipients' query leaves out suppressed addresses by the email column: rows with an
    empty one (erasures) must neither match everyone nor break the query."""
    data_protection.erase(subscriber=SubscriberFactory(email="gone@example.org", lists=[monthly]))
    SuppressionFactory(email="bounced@example.org")
    SubscriberFactory(email="bounced@example.org", lists=[monthly])
    SubscriberFactory(email="reader@example.org", lists=[monthly])

    recipients = Subscriber.objects.recipients([monthly.pk])

    assert list(recipients.values_list("email", flat=True)) == ["reader@example.org"]
