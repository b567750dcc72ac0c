from django.core.management.base import BaseCommand, CommandError

from newsletter import exports
from newsletter.models import Subscriber, SubscriberExport


class Command(BaseCommand):
    help = (
        "Export subscribers as CSV (UTF-8), streamed in constant memory: by default the "
        "confirmed subscribers on a list. For reports, not for mailing (the newsletter is sent "
        "from the site). Logged as a SubscriberExport."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", dest="list_slug", help="Only subscribers on this list (slug)."
        )
        parser.add_argument(
            "--status",
            choices=Subscriber.Status.values,
            default=Subscriber.Status.CONFIRMED,
            help="confirmed (default): confirmed subscribers on at least one list; pending or "
            "unsubscribed: people who never confirmed or who unsubscribed — not for mailing.",
        )
        parser.add_argument(
            "--since", help="Only subscribers who signed up on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=exports.CSV_FORMATS,
            default=SubscriberExport.Format.CSV,
            help="csv: plain UTF-8; csv-bom: UTF-8 with a byte-order mark for spreadsheets.",
        )
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, list_slug, status, since, fmt, output, **options):
        job = {"fmt": fmt, "status": status, "list_slug": list_slug or "", "since": since or ""}
        on_progress = self._progress if self.stderr.isatty() else None
        try:
            if output:
                written = exports.export_to_file(path=output, **job, on_progress=on_progress)
            else:
                written = exports.start_filtered_export(**job).write_to(
                    lambda text: self.stdout.write(text, ending=""), on_progress=on_progress
                )
        except exports.ExportFilterError as error:
            raise CommandError(str(error)) from None
        if on_progress is not None and written:
            self.stderr.write("")
        self.stderr.write(f"Exported {written} subscribers{f' to {output}' if output else ''}.")

    def _progress(self, done, total):
        if not total:
            return
        width = 30
        filled = int(width * done / total)
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
