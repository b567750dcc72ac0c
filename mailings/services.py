"""Composing an issue: a new draft pre-filled with a month's public publications.

Months are the Secretariat's (Asia/Bangkok, settings.TIME_ZONE): a statement published at
01:00 on 1 December in Bangkok (18:00 UTC on 30 November) belongs to December's issue.
"""

from datetime import date, datetime, time

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import override

from newsletter.models import MailingList
from publications.models import Publication

from .models import Issue, IssueItem, IssueVariant


class UnknownLists(ValueError):
    def __init__(self, slugs):
        super().__init__(f"No mailing list with the slug {', '.join(sorted(slugs))}.")
        self.slugs = slugs


def current_month() -> date:
    """The first day of the Secretariat's current month."""
    return timezone.localdate(timezone=timezone.get_default_timezone()).replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, in the Secretariat's time zone."""
    zone = timezone.get_default_timezone()
    first = month.replace(day=1)
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(following, time.min, tzinfo=zone),
    )


def month_publications(month: date):
    """The month's public publications, in the order they were published. Translations are
    left out: an issue's language variants stand for them."""
    start, end = month_bounds(month)
    return (
        Publication.objects.published()
        .filter(publish_at__gte=start, publish_at__lt=end, translation_of__isnull=True)
        .order_by("publish_at", "pk")
    )


def default_subject(month: date) -> str:
    with override("en"):
        return f"FORUM-ASIA e-newsletter, {format_date(month, 'F Y')}"


def _free_slug(month: date) -> str:
    base = f"{month:%Y-%m}"
    taken = set(Issue.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def _lists(list_slugs):
    if not list_slugs:
        return list(MailingList.objects.default())
    found = list(MailingList.objects.filter(slug__in=list_slugs))
    missing = set(list_slugs) - {mailing_list.slug for mailing_list in found}
    if missing:
        raise UnknownLists(missing)
    return found


def fill_issue(*, issue: Issue, month: date) -> int:
    """Add the month's public publications the issue does not hold yet, after its items.
    Returns how many were added."""
    with transaction.atomic():
        Issue.objects.select_for_update().filter(pk=issue.pk).first()
        held = issue.items.values("publication_id")
        last = issue.items.aggregate(last=Max("position"))["last"] or 0
        new = month_publications(month).exclude(pk__in=held)
        items = [
            IssueItem(issue=issue, publication=publication, position=last + number)
            for number, publication in enumerate(new, start=1)
        ]
        IssueItem.objects.bulk_create(items)
    return len(items)


def draft_issue(*, month: date, list_slugs: list[str], user=None) -> Issue:
    """A new draft for `month`: an English variant with the default subject, the month's
    public publications as its items, sent to the lists named (else the default list).
    Raises UnknownLists when a slug names no list."""
    mailing_lists = _lists(list_slugs)
    month = month.replace(day=1)
    with transaction.atomic():
        issue = Issue.objects.create(slug=_free_slug(month), created_by=user)
        issue.mailing_lists.set(mailing_lists)
        IssueVariant.objects.create(
            issue=issue, language=settings.LANGUAGE_CODE, subject=default_subject(month)
        )
        fill_issue(issue=issue, month=month)
    return issue
