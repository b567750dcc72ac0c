from django.conf import settings
from django.core.management.base import BaseCommand

from newsletter.exports import delete_expired_files


class Command(BaseCommand):
    help = (
        "Delete subscriber export files kept for download longer than NEWSLETTER_EXPORT_HOURS "
        "(their log entries stay). Run it every hour (deploy/systemd/forumasia-cleanup.timer)."
    )

    def handle(self, *args, **options):
        deleted = delete_expired_files()
        self.stdout.write(
            f"Deleted {deleted} export file(s) older than {settings.NEWSLETTER_EXPORT_HOURS} hours."
        )
