import logging
import re
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from newsletter import addresses, data_protection, subscriptions, tokens
from newsletter.models import SignupRequest, Subscriber, Subscription
from newsletter.suppressions import is_suppressed, suppress
from tests.factories import SubscriberFactory, country

from .hostile import has_breaking_character, hostile_addresses

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://[^\s\"]+/newsletter/confirm/[^\s\"/]+/")


def confirm_token_from(message):
    return CONFIRM_LINK.search(message.body).group(0).rstrip("/").rsplit("/", 1)[1]


def active_slugs(subscriber):
    return set(
        subscriber.subscriptions.filter(unsubscribed_at__isnull=True).values_list(
            "mailing_list__slug", flat=True
        )
    )


def subscription_states(subscriber):
    return set(
        Subscription.objects.filter(subscriber=subscriber).values_list(
            "mailing_list__slug", "unsubscribed_at"
        )
    )


# --- subscribe ---------------------------------------------------------------------------------


def test_a_new_address_waits_pending_with_its_signup_and_is_sent_a_confirmation(
    monthly, urgent, consent, mailoutbox
):
    result = subscriptions.subscribe(
        email="  Somchai@Example.ORG ",
        consent_text=consent,
        name="สมชาย ใจดี",
        country=country("TH"),
        source_page="/publications/",
    )

    subscriber = result.subscriber
    assert subscriber.email == "somchai@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert (subscriber.name, subscriber.consent_text, active_slugs(subscriber)) == ("", "", set())
    signup = subscriber.signup_requests.get()
    assert (signup.name, signup.country, signup.source_page) == (
        "สมชาย ใจดี",
        country("TH"),
        "/publications/",
    )
    assert signup.consent_text == consent
    assert [mailing_list.slug for mailing_list in signup.lists.all()] == ["e-newsletter"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["somchai@example.org"]
    assert "Monthly e-newsletter" in mailoutbox[0].body
    assert CONFIRM_LINK.search(mailoutbox[0].body)


def test_confirming_applies_the_signups_details_lists_and_consent(
    monthly, urgent, consent, mailoutbox
):
    subscriptions.subscribe(
        email="somchai@example.org",
        consent_text=consent,
        name="สมชาย ใจดี",
        organisation="Legal Aid",
        country=country("TH"),
        lists=[urgent],
        source_page="/publications/",
    )

    subscriber = subscriptions.confirm(token=confirm_token_from(mailoutbox[0]))

    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert (subscriber.name, subscriber.organisation, subscriber.country) == (
        "สมชาย ใจดี",
        "Legal Aid",
        country("TH"),
    )
    assert (subscriber.consent_text, subscriber.source_page) == (consent, "/publications/")
    assert subscriber.consented_at is not None
    assert active_slugs(subscriber) == {"urgent-appeals"}


@pytest.mark.parametrize("status", ["pending", "unsubscribed"])
def test_someone_else_signing_up_a_known_address_changes_nothing_until_its_owner_confirms(
    monthly, urgent, consent, mailoutbox, status
):
    owner = SubscriberFactory(
        email="owner@example.org",
        name="Lan",
        organisation="Owner's Org",
        country=country("VN"),
        lists=[monthly],
    )
    if status == "unsubscribed":
        subscriptions.unsubscribe(subscriber=owner)
    else:
        Subscriber.objects.filter(pk=owner.pk).update(status="pending", confirmed_at=None)
    before = Subscriber.objects.filter(pk=owner.pk).values().get()
    lists_before = subscription_states(owner)

    subscriptions.subscribe(
        email="Owner@Example.org",
        consent_text=consent,
        name="Impostor",
        organisation="Impostor Inc",
        country=country("KH"),
        lists=[urgent],
    )

    after = Subscriber.objects.filter(pk=owner.pk).values().get()
    changed = {key for key in before if before[key] != after[key]}
    assert changed <= {"confirmation_round", "confirmation_sent_at", "updated_at"}
    assert lists_before == subscription_states(owner)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["owner@example.org"]


def test_the_owners_own_link_still_applies_the_owners_signup_after_an_impostors(
    monthly, urgent, consent, mailoutbox
):
    subscriptions.subscribe(email="owner@example.org", consent_text=consent, name="Lan")
    owners_link = confirm_token_from(mailoutbox[0])
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    subscriptions.subscribe(email="owner@example.org", consent_text=consent, name="Impostor")

    subscriber = subscriptions.confirm(token=owners_link)

    assert subscriber.name == "Lan"
    assert active_slugs(subscriber) == {"e-newsletter"}
    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=confirm_token_from(mailoutbox[1]))
    subscriber.refresh_from_db()
    assert subscriber.name == "Lan"


