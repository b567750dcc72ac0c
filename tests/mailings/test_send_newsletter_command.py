"""`manage.py send_newsletter`: sends or resumes an issue in the foreground with the queue's
code, sends test messages, starts due scheduled issues, re-enqueues sends after a worker died,
and says clearly what it cannot do (never a traceback)."""

import shlex
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.utils import timezone

from mailings import sending
from mailings.models import Delivery, Issue
from tests.factories import IssueFactory, MailingListFactory, PublicationFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "forumasia-newsletter.service"


@pytest.fixture
def issue():
    mailing_list = MailingListFactory(slug="monthly")
    for _ in range(3):
        SubscriberFactory(lists=[mailing_list])
    return IssueFactory(lists=[mailing_list], items=[PublicationFactory()])


def run(*args):
    output = []

    class Out:
        def write(self, text):
            output.append(text)

        def flush(self):
            pass

    call_command("send_newsletter", *[str(a) for a in args], stdout=Out())
    return "".join(output)


def test_it_sends_a_draft_to_everyone_and_prints_the_id_and_status(issue):
    output = run(issue.pk)

    assert f"Issue {issue.pk}: sent, 3 sent by this run" in output
    assert len(mail.outbox) == 3
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_it_resumes_a_paused_issue_without_sending_twice(issue):
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    sending.write_ledger(issue)
    first = issue.deliveries.order_by("pk").first()
    Delivery.objects.filter(pk=first.pk).update(state=Delivery.State.SENT)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.PAUSED)

    output = run(issue.pk)

    assert "sent, 2 sent by this run" in output
    assert first.subscriber.email not in [m.to[0] for m in mail.outbox]


def test_test_to_sends_test_messages_only(issue):
    output = run(issue.pk, "--test-to", "a@forum-asia.org", "--test-to", "b@forum-asia.org")

    assert f"Issue {issue.pk}: 2 test message(s) sent" in output
    assert sorted(m.to[0] for m in mail.outbox) == ["a@forum-asia.org", "b@forum-asia.org"]
    assert all(m.subject.startswith("[Test] ") for m in mail.outbox)
    assert not Delivery.objects.exists()
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_due_sends_the_scheduled_issues_whose_time_came(issue):
    later = IssueFactory(lists=issue.mailing_lists.all(), items=[PublicationFactory()])
    sending.start(issue, at=timezone.now() + timedelta(minutes=5))
    sending.start(later, at=timezone.now() + timedelta(days=5))
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - timedelta(seconds=1))

    run("--due")

    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT
    assert Issue.objects.get(pk=later.pk).status == Issue.Status.SCHEDULED
    assert len(mail.outbox) == 3


def test_requeue_gives_every_issue_being_sent_its_task_again(issue):
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)

    output = run("--requeue")

    assert f"Issue {issue.pk}: send task enqueued again" in output
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT  # tasks run at once here


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "There is no newsletter issue 999999."),
        ([], "Give the issue's id"),
    ],
)
def test_an_unknown_or_missing_id_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


@pytest.mark.parametrize("status", [Issue.Status.SENT, Issue.Status.CANCELLED])
def test_an_issue_that_cannot_be_sent_again_is_a_clear_error(issue, status):
    Issue.objects.filter(pk=issue.pk).update(status=status)

    with pytest.raises(CommandError, match=f"Issue {issue.pk} is {status}: only a draft"):
        run(issue.pk)
    assert not mail.outbox


def test_an_issue_that_is_not_ready_is_a_clear_error(issue):
    issue.mailing_lists.clear()

    with pytest.raises(CommandError, match="cannot be sent: Choose at least one mailing list"):
        run(issue.pk)


def test_the_newsletter_workers_unit_requeues_with_arguments_the_command_accepts():
    # Its ExecStart (db_worker) is checked with every unit's in tests/deploy/test_systemd.py,
    # which reads ExecStart= lines only.
    (line,) = [line for line in UNIT.read_text().splitlines() if line.startswith("ExecStartPre=")]
    words = shlex.split(line.removeprefix("ExecStartPre="))
    name, *arguments = words[words.index("manage.py") + 1 :]

    assert (name, arguments) == ("send_newsletter", ["--requeue"])
    parser = load_command_class(get_commands()[name], name).create_parser("manage.py", name)
    assert parser.parse_args(arguments).requeue
