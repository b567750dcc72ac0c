"""Subscriber exports: one CSV generator for the admin's download and `export_subscribers`.

An export is counted and logged once, before its first row goes out (an export interrupted
half-way has still handed out data and must be on record), then streamed in constant memory:
plain tuples through a server-side cursor, one CSV chunk per EXPORT_CHUNK_SIZE rows, every text
cell neutralised so that a spreadsheet shows it and never runs it. The admin streams the chunks
as the response, or has a task write them to a file in private storage that staff download
when it is ready (a large export holds no web worker); the command writes them to a file only
its owner can read, or to stdout.

Every export is, unless staff choose otherwise, of the people who asked for the newsletter and
still want it: confirmed subscribers on at least one list now (`to_export`). People who never
confirmed or who unsubscribed are exported only when staff tick the choice that says so (the
admin) or ask for their status (the command), and the log records that choice.
"""

import csv
import io
import itertools
import logging
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.postgres.aggregates import StringAgg
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from forumasia.private_files import open_private

from .models import MailingList, Subscriber, SubscriberExport, Subscription
from .selectors import NOT_FILTERS, subscribers_matching

EXPORT_COLUMNS = [
    "email",
    "name",
    "organisation",
    "country",
    "lists",
    "status",
    "consent_time",
    "confirmed_time",
    "language",
]
EXPORT_CHUNK_SIZE = 2000
EXPORT_PERMISSION = "newsletter.export_subscribers"
# The formats an export can be written in, in the order the admin offers them.
CSV_FORMATS = (SubscriberExport.Format.CSV_BOM, SubscriberExport.Format.CSV)
# A cell a spreadsheet may run as a formula starts with one of these, after it has folded
# compatibility forms (full-width ＝, small ﹢) and skipped what it does not show.
FORMULA_STARTS = frozenset("=+-@")
# Tab and carriage return start a formula in some spreadsheets on their own.
FORMULA_CONTROLS = ("\t", "\r")
# Unicode categories a reader cannot see at the start of a cell: controls, format characters
# (byte-order mark, zero-width space, bidirectional overrides) and separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# The columns read for an export, as plain tuples (no model instances): the primary key, then
# one value per EXPORT_COLUMNS entry except the lists (see _row_batches).
_EXPORT_FIELDS = (
    "pk",
    "email",
    "name",
    "organisation",
    "country__name",
    "status",
    "consented_at",
    "confirmed_at",
    "language",
)


# What the export log says of the filters an export used: the kind of each (the first part of a
# query parameter, "status" of "status__exact") and how many values it had, never a value
# staff typed. A search for a person's name or address, kept in the log, would outlive that
# person's erasure; a date or a list is not about a person, but counting them keeps the rule
# simple: only a status, one of a few fixed words, is kept as it is.
FILTER_KINDS = {
    "q": "search",
    "status": "status",
    "list": "lists",
    "country": "countries",
    "created_at": "sign-up date",
    "since": "sign-up date",
}
# Kinds whose use is noted ("yes"), not counted.
NOTED_KINDS = frozenset({"search", "sign-up date"})
# The admin's choice (a POST field) that widens an export beyond the default, and the kind of
# filter the log notes it as.
INCLUDE_EVERYONE = "include_everyone"
EVERYONE_KIND = "not confirmed or unsubscribed too"


def to_export(queryset: QuerySet, *, include_everyone: bool = False) -> QuerySet:
    """The subscribers of `queryset` an export holds: by default the confirmed ones on at
    least one list now (the active subscription rule, SubscriptionQuerySet.active()); all of
    them when staff chose `include_everyone`."""
    if include_everyone:
        return queryset
    on_a_list = Subscription.objects.active().filter(subscriber=OuterRef("pk"))
    return queryset.filter(Exists(on_a_list), status=Subscriber.Status.CONFIRMED)


