from pathlib import Path

from django.core.management.base import BaseCommand

from forumasia.storage_copy import backup_storages


class Command(BaseCommand):
    help = (
        "Copy every uploaded and private file (local disk or S3 bucket, as configured) into "
        "FOLDER/default and FOLDER/private. Incremental: files already there are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        copied = backup_storages(Path(folder))
        self.stdout.write(
            f"Media backed up to {folder}: {copied['default']} public and "
            f"{copied['private']} private files copied."
        )