def test_the_same_address_in_another_case_is_the_same_subscriber(monthly, consent):
    first = subscriptions.subscribe(email="Lan@Example.org", consent_text=consent).subscriber
    second = subscriptions.subscribe(email="LAN@EXAMPLE.ORG", consent_text=consent).subscriber

    assert first.pk == second.pk
    assert Subscriber.objects.count() == 1


def test_database_refuses_a_second_row_for_an_address_in_another_case(monthly):
    from django.db import IntegrityError, transaction

    SubscriberFactory(email="lan@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscriber.objects.create(email="LAN@example.org")


def test_subscribe_without_consent_is_refused(monthly):
    with pytest.raises(ValidationError, match="Consent"):
        subscriptions.subscribe(email="a@example.org", consent_text=" ")
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "email", ["not-an-address", "a@b.c\nBcc: x@y.z", "x" * 290 + "@example.org", ""]
)
def test_subscribe_refuses_invalid_addresses(monthly, consent, email, mailoutbox):
    with pytest.raises(ValidationError):
        subscriptions.subscribe(email=email, consent_text=consent)
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(address=hostile_addresses)
def test_no_address_that_would_break_a_mail_header_is_stored_and_nothing_else_raises(
    monthly, consent, address
):
    try:
        result = subscriptions.subscribe(email=address, consent_text=consent)
    except ValidationError as refusal:
        assert refusal.messages[0] in {addresses.INVALID, addresses.UNSAFE, addresses.TOO_LONG}
    else:
        # The email went out (the immediate task backend sends it at once in tests); a later
        # example with the same address sends none within ten minutes.
        assert [result.subscriber.email] in [message.to for message in mail.outbox]
    assert not any(
        has_breaking_character(stored)
        for stored in Subscriber.objects.values_list("email", flat=True)
    )


def test_subscribe_refuses_a_list_staff_keep_private(monthly, staff_only, consent):
    with pytest.raises(ValidationError, match="public"):
        subscriptions.subscribe(email="a@example.org", consent_text=consent, lists=[staff_only])
    assert not Subscriber.objects.exists()


def test_a_second_signup_within_ten_minutes_sends_no_second_email(monthly, consent, mailoutbox):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    subscriptions.subscribe(email="a@example.org", consent_text=consent)

    assert len(mailoutbox) == 1


def test_a_signup_after_ten_minutes_sends_the_confirmation_again(monthly, consent, mailoutbox):
    subscriber = subscriptions.subscribe(email="a@example.org", consent_text=consent).subscriber
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirmation_sent_at=timezone.now() - timedelta(minutes=11)
    )

    subscriptions.subscribe(email="a@example.org", consent_text=consent)

    assert len(mailoutbox) == 2


def test_signing_up_a_confirmed_address_changes_nothing_and_mails_a_manage_link(
    monthly, urgent, consent, mailoutbox
):
    subscriber = SubscriberFactory(email="known@example.org", name="Lan", lists=[monthly])

    subscriptions.subscribe(
        email="known@example.org", consent_text=consent, lists=[urgent], name="Impostor"
    )

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.name == "Lan"
    assert active_slugs(subscriber) == {"e-newsletter"}
    assert len(mailoutbox) == 1
    assert "already subscribed" in mailoutbox[0].body
    assert "/newsletter/manage/" in mailoutbox[0].body
    assert not CONFIRM_LINK.search(mailoutbox[0].body)


