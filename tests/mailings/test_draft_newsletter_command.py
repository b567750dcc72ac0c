import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command

from mailings.models import Issue
from tests.factories import MailingListFactory, PublicationFactory

pytestmark = pytest.mark.django_db


def draft(*args):
    out = io.StringIO()
    call_command("draft_newsletter", *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_last_line_is_the_new_issues_id_alone():
    MailingListFactory(slug="e-newsletter", is_default=True)
    PublicationFactory(publish_at=datetime(2026, 10, 3, 3, tzinfo=UTC))

    lines = draft("--month", "2026-10")

    issue = Issue.objects.get()
    assert lines[-1] == str(issue.pk)
    assert issue.slug == "2026-10"
    assert issue.items.count() == 1


@time_machine.travel(datetime(2026, 11, 30, 17, 30, tzinfo=UTC), tick=False)
def test_without_a_month_it_drafts_the_current_month_in_bangkok():
    lines = draft()

    issue = Issue.objects.get(pk=int(lines[-1]))
    assert issue.slug == "2026-12"
    assert str(issue) == "FORUM-ASIA e-newsletter, December 2026"


def test_lists_are_named_by_slug_and_repeatable():
    members = MailingListFactory(slug="members")
    partners = MailingListFactory(slug="partners")

    lines = draft("--month", "2026-10", "--list", "members", "--list", "partners")

    assert set(Issue.objects.get(pk=int(lines[-1])).mailing_lists.all()) == {members, partners}


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "December", "2026-12-01", "0000-01"])
def test_a_bad_month_is_a_clear_error(month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        draft("--month", month)
    assert not Issue.objects.exists()


def test_an_unknown_list_is_a_clear_error():
    with pytest.raises(CommandError, match="no-such-list"):
        draft("--list", "no-such-list")
    assert not Issue.objects.exists()
