from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forumasia.storage_copy import NameTaken, UnsafeEntry, restore_storages


class Command(BaseCommand):
    help = (
        "Put the files of a backup folder (made by backup_media) back into the configured "
        "storages, under the same names. Documents are stored cleaned (forumasia/documents.py); "
        "a backup holding anything but plain files and folders is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, folder, **options):
        if not Path(folder, "default").is_dir():
            raise CommandError(f"{folder} is not a media backup (no default/ folder in it).")
        try:
            restored = restore_storages(Path(folder))
        except UnsafeEntry as exc:
            raise CommandError(f"Nothing restored from {folder}: {exc}.") from exc
        except NameTaken as exc:
            raise CommandError(f"Cannot restore under the same name: {exc}") from exc
        for name, reason in restored.not_cleaned:
            self.stderr.write(f"Restored as it was, not cleaned: {name}: {reason}")
        if restored.not_cleaned:
            self.stderr.write(
                f"{len(restored.not_cleaned)} documents could not be cleaned: replace them in "
                "the admin (a PDF) or remove them."
            )
        self.stdout.write(
            f"Media restored from {folder}: {restored.written['default']} public and "
            f"{restored.written['private']} private files written."
        )
