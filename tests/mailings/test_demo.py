import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from mailings import demo
from mailings.models import Delivery, Issue
from newsletter import demo as newsletter_demo
from publications import demo as publications_demo

pytestmark = pytest.mark.django_db


def test_demo_has_one_sent_issue_in_three_languages_once():
    publications_demo.load(io.StringIO())
    newsletter_demo.load(io.StringIO())

    demo.load(io.StringIO())
    demo.load(io.StringIO())

    issue = Issue.objects.sent().get()
    assert {v.language for v in issue.variants.all()} == {"en", "th", "id"}
    assert issue.items.count() == 6
    assert issue.recipient_count == Delivery.objects.filter(issue=issue, state="sent").count() > 0


@pytest.mark.parametrize(
    "now, month",
    [
        (datetime(2026, 11, 30, 16, 59, tzinfo=UTC), "2026-10"),  # 23:59 on 30 Nov in Bangkok
        (datetime(2026, 11, 30, 17, 0, tzinfo=UTC), "2026-11"),  # midnight, 1 Dec in Bangkok
        (datetime(2026, 12, 1, 2, 59, tzinfo=UTC), "2026-11"),  # 09:59, before the 10:00 send
        (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), "2026-11"),
    ],
)
def test_demo_issue_is_never_sent_in_the_future_and_covers_last_month(now, month):
    with time_machine.travel(now, tick=False):
        publications_demo.load(io.StringIO())
        newsletter_demo.load(io.StringIO())
        demo.load(io.StringIO())

        issue = Issue.objects.sent().get()
        assert issue.slug == month
        assert issue.started_at <= timezone.now()
