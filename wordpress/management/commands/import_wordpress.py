from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forumasia.private_files import open_private
from subsites.models import SubSite
from wordpress.classify import TypeMapError
from wordpress.services import import_export, load_type_map
from wordpress.wxr import WXRError


def report_csv_path(export_path):
    return export_path.with_name(export_path.stem + "-import-report.csv")


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2): posts become publications, pages editorial "
        "pages, and every old address a 301 to the new one. Safe to run again (items are "
        "matched on the site address and WordPress id; what an editor changed since is kept). "
        "The report is printed and written as CSV beside the export."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file (Tools → Export in WordPress).")
        parser.add_argument(
            "--media-dir",
            help="A copy of the old site's wp-content/uploads; nothing is downloaded.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; change nothing."
        )
        parser.add_argument(
            "--type-map",
            help="CSV of kind,value,type rows (kind: prefix or category) added to the "
            "built-in mapping of title prefixes and categories to publication types.",
        )
        parser.add_argument(
            "--report", help="Where to write the CSV report (default: beside the export)."
        )
        parser.add_argument(
            "--sub-site",
            metavar="SLUG",
            help="Import into this sub-site: its publications become the sub-site's picks, and "
            "the old addresses are answered on the old site's host, which must be the "
            "sub-site's own host.",
        )

    def handle(self, *args, **options):
        export = Path(options["export"])
        if not export.is_file():
            raise CommandError(f"{export}: no such file.")
        media_dir = options["media_dir"]
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such folder.")
        try:
            type_map = load_type_map(options["type_map"])
        except (OSError, UnicodeDecodeError, TypeMapError) as exc:
            raise CommandError(f"--type-map: {exc}") from exc
        sub_site = self.sub_site(options["sub_site"])
        csv_path = Path(options["report"]) if options["report"] else report_csv_path(export)
        interactive = self.stdout.isatty()
        try:
            # Readable by its owner only, as subscriber exports are: it lists drafts by title.
            with open_private(csv_path, newline="", encoding="utf-8") as csv_stream:
                report = import_export(
                    export,
                    media_dir=media_dir,
                    dry_run=options["dry_run"],
                    type_map=type_map,
                    csv_stream=csv_stream,
                    progress=self.progress if interactive else None,
                    sub_site=sub_site,
                )
        except WXRError as exc:
            csv_path.unlink(missing_ok=True)
            raise CommandError(f"{export}: {exc}") from exc
        if interactive:
            self.stdout.write("")
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"\nReport written to {csv_path}")

    @staticmethod
    def sub_site(slug):
        if slug is None:
            return None
        sub_site = SubSite.objects.filter(slug=slug).first()
        if sub_site is None:
            known = ", ".join(SubSite.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"--sub-site {slug}: no such sub-site (known: {known}).")
        return sub_site

    def progress(self, state):
        # Only on a terminal: a log file or a pipe gets the report alone.
        if state.done % 50 and state.done != state.total:
            return
        width = 40
        filled = width * state.done // max(state.total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {state.done}/{state.total}", ending=""
        )
        self.stdout.flush()
