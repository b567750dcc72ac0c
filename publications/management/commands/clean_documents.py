from collections import Counter
from functools import partial

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from forumasia.documents import clean_document
from forumasia.files import owned_name
from publications.models import FILES_FOLDER, Attachment


class Command(BaseCommand):
    help = (
        "Clean the stored file of every attachment as new uploads are cleaned "
        "(forumasia/documents.py): each PDF rebuilt without its hidden data and written back "
        "under its name. Run once after upgrading from a release that cleaned PDFs with pypdf "
        "(document properties only). The clean copy gets a new name in its publication's "
        "folder (a name's content never changes); the old copy is deleted once the rows name "
        "the new one. Idempotent: a file already clean is left alone. Files "
        "that cannot be cleaned (Word and other refused formats, unreadable PDFs) are listed "
        "and left as they are, to be replaced in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *args, batch_size, **options):
        outcomes, last = {}, 0
        # Clean copies this run wrote: rows of later batches may name them already.
        self.written = set()
        # Batches by primary key: memory stays flat, and rows rewritten meanwhile are not
        # visited twice. A file several rows share (imports reuse them) is cleaned once.
        attachments = Attachment.objects.select_related("publication").order_by("pk")
        while batch := list(attachments.filter(pk__gt=last)[:batch_size]):
            last = batch[-1].pk
            for name in dict.fromkeys(attachment.file.name for attachment in batch):
                if name not in outcomes and name not in self.written:
                    outcomes[name] = self.clean(next(a for a in batch if a.file.name == name))
        counts = Counter(outcomes.values())
        self.stdout.write(
            f"Attachment files: {counts['cleaned']} cleaned, {counts['clean']} already clean, "
            f"{counts['not cleaned']} not cleaned, {counts['missing']} missing."
        )

    def clean(self, attachment):
        """Clean `attachment`'s stored file; return what happened."""
        name, storage = attachment.file.name, attachment.file.storage
        try:
            with storage.open(name, "rb") as stored:
                original = stored.read()
                cleaned = clean_document(stored, name=name)
        except FileNotFoundError:
            self.stderr.write(f"Missing: {name} (attachment {attachment.pk})")
            return "missing"
        except ValidationError as exc:
            self.stderr.write(f"Not cleaned: {name}: {' '.join(exc.messages)}")
            return "not cleaned"
        if cleaned.size == len(original) and cleaned.read() == original:
            return "clean"
        # Written beside it under a new name, never over it: what a name holds never changes
        # (browsers and CDNs revalidate by it), and a failed write loses nothing.
        key = attachment.publication.files_key
        saved = storage.save(owned_name(FILES_FOLDER, key, name), cleaned)
        self.written.add(saved)
        with transaction.atomic():
            for sharing in Attachment.objects.filter(file=name):
                # save(), not update(): cached pages showing the file's size are refreshed.
                sharing.file.name = saved
                sharing.file_size = cleaned.size
                sharing.save(update_fields=["file", "file_size"])
            # The old copy was these rows' own; no row names it once this commits.
            transaction.on_commit(partial(storage.delete, name))
        self.stdout.write(f"Cleaned: {name} ({len(original):,} → {cleaned.size:,} bytes)")
        return "cleaned"