def test_resubscribing_an_unsubscribed_address_needs_a_new_confirmation(
    monthly, consent, mailoutbox
):
    subscriber = SubscriberFactory(email="back@example.org", lists=[monthly])
    subscriptions.unsubscribe(subscriber=subscriber)

    subscriptions.subscribe(email="back@example.org", consent_text=consent)

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert active_slugs(subscriber) == set()
    assert len(mailoutbox) == 1
    subscriptions.confirm(token=confirm_token_from(mailoutbox[0]))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert active_slugs(subscriber) == {"e-newsletter"}


def test_a_refused_address_is_logged_by_subscriber_id_never_by_address(
    monthly, consent, refusing_smtp, caplog
):
    caplog.set_level(logging.DEBUG)

    result = subscriptions.subscribe(email="refused.person@example.org", consent_text=consent)

    # The test server's own log ("mail.log") is the far side of the wire, not ours.
    ours = [record for record in caplog.records if not record.name.startswith("mail.")]
    logged = "\n".join(caplog.handler.format(record) for record in ours)
    assert f"subscriber {result.subscriber.pk} could not be sent" in logged
    assert "550" in logged
    assert "refused.person" not in logged


def test_send_failure_keeps_the_subscriber_pending_and_a_later_signup_sends_again(
    monthly, consent, smtp_down, settings, caplog
):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)

    subscriber = Subscriber.objects.get(email="a@example.org")
    assert subscriber.status == Subscriber.Status.PENDING
    # The email was given up (no queue to retry on here): nothing holds the next one back.
    assert subscriber.confirmation_sent_at is None
    assert "could not be sent" in caplog.text
    assert "a@example.org" not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_signups_of_one_address_make_exactly_one_row(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with a database lock; the race needs PostgreSQL")
    from tests.factories import MailingListFactory

    MailingListFactory(slug="e-newsletter", is_default=True)
    start = threading.Barrier(50)
    errors = []

    def sign_up(n):
        try:
            start.wait()
            subscriptions.subscribe(email=f"Race@Example.org{' ' * (n % 3)}", consent_text="yes")
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Subscriber.objects.filter(email="race@example.org").count() == 1
    assert SignupRequest.objects.count() == 1
    assert len(mailoutbox) == 1


# --- confirm -----------------------------------------------------------------------------------


def test_confirming_marks_the_subscriber_confirmed_and_is_idempotent(monthly, consent, mailoutbox):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    token = confirm_token_from(mailoutbox[0])

    first = subscriptions.confirm(token=token)
    confirmed_at = first.confirmed_at
    again = subscriptions.confirm(token=token)

    assert first.status == again.status == Subscriber.Status.CONFIRMED
    assert again.confirmed_at == confirmed_at


def test_confirmation_link_expires_after_seven_days(monthly, consent, mailoutbox, monkeypatch):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    token = confirm_token_from(mailoutbox[0])
    eight_days_later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)

    with pytest.raises(tokens.TokenExpired):
        subscriptions.confirm(token=token)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_confirmation_link_still_works_on_day_six(monthly, consent, mailoutbox, monkeypatch):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    token = confirm_token_from(mailoutbox[0])
    six_days_later = time.time() + 6 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: six_days_later)

    assert subscriptions.confirm(token=token).status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: signing.dumps({"s": 1, "r": 1}, salt="another.salt"),
        lambda t: "not-a-token",
        lambda t: signing.dumps("just a string", salt=tokens.CONFIRM_SALT),
    ],
)
def test_tampered_confirmation_links_are_refused(monthly, consent, mailoutbox, tamper):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)

    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=tamper(confirm_token_from(mailoutbox[0])))
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_manage_link_is_not_accepted_as_a_confirmation_link(monthly, consent):
    subscriber = subscriptions.subscribe(email="a@example.org", consent_text=consent).subscriber

    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=tokens.manage_token(subscriber))


