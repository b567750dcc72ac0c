import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsletter
from newsletter import subscriptions, suppressions
from newsletter.models import MailingList, Subscriber, Subscription, Suppression, address_digest
from tests.factories import SubscriberFactory, SuppressionFactory

pytestmark = pytest.mark.django_db

NEWSLETTER_CODE = Path(newsletter.__file__).parent


def test_a_lists_count_is_its_confirmed_subscribers_still_on_it(monthly, urgent):
    SubscriberFactory(lists=[monthly, urgent])
    SubscriberFactory(lists=[monthly])
    subscriptions.update_preferences(subscriber=SubscriberFactory(lists=[monthly]), lists=[urgent])
    SubscriberFactory(status="pending", lists=[monthly])
    subscriptions.unsubscribe(subscriber=SubscriberFactory(lists=[monthly, urgent]))

    counts = dict(
        MailingList.objects.with_confirmed_subscriber_count().values_list(
            "slug", "confirmed_subscribers"
        )
    )

    assert counts == {"e-newsletter": 2, "urgent-appeals": 2}


def test_recipients_are_confirmed_subscribers_on_any_of_the_lists_each_once(
    monthly, urgent, staff_only
):
    both = SubscriberFactory(email="both@example.org", lists=[monthly, urgent])
    one = SubscriberFactory(email="one@example.org", lists=[urgent])
    SubscriberFactory(email="other-list@example.org", lists=[staff_only])
    SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])
    left = SubscriberFactory(email="left@example.org", lists=[monthly, staff_only])
    Subscription.objects.filter(subscriber=left, mailing_list=monthly).update(
        unsubscribed_at=timezone.now()
    )
    gone = SubscriberFactory(email="gone@example.org", lists=[monthly])
    subscriptions.unsubscribe(subscriber=gone)

    recipients = Subscriber.objects.recipients([monthly.pk, urgent.pk])

    assert sorted(recipients.values_list("email", flat=True)) == [both.email, one.email]
    assert recipients.count() == 2


def test_a_suppressed_address_is_never_a_recipient_whatever_its_case(monthly):
    SubscriberFactory(email="kept@example.org", lists=[monthly])
    SubscriberFactory(email="bounced@example.org", lists=[monthly])
    SuppressionFactory(email="Bounced@Example.org", reason="bounce")
    # An erased subscriber's row keeps only the digest: it must not suppress everyone else.
    Suppression.objects.create(digest=address_digest("erased@example.org"), reason="erasure")

    recipients = Subscriber.objects.recipients([monthly.pk])

    assert list(recipients.values_list("email", flat=True)) == ["kept@example.org"]


def test_suppressing_an_address_twice_keeps_one_row_with_the_latest_reason(monthly):
    suppressions.suppress(email="Reader@Example.org", reason="bounce")
    suppressions.suppress(email="reader@example.org", reason="complaint")

    assert Suppression.objects.get().reason == "complaint"
    assert suppressions.is_suppressed("READER@example.org")
    assert not suppressions.is_suppressed("someone@example.org")


def test_on_list_finds_who_is_on_the_list_now_whatever_their_status(monthly, urgent):
    on_it = SubscriberFactory(email="on@example.org", lists=[monthly])
    waiting = SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])
    left = SubscriberFactory(email="left@example.org", lists=[monthly, urgent])
    subscriptions.update_preferences(subscriber=left, lists=[urgent])
    SubscriberFactory(email="other@example.org", lists=[urgent])

    assert set(Subscriber.objects.on_list("e-newsletter")) == {on_it, waiting}
    assert not Subscriber.objects.on_list("no-such-list").exists()


def test_joined_by_gives_the_lists_a_subscriber_is_on_now(monthly, urgent, staff_only):
    subscriber = SubscriberFactory(lists=[monthly, urgent, staff_only])
    subscriptions.update_preferences(subscriber=subscriber, lists=[urgent])
    SubscriberFactory(lists=[monthly])

    assert set(MailingList.objects.joined_by(subscriber)) == {urgent, staff_only}
    assert list(MailingList.objects.public().joined_by(subscriber)) == [urgent]


def test_the_default_list_is_the_one_marked_default(monthly, urgent):
    assert list(MailingList.objects.default()) == [monthly]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(left=st.lists(st.booleans(), min_size=1, max_size=6))
def test_active_in_sql_and_is_active_in_python_agree(monthly, left):
    Subscription.objects.all().delete()  # the examples share one test transaction
    now = timezone.now()
    for index, has_left in enumerate(left):
        Subscription.objects.create(
            subscriber=SubscriberFactory(),
            mailing_list=monthly,
            subscribed_at=now - timedelta(days=index + 1),
            unsubscribed_at=now - timedelta(hours=index) if has_left else None,
        )

    in_sql = set(Subscription.objects.active())
    in_python = {row for row in Subscription.objects.all() if row.is_active}

    assert in_sql == in_python
    assert len(in_sql) == left.count(False)


@pytest.mark.parametrize(
    "rule",
    [r"unsubscribed_at__isnull", r"unsubscribed_at is (not )?None"],
)
def test_the_active_subscription_rule_is_written_only_in_the_models(rule):
    """Every other module asks the models (active(), on_list(), joined_by(), is_active), so a
    change to what "active" means is made in one place."""
    restating = [
        path.relative_to(NEWSLETTER_CODE).as_posix()
        for path in NEWSLETTER_CODE.rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "models.py"
        and re.search(rule, path.read_text(encoding="utf-8"))
    ]

    assert restating == []


def test_what_a_subscriber_typed_is_stored_on_one_line_without_control_characters(waiting_signup):
    typed = {
        "name": " Lan\x1b[2J\tNguyễn\x00 ",
        "organisation": "Legal\r\nAid\u2028Clinic\x7f",
        "source_page": "/members/\x07",
    }
    subscriber = waiting_signup(requested_ago=timedelta(hours=1))
    signup = subscriber.signup_requests.get()
    for row in (subscriber, signup):
        for field, value in typed.items():
            setattr(row, field, value)
        row.save()
        row.refresh_from_db()

        assert (row.name, row.organisation, row.source_page) == (
            "Lan[2J Nguyễn",
            "Legal  Aid Clinic",
            "/members/",
        )
