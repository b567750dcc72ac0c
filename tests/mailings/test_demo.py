import io

import pytest

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
