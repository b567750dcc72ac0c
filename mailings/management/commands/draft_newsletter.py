import contextlib
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from mailings.services import UnknownLists, current_month, draft_issue


def month_argument(value):
    """The first day of the month `value` (YYYY-MM) names: a calendar date, no time zone."""
    year, dash, month = value.partition("-")
    if dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit():
        with contextlib.suppress(ValueError):
            return date(int(year), int(month), 1)
    raise CommandError(f"--month must be a month as YYYY-MM, such as 2026-12 (not {value!r}).")


class Command(BaseCommand):
    help = (
        "Draft a newsletter issue filled with a month's public publications. Prints the new "
        "issue's id alone on the last line (for scripts and timers)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month",
            help="YYYY-MM; the current month in the Secretariat's time zone (Asia/Bangkok) by "
            "default.",
        )
        parser.add_argument(
            "--list",
            dest="lists",
            action="append",
            default=[],
            metavar="SLUG",
            help="A mailing list to send it to (repeat for several); the default list if none.",
        )

    def handle(self, *args, month=None, lists, **options):
        month = month_argument(month) if month else current_month()
        try:
            issue = draft_issue(month=month, list_slugs=lists)
        except UnknownLists as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Drafted “{issue}” ({issue.slug}) with {issue.items.count()} publication(s), "
            f"for {', '.join(issue.mailing_lists.values_list('name', flat=True)) or 'no list'}."
        )
        self.stdout.write(str(issue.pk))
