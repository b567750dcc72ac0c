from datetime import UTC, date, datetime

import pytest
import time_machine

from mailings.models import Issue
from mailings.services import UnknownLists, current_month, draft_issue, fill_issue
from tests.factories import IssueFactory, MailingListFactory, PublicationFactory

pytestmark = pytest.mark.django_db

# 17:30 UTC on 30 November is 00:30 on 1 December in Bangkok, the Secretariat's time zone.
BANGKOK_DECEMBER_FIRST = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)
AFTER_DECEMBER = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@time_machine.travel(BANGKOK_DECEMBER_FIRST, tick=False)
def test_the_current_month_is_the_secretariats_at_the_month_boundary():
    assert current_month() == date(2026, 12, 1)


@time_machine.travel(BANGKOK_DECEMBER_FIRST, tick=False)
def test_a_draft_holds_the_months_public_publications_in_bangkok_time():
    MailingListFactory(slug="e-newsletter", is_default=True)
    # 00:10 on 1 December in Bangkok: December's.
    december = PublicationFactory(title="December's first", publish_at=utc(2026, 11, 30, 17, 10))
    # 23:50 on 30 November in Bangkok: November's, though it is 30 November in UTC for both.
    PublicationFactory(title="November's last", publish_at=utc(2026, 11, 30, 16, 50))
    PublicationFactory(title="A draft", status="draft", publish_at=utc(2026, 11, 30, 17, 20))
    PublicationFactory(title="Scheduled", publish_at=utc(2026, 12, 5, 3, 0))
    PublicationFactory(
        title="Withdrawn",
        publish_at=utc(2026, 11, 30, 17, 15),
        unpublish_at=utc(2026, 11, 30, 17, 25),
    )

    issue = draft_issue(month=current_month(), list_slugs=[])

    assert [item.publication for item in issue.items.all()] == [december]


def test_a_draft_gets_an_english_subject_a_month_slug_and_the_default_list():
    default = MailingListFactory(slug="e-newsletter", is_default=True)
    MailingListFactory(slug="members")

    first = draft_issue(month=date(2026, 12, 1), list_slugs=[])
    second = draft_issue(month=date(2026, 12, 1), list_slugs=[])
    third = draft_issue(month=date(2026, 12, 1), list_slugs=[])

    assert str(first) == "FORUM-ASIA e-newsletter, December 2026"
    assert [v.language for v in first.variants.all()] == ["en"]
    assert [first.slug, second.slug, third.slug] == ["2026-12", "2026-12-2", "2026-12-3"]
    assert list(first.mailing_lists.all()) == [default]
    assert first.status == "draft"


def test_a_draft_goes_to_the_lists_named():
    MailingListFactory(slug="e-newsletter", is_default=True)
    members = MailingListFactory(slug="members")
    partners = MailingListFactory(slug="partners")

    issue = draft_issue(month=date(2026, 12, 1), list_slugs=["members", "partners"])

    assert set(issue.mailing_lists.all()) == {members, partners}


def test_a_draft_for_an_unknown_list_is_refused_and_nothing_is_made():
    MailingListFactory(slug="members")

    with pytest.raises(UnknownLists, match="no-such-list"):
        draft_issue(month=date(2026, 12, 1), list_slugs=["members", "no-such-list"])

    assert not Issue.objects.exists()


@time_machine.travel(AFTER_DECEMBER, tick=False)
def test_items_follow_the_order_of_publishing():
    later = PublicationFactory(publish_at=utc(2026, 12, 20, 3))
    earlier = PublicationFactory(publish_at=utc(2026, 12, 2, 3))

    issue = draft_issue(month=date(2026, 12, 1), list_slugs=[])

    assert [(i.publication, i.position) for i in issue.items.all()] == [(earlier, 1), (later, 2)]


@time_machine.travel(AFTER_DECEMBER, tick=False)
def test_filling_adds_only_what_the_issue_lacks_after_its_items():
    held = PublicationFactory(publish_at=utc(2026, 12, 2, 3))
    new = PublicationFactory(publish_at=utc(2026, 12, 3, 3))
    issue = IssueFactory(items=[held])
    start = issue.items.get().position

    assert fill_issue(issue=issue, month=date(2026, 12, 1)) == 1
    assert fill_issue(issue=issue, month=date(2026, 12, 1)) == 0

    assert [(i.publication, i.position) for i in issue.items.all()] == [
        (held, start),
        (new, start + 1),
    ]
