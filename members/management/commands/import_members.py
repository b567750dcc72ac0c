from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from members.services import COLUMNS, REQUIRED_COLUMNS, import_members


class Command(BaseCommand):
    help = (
        "Import member organisations from the Secretariat's CSV (UTF-8). Rows are matched by "
        f"slug (created or updated). Columns: {', '.join(COLUMNS)}; required: "
        f"{', '.join(REQUIRED_COLUMNS)}. All rows or none: any rejected row aborts the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; save nothing."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        report = import_members(data=data, dry_run=options["dry_run"])
        for row in report.rejected:
            self.stderr.write(f"line {row.line} ({row.slug or 'no slug'}): REJECTED — {row.reason}")
        verb = "would be" if not report.written else "was"
        for label, rows in (("created", report.created), ("updated", report.updated)):
            for row in rows:
                self.stdout.write(f"line {row.line} ({row.slug}): {verb} {label}")
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
