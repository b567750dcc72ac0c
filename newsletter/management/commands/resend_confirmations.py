from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from newsletter import subscriptions


class Command(BaseCommand):
    help = (
        "Queue the confirmation email again for pending subscribers who signed up more than N "
        "hours ago, each at most once a day, and only while their sign-up is under 7 days old."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=24,
            metavar="HOURS",
            help="Only sign-ups at least this many hours old (default 24).",
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError("--older-than must be zero or more hours.")
        queued = subscriptions.resend_confirmations(older_than=timedelta(hours=older_than))
        # Sent by the task workers, which try again later when the mail server is down.
        self.stdout.write(f"Queued {queued} confirmation reminder(s).")
