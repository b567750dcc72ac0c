from django.core.management.base import BaseCommand
from django.db import transaction

from members import demo as members_demo
from newsletter import demo as newsletter_demo
from publications import demo as publications_demo


class Command(BaseCommand):
    help = (
        "Load fictional sample content (clearly marked as sample). Idempotent: running it again "
        "creates nothing new."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for section in (members_demo, publications_demo, newsletter_demo):
            section.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
