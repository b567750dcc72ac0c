"""`manage.py send_newsletter ID`: send a newsletter issue, or carry on sending it, in the
foreground (the same code as the task queue's worker: mailings/sending.py).

    manage.py send_newsletter 12                  # send (or resume) issue 12 until done
    manage.py send_newsletter 12 --test-to me@example.org --test-to you@example.org
    manage.py send_newsletter --due               # send every scheduled issue whose time came
    manage.py send_newsletter --requeue           # give every issue being sent a task again

`--requeue` is what the newsletter worker's unit runs before it starts
(deploy/systemd/forumasia-newsletter.service): a worker killed in the middle of a send leaves
its task marked as running, and nothing would carry on the send without it.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mailings import messages, sending
from mailings.models import Issue


class Command(BaseCommand):
    help = "Send a newsletter issue (or resume it) in the foreground, or send test messages."

    def add_arguments(self, parser):
        parser.add_argument("issue_id", nargs="?", type=int, help="the issue's id")
        parser.add_argument(
            "--test-to",
            action="append",
            default=[],
            metavar="ADDRESS",
            help="send one test message to ADDRESS instead (repeatable); nothing is recorded",
        )
        parser.add_argument("--language", help="the test message's language (default English)")
        parser.add_argument(
            "--due", action="store_true", help="send every scheduled issue whose time has come"
        )
        parser.add_argument(
            "--requeue",
            action="store_true",
            help="enqueue the send task again for every issue being sent (after a worker died)",
        )

    def handle(self, *args, issue_id, test_to, language, due, requeue, **options):
        if requeue:
            for issue in Issue.objects.filter(status=Issue.Status.SENDING):
                sending.resume(issue)
                self.stdout.write(f"Issue {issue.pk}: send task enqueued again")
            return
        if due:
            for issue in Issue.objects.due(timezone.now()).order_by("send_at"):
                self.send(issue)
            return
        if issue_id is None:
            raise CommandError("Give the issue's id (or --due, or --requeue).")
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"There is no newsletter issue {issue_id}.")
        if test_to:
            try:
                count = sending.send_test(issue, addresses=test_to, language=language)
            except (messages.TooLarge, OSError) as error:
                raise CommandError(f"Issue {issue.pk}: test not sent: {error}") from error
            self.stdout.write(f"Issue {issue.pk}: {count} test message(s) sent")
            return
        self.send(issue)

    def send(self, issue):
        if issue.status == Issue.Status.DRAFT:
            try:
                sending.check_sendable(issue)
            except (sending.CannotSend, messages.TooLarge) as error:
                raise CommandError(f"Issue {issue.pk} cannot be sent: {error}") from error
            changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(
                status=Issue.Status.SENDING, started_at=timezone.now()
            )
            if not changed:
                raise CommandError(f"Issue {issue.pk} was started meanwhile by someone else.")
        elif issue.status == Issue.Status.PAUSED:
            Issue.objects.filter(pk=issue.pk, status=Issue.Status.PAUSED).update(
                status=Issue.Status.SENDING
            )
        elif issue.status not in (Issue.Status.SENDING, Issue.Status.SCHEDULED):
            raise CommandError(
                f"Issue {issue.pk} is {issue.get_status_display().lower()}: only a draft, "
                "scheduled, sending or paused issue can be sent."
            )
        outcome = sending.send(issue.pk)
        if outcome.busy:
            raise CommandError(f"Issue {issue.pk} is being sent by another process.")
        self.stdout.write(f"Issue {issue.pk}: {outcome.status}, {outcome.sent} sent by this run")
