from django.core.management.base import BaseCommand

from newsletter.data_protection import delete_expired_signups
from newsletter.tokens import CONFIRMATION_MAX_AGE


class Command(BaseCommand):
    help = (
        f"Delete sign-ups never confirmed once their link has expired ({CONFIRMATION_MAX_AGE.days} "
        "days): the name, organisation and lists typed for them, and the addresses that were "
        "never confirmed. Run it every hour (deploy/systemd/forumasia-cleanup.timer)."
    )

    def handle(self, *args, **options):
        signups, addresses = delete_expired_signups()
        self.stdout.write(
            f"Deleted {signups} expired sign-up(s) and {addresses} address(es) never confirmed."
        )
