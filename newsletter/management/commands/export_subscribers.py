import os
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from newsletter import services
from newsletter.models import MailingList, Subscriber, SubscriberExport

PROGRESS_EVERY = 1000


def open_private(path):
    """Open `path` for writing text that only its owner may read (0600), whatever the umask
    and even when the file was already there with wider permissions: it holds addresses."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    return open(descriptor, "w", encoding="utf-8", newline="")


class Command(BaseCommand):
    help = (
        "Export subscribers as CSV (UTF-8) for the mailing tool, streamed row by row. "
        "Logged as a SubscriberExport."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", dest="list_slug", help="Only subscribers on this list (slug)."
        )
        parser.add_argument(
            "--status",
            choices=Subscriber.Status.values,
            default=Subscriber.Status.CONFIRMED,
            help="Subscriber status (default: confirmed).",
        )
        parser.add_argument(
            "--since", help="Only subscribers who signed up on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=[SubscriberExport.Format.CSV, SubscriberExport.Format.CSV_BOM],
            default=SubscriberExport.Format.CSV,
            help="csv: plain UTF-8; csv-bom: UTF-8 with a byte-order mark for spreadsheets.",
        )
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, list_slug, status, since, fmt, output, **options):
        queryset = Subscriber.objects.filter(status=status).order_by("pk")
        filters = {"status": status}
        if list_slug:
            if not MailingList.objects.filter(slug=list_slug).exists():
                slugs = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No list with slug {list_slug!r}. Lists: {slugs}.")
            queryset = queryset.filter(
                subscriptions__mailing_list__slug=list_slug,
                subscriptions__unsubscribed_at__isnull=True,
            )
            filters["list"] = list_slug
        if since:
            try:
                day = date.fromisoformat(since)
            except ValueError:
                raise CommandError(
                    f"--since must be a date like 2025-01-31, not {since!r}."
                ) from None
            queryset = queryset.filter(
                created_at__gte=timezone.make_aware(datetime.combine(day, time.min))
            )
            filters["since"] = since

        total = queryset.count()
        rows = services.export_rows(queryset=queryset, fmt=fmt, via="command", filters=filters)
        lines = services.csv_lines(rows, bom=fmt == SubscriberExport.Format.CSV_BOM)
        show_progress = self.stderr.isatty()
        if output:
            with open_private(output) as handle:
                written = self._write(lines, handle.write, total, show_progress)
        else:
            written = self._write(
                lines, lambda line: self.stdout.write(line, ending=""), total, show_progress
            )
        self.stderr.write(f"Exported {written} subscribers{f' to {output}' if output else ''}.")

    def _write(self, lines, write, total, show_progress):
        written = -1  # the header line is not a subscriber
        for line in lines:
            write(line)
            if line != "\ufeff":
                written += 1
            if show_progress and written > 0 and written % PROGRESS_EVERY == 0:
                self._progress(written, total)
        if show_progress and total:
            self._progress(written, total)
            self.stderr.write("")
        return max(written, 0)

    def _progress(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