def test_an_old_confirmation_link_cannot_resubscribe_someone_who_left(monthly, consent, mailoutbox):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    token = confirm_token_from(mailoutbox[0])
    subscriber = subscriptions.confirm(token=token)
    subscriptions.unsubscribe(subscriber=subscriber)

    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=token)
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_a_first_round_link_is_refused_after_a_new_signup_round(monthly, consent, mailoutbox):
    subscriptions.subscribe(email="a@example.org", consent_text=consent)
    old_token = confirm_token_from(mailoutbox[0])
    subscriber = Subscriber.objects.get()
    subscriptions.unsubscribe(subscriber=subscriber)
    Subscriber.objects.update(confirmation_sent_at=None)
    subscriptions.subscribe(email="a@example.org", consent_text=consent)

    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=old_token)
    assert subscriptions.confirm(token=confirm_token_from(mailoutbox[1])).status == "confirmed"


def test_a_link_for_an_erased_subscriber_is_refused(monthly, consent, mailoutbox):
    subscriber = subscriptions.subscribe(email="a@example.org", consent_text=consent).subscriber
    data_protection.erase(subscriber=subscriber)

    with pytest.raises(tokens.TokenInvalid):
        subscriptions.confirm(token=confirm_token_from(mailoutbox[0]))


# --- manage tokens, unsubscribe, preferences ---------------------------------------------------


def test_manage_link_finds_its_subscriber_and_refuses_forgeries(monthly):
    subscriber = SubscriberFactory()
    token = tokens.manage_token(subscriber)

    assert subscriptions.subscriber_from_manage_token(token) == subscriber
    forged = signing.dumps({"s": subscriber.pk, "h": "0" * 16}, salt=tokens.MANAGE_SALT)
    with pytest.raises(tokens.TokenInvalid):
        subscriptions.subscriber_from_manage_token(forged)
    with pytest.raises(tokens.TokenInvalid):
        subscriptions.subscriber_from_manage_token(token + "x")


@pytest.mark.parametrize("purpose, lifetime_days", [("manage", 30), ("unsubscribe", 365)])
def test_links_work_for_their_lifetime_then_expire_knowing_whose_they_were(
    monthly, purpose, lifetime_days
):
    subscriber = SubscriberFactory()
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        token = tokens.manage_token(subscriber)

    with time_machine.travel(sent + timedelta(days=lifetime_days, seconds=-60), tick=False):
        assert subscriptions.subscriber_from_manage_token(token, purpose=purpose) == subscriber
    later = sent + timedelta(days=lifetime_days, seconds=60)
    with (
        time_machine.travel(later, tick=False),
        pytest.raises(subscriptions.LinkExpired) as expired,
    ):
        subscriptions.subscriber_from_manage_token(token, purpose=purpose)
    assert expired.value.subscriber == subscriber


def test_link_lifetimes_come_from_the_settings(monthly, settings):
    settings.NEWSLETTER_MANAGE_LINK_DAYS = 2
    subscriber = SubscriberFactory()
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        token = tokens.manage_token(subscriber)

    with time_machine.travel(sent + timedelta(days=3)), pytest.raises(subscriptions.LinkExpired):
        subscriptions.subscriber_from_manage_token(token)


def test_an_expired_link_of_an_erased_subscriber_or_a_forgery_is_simply_invalid(monthly):
    subscriber = SubscriberFactory()
    sent = timezone.now()
    with time_machine.travel(sent, tick=False):
        token = tokens.manage_token(subscriber)
        forged = signing.dumps({"s": subscriber.pk, "h": "0" * 16}, salt=tokens.MANAGE_SALT)
    data_protection.erase(subscriber=SubscriberFactory(email="other@example.org"))

    with time_machine.travel(sent + timedelta(days=40)):
        with pytest.raises(tokens.TokenInvalid) as forgery:
            subscriptions.subscriber_from_manage_token(forged)
        data_protection.erase(subscriber=subscriber)
        with pytest.raises(tokens.TokenInvalid) as erased:
            subscriptions.subscriber_from_manage_token(token)
    assert not isinstance(forgery.value, subscriptions.LinkExpired)
    assert not isinstance(erased.value, subscriptions.LinkExpired)


