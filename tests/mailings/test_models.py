from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from mailings.models import Delivery, Issue, IssueVariant
from tests.factories import IssueFactory, IssueVariantFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def test_an_issue_falls_back_to_english_when_it_has_no_variant_in_a_language():
    issue = IssueFactory(english__subject="The month in English")
    IssueVariantFactory(issue=issue, language="th", subject="เดือนนี้")

    assert issue.variant("th").subject == "เดือนนี้"
    assert issue.variant("id").subject == "The month in English"
    assert str(issue) == "The month in English"


def test_only_sent_issues_are_in_the_archive():
    sent = IssueFactory(status=Issue.Status.SENT)
    for status in ("draft", "scheduled", "sending", "paused", "cancelled"):
        IssueFactory(status=status)

    assert list(Issue.objects.sent()) == [sent]


def test_a_scheduled_issue_is_due_from_its_time_on():
    now = timezone.now()
    due = IssueFactory(status=Issue.Status.SCHEDULED, send_at=now)
    IssueFactory(status=Issue.Status.SCHEDULED, send_at=now + timedelta(seconds=1))
    IssueFactory(status=Issue.Status.DRAFT, send_at=now - timedelta(days=1))

    assert list(Issue.objects.due(now)) == [due]


def test_an_introduction_is_sanitised_on_save():
    variant = IssueVariantFactory(introduction='<p onclick="x()">Hi<script>alert(1)</script></p>')

    variant.refresh_from_db()
    assert variant.introduction == "<p>Hi</p>"


def test_a_recipient_has_one_delivery_per_issue():
    issue, subscriber = IssueFactory(), SubscriberFactory()
    Delivery.objects.create(issue=issue, subscriber=subscriber, language="en")

    with pytest.raises(IntegrityError):
        Delivery.objects.create(issue=issue, subscriber=subscriber, language="en")


def test_one_variant_per_language():
    issue = IssueFactory()

    with pytest.raises(IntegrityError):
        IssueVariant.objects.create(issue=issue, language="en", subject="Again")


def test_a_deferred_delivery_is_owed_again_once_its_wait_is_over():
    issue = IssueFactory()
    now = timezone.now()
    fresh = Delivery.objects.create(issue=issue, subscriber=SubscriberFactory(), language="en")
    deferred_over = Delivery.objects.create(
        issue=issue,
        subscriber=SubscriberFactory(),
        language="en",
        next_attempt_at=now - timedelta(seconds=1),
    )
    Delivery.objects.create(
        issue=issue,
        subscriber=SubscriberFactory(),
        language="en",
        next_attempt_at=now + timedelta(minutes=1),
    )
    Delivery.objects.create(
        issue=issue, subscriber=SubscriberFactory(), language="en", state=Delivery.State.SENT
    )

    assert set(Delivery.objects.to_send(now)) == {fresh, deferred_over}
