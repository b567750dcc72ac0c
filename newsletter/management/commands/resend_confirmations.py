from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from newsletter import subscriptions


class Command(BaseCommand):
    help = (
        "Re-send the confirmation email to pending subscribers who signed up more than N hours "
        "ago, each at most once a day, and only while their sign-up is under 7 days old."
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
        sent, failed = subscriptions.resend_confirmations(older_than=timedelta(hours=older_than))
        self.stdout.write(f"Sent {sent} confirmation reminder(s); {failed} failed.")
        if failed:
            raise CommandError(f"{failed} email(s) could not be sent; see the log.")