def test_a_fresh_manage_link_goes_to_the_stored_address_at_most_once_in_ten_minutes(
    monthly, mailoutbox
):
    subscriber = SubscriberFactory(email="owner@example.org")

    subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)
    subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)

    assert [message.to for message in mailoutbox] == [["owner@example.org"]]
    fresh = re.search(r"/newsletter/manage/([^/\s]+)/", mailoutbox[0].body).group(1)
    assert subscriptions.subscriber_from_manage_token(fresh) == subscriber
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)
    assert len(mailoutbox) == 2


def test_manage_token_does_not_reveal_the_address(monthly):
    subscriber = SubscriberFactory(email="secret.person@example.org")

    payload = signing.b64_decode(tokens.manage_token(subscriber).split(":")[0].encode())

    assert b"secret" not in payload


def test_unsubscribe_leaves_every_list_and_keeps_the_record(monthly, urgent):
    subscriber = SubscriberFactory(lists=[monthly, urgent])

    subscriptions.unsubscribe(subscriber=subscriber)
    subscriptions.unsubscribe(subscriber=subscriber)

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert active_slugs(subscriber) == set()
    assert subscriber.subscriptions.count() == 2


def test_update_preferences_changes_public_lists_and_leaves_staff_lists_alone(
    monthly, urgent, staff_only
):
    subscriber = SubscriberFactory(lists=[monthly, staff_only])

    subscriptions.update_preferences(subscriber=subscriber, lists=[urgent])

    assert active_slugs(subscriber) == {"urgent-appeals", "partners"}
    left = subscriber.subscriptions.get(mailing_list=monthly)
    assert left.unsubscribed_at is not None


def test_update_preferences_refuses_a_private_list(monthly, staff_only):
    subscriber = SubscriberFactory(lists=[monthly])

    with pytest.raises(ValidationError):
        subscriptions.update_preferences(subscriber=subscriber, lists=[staff_only])
    assert active_slugs(subscriber) == {"e-newsletter"}


def test_choosing_no_list_unsubscribes(monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    subscriptions.update_preferences(subscriber=subscriber, lists=[])

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_an_unsubscribed_person_can_come_back_from_their_manage_link_with_consent(
    monthly, urgent, consent
):
    subscriber = SubscriberFactory(lists=[monthly])
    subscriptions.unsubscribe(subscriber=subscriber)

    with pytest.raises(ValidationError):
        subscriptions.update_preferences(subscriber=subscriber, lists=[urgent])
    back = subscriptions.update_preferences(
        subscriber=subscriber, lists=[urgent], consent_text=consent
    )

    assert back.status == Subscriber.Status.CONFIRMED
    assert back.unsubscribed_at is None
    assert active_slugs(back) == {"urgent-appeals"}


def test_a_signup_email_goes_out_from_ids_and_times_alone(waiting_signup, mailoutbox):
    # What a task queue would carry: no model instance, nothing read from the caller's memory.
    subscriber = waiting_signup(requested_ago=timedelta(minutes=1))
    sent_at = timezone.now()
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=sent_at)

    subscriptions.send_signup_email.call(
        subscriber_id=subscriber.pk,
        signup_request_id=subscriber.signup_requests.get().pk,
        sent_at=sent_at.isoformat(),
        previous_sent_at=None,
    )

    assert [message.to for message in mailoutbox] == [[subscriber.email]]
    assert subscriptions.confirm(token=confirm_token_from(mailoutbox[0])).is_confirmed


# --- reminders ---------------------------------------------------------------------------------