def describe_filters(params: Mapping) -> dict:
    """What the export log keeps of `params` (the admin's query string as a QueryDict or a
    dict, or the command's options): {"search": True, "status": "confirmed", "lists": 1}."""
    if hasattr(params, "lists"):
        pairs = params.lists()
    else:
        pairs = (
            (name, value if isinstance(value, list) else [value]) for name, value in params.items()
        )
    described: dict = {}
    for name, values in pairs:
        values = [value for value in values if value not in ("", None)]
        if not values or name in NOT_FILTERS:
            continue
        kind = FILTER_KINDS.get(name.split("__")[0], "other")
        if kind == "status" and len(values) == 1 and values[0] in Subscriber.Status.values:
            described[kind] = values[0]
        elif kind in NOTED_KINDS or kind == "status":
            described[kind] = True
        else:
            described[kind] = described.get(kind, 0) + len(values)
    return described


def describe_for_display(described: dict) -> str:
    """The log's description as staff read it: "search: yes, status: confirmed, lists: 1"."""
    parts = [f"{kind}: {'yes' if value is True else value}" for kind, value in described.items()]
    return ", ".join(parts) or "none"


class ExportFilterError(ValueError):
    """A filter that names nothing we hold; the message says what to give instead."""


def _first_visible_character(text: str) -> str:
    for character in unicodedata.normalize("NFKC", text):
        if unicodedata.category(character) not in INVISIBLE_CATEGORIES:
            return character
    return ""


