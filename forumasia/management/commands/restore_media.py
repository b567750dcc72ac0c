from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forumasia.storage_copy import NameTaken, restore_storages


class Command(BaseCommand):
    help = (
        "Put the files of a backup folder (made by backup_media) back into the configured "
        "storages, under the same names."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        if not Path(folder, "default").is_dir():
            raise CommandError(f"{folder} is not a media backup (no default/ folder in it).")
        try:
            restored = restore_storages(Path(folder))
        except NameTaken as exc:
            raise CommandError(f"Cannot restore under the same name: {exc}") from exc
        self.stdout.write(
            f"Media restored from {folder}: {restored['default']} public and "
            f"{restored['private']} private files written."
        )