def test_resend_confirmations_reminds_old_pending_signups_once_a_day(
    monthly, waiting_signup, mailoutbox
):
    due = waiting_signup(requested_ago=timedelta(hours=30))
    waiting_signup(requested_ago=timedelta(hours=2))
    waiting_signup(requested_ago=timedelta(days=9))
    waiting_signup(requested_ago=timedelta(hours=30), mailed_ago=timedelta(hours=3))
    SubscriberFactory(status="confirmed", consented_at=timezone.now() - timedelta(hours=30))

    assert subscriptions.resend_confirmations(older_than=timedelta(hours=24)) == 1
    assert [m.to for m in mailoutbox] == [[due.email]]
    assert subscriptions.resend_confirmations(older_than=timedelta(hours=24)) == 0
    assert subscriptions.confirm(token=confirm_token_from(mailoutbox[0])).pk == due.pk


@pytest.mark.parametrize(
    ("requested_ago", "days"), [(timedelta(hours=30), 6), (timedelta(days=6, hours=12), 1)]
)
def test_a_reminder_says_how_long_the_link_still_works(
    waiting_signup, mailoutbox, requested_ago, days
):
    waiting_signup(requested_ago=requested_ago)

    subscriptions.resend_confirmations(older_than=timedelta(hours=24))

    message = mailoutbox[0]
    assert f"The link works for {days} day{'s' if days > 1 else ''}." in message.body
    assert f"The link works for {days} day{'s' if days > 1 else ''}." in message.alternatives[0][0]


def test_a_reminder_given_up_leaves_the_signup_due_again(waiting_signup, smtp_down):
    subscriber = waiting_signup(requested_ago=timedelta(hours=30))

    assert subscriptions.resend_confirmations(older_than=timedelta(hours=24)) == 1
    subscriber.refresh_from_db()
    assert subscriber.confirmation_sent_at is None
    assert subscriptions.resend_confirmations(older_than=timedelta(hours=24)) == 1


# --- the suppression list and new consent -----------------------------------------------------


@pytest.mark.parametrize("reason", ["bounce", "complaint", "erasure", "manual"])
def test_a_confirmed_signup_lifts_the_suppression_of_its_address(
    monthly, consent, mailoutbox, reason
):
    """Signing up again and confirming is the owner's explicit new consent, whatever put the
    address on the suppression list (an erasure leaves only its digest there)."""
    if reason == "erasure":
        data_protection.erase(subscriber=SubscriberFactory(email="again@example.org"))
    else:
        suppress(email="again@example.org", reason=reason)

    subscriptions.subscribe(email="Again@example.org", consent_text=consent)
    assert is_suppressed("again@example.org")  # a sign-up alone proves nothing
    subscriptions.confirm(token=confirm_token_from(mailoutbox[-1]))

    assert not is_suppressed("again@example.org")
    assert list(Subscriber.objects.recipients([monthly.pk]).values_list("email", flat=True)) == [
        "again@example.org"
    ]


def test_confirming_lifts_no_other_addresses_suppression(monthly, consent, mailoutbox):
    suppress(email="other@example.org", reason="bounce")

    subscriptions.subscribe(email="me@example.org", consent_text=consent)
    subscriptions.confirm(token=confirm_token_from(mailoutbox[0]))

    assert is_suppressed("other@example.org")


def test_choosing_lists_again_after_a_complaint_lifts_the_suppression(monthly, consent):
    subscriber = SubscriberFactory(email="changed.mind@example.org", lists=[monthly])
    subscriptions.unsubscribe(subscriber=subscriber)
    suppress(email=subscriber.email, reason="complaint")

    subscriptions.update_preferences(subscriber=subscriber, lists=[monthly], consent_text=consent)

    assert not is_suppressed(subscriber.email)


def test_changing_lists_while_subscribed_keeps_a_bounced_address_suppressed(monthly, urgent):
    subscriber = SubscriberFactory(email="bounced@example.org", lists=[monthly])
    suppress(email=subscriber.email, reason="bounce")

    subscriptions.update_preferences(subscriber=subscriber, lists=[urgent])

    assert is_suppressed(subscriber.email)