def neutralise(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs: formula starts get a leading quote.

    The text itself is never changed, only prefixed, so names in every script survive."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_CONTROLS) or _first_visible_character(text) in FORMULA_STARTS:
        return "'" + text
    return text


def _active_list_names(subscriber_ids: list[int]) -> dict[int, str]:
    """subscriber id → the slugs of their active lists, "a, b" (one query for a whole chunk)."""
    names: dict[int, list[str]] = {}
    pairs = (
        Subscription.objects.active()
        .filter(subscriber_id__in=subscriber_ids)
        .order_by("subscriber_id", "mailing_list__position", "mailing_list__name")
        .values_list("subscriber_id", "mailing_list__slug")
    )
    for subscriber_id, slug in pairs:
        names.setdefault(subscriber_id, []).append(slug)
    return {key: ", ".join(slugs) for key, slugs in names.items()}


def _with_list_names(queryset: QuerySet) -> QuerySet:
    """PostgreSQL: each subscriber's active lists aggregated in the same query (a correlated
    STRING_AGG over the subscription index), so a chunk needs no second query."""
    names = (
        Subscription.objects.active()
        .filter(subscriber=OuterRef("pk"))
        .values("subscriber")
        .annotate(
            names=StringAgg(
                "mailing_list__slug",
                ", ",
                order_by=("mailing_list__position", "mailing_list__name"),
            )
        )
        .values("names")
    )
    return queryset.annotate(export_lists=Subquery(names))


def _row_batches(queryset: QuerySet) -> Iterator[list[list[str]]]:
    """The export's rows (no header) in lists of up to EXPORT_CHUNK_SIZE, in constant memory.

    Plain tuples through `values_list().iterator()` (a server-side cursor on PostgreSQL); the
    active lists aggregated in SQL on PostgreSQL, or read for a whole chunk in one more query
    elsewhere; every text cell through `neutralise()`; times in the site's time zone."""
    zone = timezone.get_current_timezone()
    in_sql = connection.vendor == "postgresql"
    # Prefetches the caller may carry (the admin changelist's) do not apply to tuples. Rows go
    # out in primary-key order whatever the caller's ordering: the same rows, read along the
    # table instead of by random access through another index (the changelist's -created_at).
    queryset = queryset.prefetch_related(None).order_by("pk")
    fields = _EXPORT_FIELDS
    if in_sql:
        queryset = _with_list_names(queryset)
        fields = (*fields, "export_lists")
    rows = queryset.values_list(*fields).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    while True:
        chunk = list(itertools.islice(rows, EXPORT_CHUNK_SIZE))
        if not chunk:
            return
        if in_sql:
            lists = {row[0]: row[9] for row in chunk if row[9]}
        else:
            lists = _active_list_names([row[0] for row in chunk])
        yield [
            [
                neutralise(row[1]),
                neutralise(row[2]),
                neutralise(row[3]),
                neutralise(row[4]),
                neutralise(lists.get(row[0], "")),
                neutralise(row[5]),
                row[6].astimezone(zone).isoformat(timespec="seconds") if row[6] else "",
                row[7].astimezone(zone).isoformat(timespec="seconds") if row[7] else "",
                row[8],
            ]
            for row in chunk
        ]


@dataclass
class Export:
    """A logged export of `row_count` subscribers. Iterating it yields the CSV text (the
    byte-order mark for spreadsheets and the header first) one chunk per EXPORT_CHUNK_SIZE
    rows, counting `rows_written` as it goes."""

    queryset: QuerySet
    bom: bool
    row_count: int
    rows_written: int = 0

    def __iter__(self) -> Iterator[str]:
        # A fresh buffer per chunk: faster and smaller than emptying one (measured).
        buffer = io.StringIO()
        if self.bom:
            buffer.write("\ufeff")
        csv.writer(buffer).writerow(EXPORT_COLUMNS)
        for batch in _row_batches(self.queryset):
            csv.writer(buffer).writerows(batch)
            self.rows_written += len(batch)
            yield buffer.getvalue()
            buffer = io.StringIO()
        if buffer.tell():
            yield buffer.getvalue()

    def write_to(
        self,
        write: Callable[[str], object],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Write every chunk with `write`, telling `on_progress(rows written, row count)` after
        each; returns the rows written."""
        for chunk in self:
            write(chunk)
            if on_progress is not None:
                on_progress(self.rows_written, self.row_count)
        return self.rows_written


def log_export(*, via: str, fmt: str, filters: dict, row_count: int, user_id: int | None = None):
    """The one record of who exported what, with which kinds of filter and how many rows.
    `filters` is already described (describe_filters): nothing typed."""
    return SubscriberExport.objects.create(
        user_id=user_id, via=via, filters=filters, row_count=row_count, format=fmt
    )


def start_export(
    *,
    queryset: QuerySet,
    fmt: str,
    via: str,
    filters: dict,
    user_id: int | None = None,
    selected: bool = False,
    include_everyone: bool = False,
) -> Export:
    """Count the subscribers `queryset` selects that an export holds (to_export; once), log
    the export with a description of `filters` (the query string or the command's options that
    chose them) and return it, ready to stream. `selected`: a selection ticked in the admin,
    logged as how many were ticked; `include_everyone`: staff chose to include people who never
    confirmed or who unsubscribed."""
    if fmt not in CSV_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    queryset = to_export(queryset, include_everyone=include_everyone)
    row_count = queryset.count()
    described = describe_filters(filters)
    if include_everyone:
        described[EVERYONE_KIND] = True
    if selected:
        described = {"selected": row_count, **described}
    log_export(via=via, fmt=fmt, filters=described, row_count=row_count, user_id=user_id)
    return Export(
        queryset=queryset, bom=fmt == SubscriberExport.Format.CSV_BOM, row_count=row_count
    )


def subscribers_to_export(
    *, status: str, list_slug: str = "", since: str = ""
) -> tuple[QuerySet, dict]:
    """The subscribers the command's filters select, and those filters (for the log).

    `status` one of Subscriber.Status (confirmed: those on at least one list now, as every
    default export; pending or unsubscribed: the command's explicit choice of people who never
    confirmed or who unsubscribed), `list_slug` a list they are on now, `since` the first day
    (YYYY-MM-DD, the Secretariat's) they may have signed up. Raises ExportFilterError with a
    message for a list that does not exist or a date that is not one."""
    queryset = Subscriber.objects.filter(status=status)
    filters = {"status": status}
    if list_slug:
        if not MailingList.objects.filter(slug=list_slug).exists():
            slugs = ", ".join(MailingList.objects.values_list("slug", flat=True)) or "none"
            raise ExportFilterError(f"No list with slug {list_slug!r}. Lists: {slugs}.")
        queryset = queryset.on_list(list_slug)
        filters["list"] = list_slug
    if since:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise ExportFilterError(
                f"--since must be a date like 2025-01-31, not {since!r}."
            ) from None
        queryset = queryset.filter(
            created_at__gte=timezone.make_aware(datetime.combine(day, time.min))
        )
        filters["since"] = since
    return queryset, filters


def start_filtered_export(
    *, fmt: str, status: str, list_slug: str = "", since: str = "", user_id: int | None = None
) -> Export:
    """The command's export, counted and logged, ready to write (see subscribers_to_export)."""
    queryset, filters = subscribers_to_export(status=status, list_slug=list_slug, since=since)
    return start_export(
        queryset=queryset,
        fmt=fmt,
        via="command",
        filters=filters,
        user_id=user_id,
        include_everyone=status != Subscriber.Status.CONFIRMED,
    )


def export_to_file(
    *,
    path: str,
    fmt: str,
    status: str,
    list_slug: str = "",
    since: str = "",
    user_id: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """The whole export job with plain arguments (a task queue can run it as it is): the
    subscribers the filters select, logged, written as CSV to `path` readable by its owner
    only. Returns the rows written. The filters are checked before the file is opened."""
    export = start_filtered_export(
        fmt=fmt, status=status, list_slug=list_slug, since=since, user_id=user_id
    )
    with open_private(path, encoding="utf-8", newline="") as handle:
        return export.write_to(handle.write, on_progress=on_progress)


# --- Exports prepared as files by a task -------------------------------------------------------

EXPORTS_FOLDER = "subscriber-exports"
logger = logging.getLogger(__name__)


def request_export_file(
    *, query: str, fmt: str, user_id: int, include_everyone: bool = False
) -> SubscriberExport:
    """Log an export of the subscribers the admin's changelist selects with `query` (its query
    string, URL-encoded) that an export holds (to_export), to be written to a file by the task
    write_export_file, and queue it. The query string waits on the export as `pending_query`
    until the task has used it (URL-encoded it stores whatever was typed, NUL included); the
    log keeps only its description, with the choice `include_everyone`, which the task reads
    back from it."""
    if fmt not in CSV_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    filters = describe_filters(QueryDict(query))
    if include_everyone:
        filters[EVERYONE_KIND] = True
    export = SubscriberExport.objects.create(
        user_id=user_id,
        via="admin",
        filters=filters,
        pending_query=query,
        row_count=0,
        format=fmt,
        file_state=SubscriberExport.FileState.PREPARING,
    )
    write_export_file.enqueue(export_id=export.pk)
    return export


def file_name(export: SubscriberExport) -> str:
    """The name staff download the file of `export` under (and its first stored name)."""
    stamp = timezone.localtime(export.created_at).strftime("%Y%m%d-%H%M")
    return f"subscribers-{stamp}-{export.pk}.csv"


def _finish(export: SubscriberExport, state: str, **fields) -> bool:
    """Record how the preparation of `export` ended, unless an erasure cancelled it meanwhile
    (the row is locked, so an erasure comes wholly before or after): False then."""
    with transaction.atomic():
        current = SubscriberExport.objects.select_for_update().get(pk=export.pk)
        if current.file_state != SubscriberExport.FileState.PREPARING:
            return False
        fields = {"file_state": state, "finished_at": timezone.now(), "pending_query": "", **fields}
        SubscriberExport.objects.filter(pk=export.pk).update(**fields)
    return True


def may_export(user) -> bool:
    return user is not None and user.is_active and user.has_perm(EXPORT_PERMISSION)


@task(queue_name="bulk")
def write_export_file(*, export_id: int) -> None:
    """Write the export `export_id` of the subscribers its query selects (as the changelist
    showed them to its requester) to private storage, in constant memory (chunks to a temporary
    file, which the storage then takes: a multipart upload to S3). The count is on record
    before the first row is written; a failure (the requester may no longer export, say) is
    recorded on the export too. A file finished after an erasure cancelled the export (it may
    hold the person) is deleted at once. Not retried: a failed export is marked failed, and
    staff ask for it again."""
    export = SubscriberExport.objects.select_related("user").get(pk=export_id)
    if export.file_state != SubscriberExport.FileState.PREPARING:
        return
    storage = storages["private"]
    try:
        if not may_export(export.user):
            raise PermissionDenied("The export's requester may no longer export subscribers.")
        queryset = to_export(
            subscribers_matching(QueryDict(export.pending_query)),
            include_everyone=export.filters.get(EVERYONE_KIND, False),
        )
        export.row_count = queryset.count()
        export.save(update_fields=["row_count"])
        rows = Export(
            queryset=queryset,
            bom=export.format == SubscriberExport.Format.CSV_BOM,
            row_count=export.row_count,
        )
        with tempfile.TemporaryFile() as temporary:
            rows.write_to(lambda chunk: temporary.write(chunk.encode("utf-8")))
            temporary.seek(0)
            name = f"{EXPORTS_FOLDER}/{file_name(export)}"
            stored_name = storage.save(name, File(temporary, name=name))
    except Exception:
        logger.exception("Subscriber export %s failed", export.pk)
        _finish(export, SubscriberExport.FileState.FAILED)
        raise
    if not _finish(export, SubscriberExport.FileState.READY, stored_name=stored_name):
        storage.delete(stored_name)


def delete_expired_files(*, now=None) -> int:
    """Delete the files of exports ready for longer than NEWSLETTER_EXPORT_HOURS; how many.
    Each export is locked and read again first: an erasure may have just rewritten its file
    under another name."""
    deleted = 0
    for pk in SubscriberExport.objects.expired(now).values_list("pk", flat=True):
        with transaction.atomic():
            export = SubscriberExport.objects.expired(now).select_for_update().filter(pk=pk).first()
            if export is None:
                continue
            storages["private"].delete(export.stored_name)
            export.file_state = SubscriberExport.FileState.DELETED
            export.stored_name = ""
            export.save(update_fields=["file_state", "stored_name"])
            deleted += 1
    return deleted


def _rewrite_without(export: SubscriberExport, first_cell: str) -> str | None:
    """Write the file of `export` again without its rows whose first cell is `first_cell`, in
    constant memory; the new file's stored name, or None when no row was one of those."""
    storage = storages["private"]
    dropped = 0
    with tempfile.TemporaryFile() as temporary:
        rewritten = io.TextIOWrapper(temporary, encoding="utf-8", newline="")
        writer = csv.writer(rewritten)
        with storage.open(export.stored_name, "rb") as stored:
            for row in csv.reader(io.TextIOWrapper(stored, encoding="utf-8", newline="")):
                if row and row[0] == first_cell:
                    dropped += 1
                else:
                    writer.writerow(row)
        if not dropped:
            return None
        rewritten.flush()
        rewritten.detach()
        temporary.seek(0)
        name = f"{EXPORTS_FOLDER}/{file_name(export)}"
        return storage.save(name, File(temporary, name=name))


def forget_subscriber(*, email: str) -> None:
    """Take the subscriber `email` out of every export file we keep, inside the caller's
    transaction (an erasure): a file ready to download is rewritten without their row (the
    staff who asked for it can still use it; the file it replaces is deleted when the erasure
    commits), and an export still being prepared is cancelled, since the rows it read may hold
    them."""
    storage = storages["private"]
    cell = neutralise(email)
    written = []
    try:
        for export in SubscriberExport.objects.select_for_update().filter(
            file_state__in=[SubscriberExport.FileState.PREPARING, SubscriberExport.FileState.READY]
        ):
            if export.file_state == SubscriberExport.FileState.PREPARING:
                export.file_state = SubscriberExport.FileState.CANCELLED
                export.finished_at = timezone.now()
                export.pending_query = ""
                export.save(update_fields=["file_state", "finished_at", "pending_query"])
                continue
            new_name = _rewrite_without(export, cell)
            if new_name is None:
                continue
            written.append(new_name)
            transaction.on_commit(lambda old=export.stored_name: storage.delete(old))
            export.stored_name = new_name
            export.save(update_fields=["stored_name"])
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
