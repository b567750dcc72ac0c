"""Every change to subscribers goes through these functions; views, admin and commands call them.

Emails are sent after the transaction has committed, so a mail server that is down never rolls
back a sign-up: the subscriber stays pending and a later sign-up or `resend_confirmations`
sends again.
"""

import csv
import io
import itertools
import json
import logging
import smtplib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from members.models import Country

from . import emails, tokens
from .addresses import normalise_email
from .models import (
    Erasure,
    MailingList,
    SignupRequest,
    Subscriber,
    SubscriberExport,
    Subscription,
)
from .tokens import TokenExpired, TokenInvalid

__all__ = [
    "EXPORT_COLUMNS",
    "SignupResult",
    "LinkExpired",
    "TokenExpired",
    "TokenInvalid",
    "confirm",
    "erase",
    "export_csv_chunks",
    "export_rows",
    "export_subscriber_data",
    "neutralise",
    "normalise_email",
    "resend_confirmations",
    "send_fresh_manage_link",
    "subscribe",
    "subscriber_from_manage_token",
    "unsubscribe",
    "update_preferences",
]

logger = logging.getLogger(__name__)

# One address gets at most one email in this interval however often it is typed into the form:
# the form must not become a way to flood someone's inbox.
RESEND_INTERVAL = timedelta(minutes=10)
# `resend_confirmations` reminds each pending address at most this often...
REMINDER_INTERVAL = timedelta(days=1)
# ...and stops once the sign-up is older than a confirmation link lives: no endless reminders.
REMINDER_WINDOW = tokens.CONFIRMATION_MAX_AGE

EXPORT_COLUMNS = [
    "email",
    "name",
    "organisation",
    "country",
    "lists",
    "status",
    "consent_time",
    "confirmed_time",
]
EXPORT_CHUNK_SIZE = 2000
# A cell a spreadsheet may run as a formula starts with one of these, after it has folded
# compatibility forms (full-width ＝, small ﹢) and skipped what it does not show.
FORMULA_STARTS = frozenset("=+-@")
# Tab and carriage return start a formula in some spreadsheets on their own.
FORMULA_CONTROLS = ("\t", "\r")
# Unicode categories a reader cannot see at the start of a cell: controls, format characters
# (byte-order mark, zero-width space, bidirectional overrides) and separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


@dataclass(frozen=True)
class SignupResult:
    subscriber: Subscriber
    send_failed: bool


def _locked_subscriber(address: str) -> tuple[Subscriber, bool]:
    """The row for `address`, locked, created if missing: exactly one row under any race."""
    existing = Subscriber.objects.select_for_update().filter(email=address).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Subscriber.objects.create(email=address), True
    except IntegrityError:
        # Another request inserted the same address between our read and our insert; the
        # unique constraint on Lower(email) made ours fail, so use theirs.
        return Subscriber.objects.select_for_update().get(email=address), False


def _activate_lists(subscriber: Subscriber, mailing_lists: Iterable[MailingList], now: datetime):
    for mailing_list in mailing_lists:
        subscription, created = Subscription.objects.get_or_create(
            subscriber=subscriber, mailing_list=mailing_list, defaults={"subscribed_at": now}
        )
        if not created and subscription.unsubscribed_at is not None:
            subscription.subscribed_at = now
            subscription.unsubscribed_at = None
            subscription.save(update_fields=["subscribed_at", "unsubscribed_at"])


def _failure_without_addresses(error: Exception) -> str:
    """The kind of a send failure, e.g. "SMTPRecipientsRefused 550", with nothing the mail
    server or the address said."""
    codes = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in error.recipients.values()})
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [str(error.smtp_code)]
    return " ".join([type(error).__name__, *codes])


def _send_after_commit(
    subscriber: Subscriber,
    previous_sent_at: datetime | None,
    signup_request: SignupRequest | None = None,
) -> bool:
    """Send the email this subscriber's state calls for; False (and logged) when it fails."""
    try:
        if signup_request is None:
            emails.send_already_subscribed(subscriber)
        else:
            emails.send_confirmation(signup_request)
    except Exception as error:
        # SMTP errors come as several exception types (socket, smtplib, SSL); any of them
        # means the same: not sent. Logged by row id, type and SMTP code only: the exception's
        # text and traceback may hold the address (a 550 names the refused recipient).
        logger.error(
            "Newsletter email to subscriber %s could not be sent: %s",
            subscriber.pk,
            _failure_without_addresses(error),
        )
        Subscriber.objects.filter(
            pk=subscriber.pk, confirmation_sent_at=subscriber.confirmation_sent_at
        ).update(confirmation_sent_at=previous_sent_at)
        return False
    return True


def subscribe(
    *,
    email: str,
    consent_text: str,
    lists: Iterable[MailingList] = (),
    name: str = "",
    organisation: str = "",
    country: Country | None = None,
    source_page: str = "",
) -> SignupResult:
    """Record a sign-up and send the email its address's state calls for.

    A confirmed address is left as it is (whoever typed it may not own it) and is sent a link
    to manage its lists instead. Any other address (new, pending, unsubscribed) gets a
    SignupRequest holding the details, lists and consent, and a link to confirm it: nothing of
    an existing subscriber changes until its owner opens that link. An address mailed less
    than RESEND_INTERVAL ago is not mailed again and the sign-up is dropped. With no lists
    chosen the default list is used.
    """
    if not consent_text.strip():
        raise ValidationError("Consent is required to subscribe.")
    address = normalise_email(email)
    chosen = list(lists) or list(MailingList.objects.filter(is_default=True))
    if any(not mailing_list.is_public for mailing_list in chosen):
        raise ValidationError("Only public lists can be chosen.")
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = _locked_subscriber(address)
        previous_sent_at = subscriber.confirmation_sent_at
        should_send = previous_sent_at is None or now - previous_sent_at >= RESEND_INTERVAL
        signup_request = None
        if should_send and subscriber.status != Subscriber.Status.CONFIRMED:
            signup_request = SignupRequest(
                subscriber=subscriber,
                round=subscriber.confirmation_round + 1,
                name=name.strip(),
                organisation=organisation.strip(),
                country=country,
                consent_text=consent_text,
                source_page=source_page[:200],
                requested_at=now,
            )
            signup_request.full_clean(validate_constraints=False)
            signup_request.save()
            signup_request.lists.set(chosen)
            subscriber.confirmation_round = signup_request.round
        if should_send:
            subscriber.confirmation_sent_at = now
            subscriber.save(
                update_fields=["confirmation_round", "confirmation_sent_at", "updated_at"]
            )
    sent = _send_after_commit(subscriber, previous_sent_at, signup_request) if should_send else True
    return SignupResult(subscriber=subscriber, send_failed=not sent)


def confirm(*, token: str) -> Subscriber:
    """Apply the sign-up a link was mailed for: its details, lists and consent. Idempotent.

    Raises TokenExpired after 7 days, TokenInvalid when tampered with, for an address erased
    since, or for a sign-up its owner has unsubscribed from since.
    """
    subscriber_id, confirmation_round = tokens.read_confirmation_token(token)
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        signup_request = (
            SignupRequest.objects.filter(subscriber=subscriber, round=confirmation_round)
            .select_related("country")
            .first()
        )
        if subscriber is None or signup_request is None:
            raise TokenInvalid
        if signup_request.confirmed_at is None:
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = now
            subscriber.unsubscribed_at = None
            subscriber.name = signup_request.name or subscriber.name
            subscriber.organisation = signup_request.organisation or subscriber.organisation
            subscriber.country = signup_request.country or subscriber.country
            subscriber.consent_text = signup_request.consent_text
            subscriber.consented_at = signup_request.requested_at
            subscriber.source_page = signup_request.source_page
            subscriber.save()
            _activate_lists(subscriber, signup_request.lists.all(), now)
            signup_request.confirmed_at = now
            signup_request.save(update_fields=["confirmed_at"])
            subscriber.signup_requests.exclude(pk=signup_request.pk).delete()
    return subscriber


class LinkExpired(TokenExpired):
    """A genuine manage or unsubscribe link past its lifetime, for a subscriber we still have."""

    def __init__(self, subscriber: Subscriber):
        super().__init__(subscriber.pk)
        self.subscriber = subscriber


def link_lifetime(purpose: str) -> timedelta:
    """How long a link in an email works, by its purpose ("manage" or "unsubscribe")."""
    days = {
        "manage": settings.NEWSLETTER_MANAGE_LINK_DAYS,
        "unsubscribe": settings.NEWSLETTER_UNSUBSCRIBE_LINK_DAYS,
    }[purpose]
    return timedelta(days=days)


def subscriber_from_manage_token(token: str, *, purpose: str = "manage") -> Subscriber:
    """The subscriber a manage/unsubscribe link belongs to. Raises LinkExpired when the link
    is older than its purpose allows, TokenInvalid when it is not genuine or the subscriber
    (or their address) is gone."""
    try:
        subscriber_id, digest = tokens.read_manage_token(token, max_age=link_lifetime(purpose))
        expired = False
    except TokenExpired as error:
        subscriber_id, digest, expired = error.subscriber_id, error.digest, True
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or not tokens.digest_matches(subscriber, digest):
        raise TokenInvalid
    if expired:
        raise LinkExpired(subscriber)
    return subscriber


def send_fresh_manage_link(*, subscriber: Subscriber) -> bool:
    """Mail a new manage link to the subscriber's own stored address, at most once per
    RESEND_INTERVAL whoever asks. False only when the mail server failed."""
    key = f"newsletter:fresh-link:{subscriber.pk}"
    if not cache.add(key, True, timeout=int(RESEND_INTERVAL.total_seconds())):
        return True  # one is on its way already; the asker sees the same answer
    try:
        emails.send_manage_link(subscriber)
    except Exception as error:
        logger.error(
            "Fresh manage link for subscriber %s could not be sent: %s",
            subscriber.pk,
            _failure_without_addresses(error),
        )
        cache.delete(key)
        return False
    return True


def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Leave every list. Idempotent; the subscriptions stay as the record of consent."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        subscriber.subscriptions.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        # Links of earlier sign-ups must not bring back someone who has left.
        subscriber.signup_requests.all().delete()
    return subscriber


def update_preferences(
    *,
    subscriber: Subscriber,
    lists: Iterable[MailingList],
    consent_text: str = "",
) -> Subscriber:
    """Set which public lists a subscriber (who proved it by their manage link) receives.

    Lists staff manage (not public) are left alone. No list at all means unsubscribing.
    An unsubscribed subscriber choosing lists again is back, with the new consent recorded;
    their manage link proves they own the address, so no second confirmation is needed.
    """
    chosen = list(lists)
    if any(not mailing_list.is_public for mailing_list in chosen):
        raise ValidationError("Only public lists can be chosen.")
    if not chosen:
        return unsubscribe(subscriber=subscriber)
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            if not consent_text.strip():
                raise ValidationError("Consent is required to subscribe again.")
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = now
            subscriber.unsubscribed_at = None
            subscriber.consent_text = consent_text
            subscriber.consented_at = now
            subscriber.save()
        subscriber.subscriptions.filter(
            mailing_list__is_public=True, unsubscribed_at__isnull=True
        ).exclude(mailing_list__in=chosen).update(unsubscribed_at=now)
        _activate_lists(subscriber, chosen, now)
    return subscriber


def resend_confirmations(*, older_than: timedelta) -> tuple[int, int]:
    """Remind the latest unconfirmed sign-up of each address, once it is older than
    `older_than`, at most once a day.

    Returns (sent, failed). Sign-ups older than a confirmation link's lifetime are left alone.
    """
    now = timezone.now()
    due = (
        SignupRequest.objects.filter(
            confirmed_at__isnull=True,
            round=F("subscriber__confirmation_round"),
            requested_at__lte=now - older_than,
            requested_at__gte=now - REMINDER_WINDOW,
        )
        .exclude(subscriber__status=Subscriber.Status.CONFIRMED)
        .exclude(subscriber__confirmation_sent_at__gt=now - REMINDER_INTERVAL)
        .values_list("pk", "subscriber_id")
    )
    sent = failed = 0
    for request_pk, subscriber_pk in list(due):
        with transaction.atomic():
            subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_pk)
            signup_request = SignupRequest.objects.filter(pk=request_pk).first()
            previous_sent_at = subscriber.confirmation_sent_at
            if (
                signup_request is None
                or signup_request.round != subscriber.confirmation_round
                or subscriber.status == Subscriber.Status.CONFIRMED
                or (previous_sent_at and previous_sent_at > now - REMINDER_INTERVAL)
            ):
                continue  # confirmed, left or reminded by someone else meanwhile
            subscriber.confirmation_sent_at = now
            subscriber.save(update_fields=["confirmation_sent_at"])
        if _send_after_commit(subscriber, previous_sent_at, signup_request):
            sent += 1
        else:
            failed += 1
    return sent, failed


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


def _time(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# The columns read for an export, as plain tuples (no model instances): the primary key, then
# one value per EXPORT_COLUMNS entry except the lists (see export_row_batches).
_EXPORT_FIELDS = (
    "pk",
    "email",
    "name",
    "organisation",
    "country__name",
    "status",
    "consented_at",
    "confirmed_at",
)


def _active_list_names(subscriber_ids: list[int]) -> dict[int, str]:
    """subscriber id → the slugs of their active lists, "a, b" (one query for a whole chunk)."""
    names: dict[int, list[str]] = {}
    pairs = (
        Subscription.objects.filter(subscriber_id__in=subscriber_ids, unsubscribed_at__isnull=True)
        .order_by("subscriber_id", "mailing_list__position", "mailing_list__name")
        .values_list("subscriber_id", "mailing_list__slug")
    )
    for subscriber_id, slug in pairs:
        names.setdefault(subscriber_id, []).append(slug)
    return {key: ", ".join(slugs) for key, slugs in names.items()}


def _with_list_names(queryset: QuerySet) -> QuerySet:
    """PostgreSQL: each subscriber's active lists aggregated in the same query (a correlated
    STRING_AGG over the subscription index), so a chunk needs no second query."""
    from django.contrib.postgres.aggregates import StringAgg

    names = (
        Subscription.objects.filter(subscriber=OuterRef("pk"), unsubscribed_at__isnull=True)
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


def export_row_batches(queryset: QuerySet) -> Iterator[list[list[str]]]:
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
            lists = {row[0]: row[8] for row in chunk if row[8]}
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
            ]
            for row in chunk
        ]


def start_export(*, queryset: QuerySet, fmt: str, via: str, filters: dict, user=None) -> None:
    """Check the format and log the export. Logged before streaming starts: an export that is
    interrupted half-way has still handed out data and must be on record."""
    if fmt not in {SubscriberExport.Format.CSV, SubscriberExport.Format.CSV_BOM}:
        raise ValueError(f"Unknown export format {fmt!r}")
    SubscriberExport.objects.create(
        user=user, via=via, filters=filters, row_count=queryset.count(), format=fmt
    )


def export_rows(
    *,
    queryset: QuerySet,
    fmt: str,
    via: str,
    filters: dict,
    user=None,
) -> Iterator[list[str]]:
    """Log the export, then return its rows (header first) as a lazy, constant-memory iterator."""
    start_export(queryset=queryset, fmt=fmt, via=via, filters=filters, user=user)

    def generate():
        yield EXPORT_COLUMNS
        for batch in export_row_batches(queryset):
            yield from batch

    return generate()


def export_csv_chunks(
    *, queryset: QuerySet, fmt: str, via: str, filters: dict, user=None
) -> Iterator[str]:
    """Log the export, then return it as CSV text in chunks of EXPORT_CHUNK_SIZE rows (header
    and, for csv-bom, the byte-order mark first): one write per chunk, not per row, for a
    streaming response."""
    start_export(queryset=queryset, fmt=fmt, via=via, filters=filters, user=user)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if fmt == SubscriberExport.Format.CSV_BOM:
            buffer.write("\ufeff")
        writer.writerow(EXPORT_COLUMNS)
        for batch in export_row_batches(queryset):
            writer.writerows(batch)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue()

    return generate()


class _Echo:
    """A file-like object whose write() returns the line: lets csv.writer feed a stream."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[list[str]], *, bom: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def export_subscriber_data(*, subscriber: Subscriber, user=None) -> dict:
    """Everything we hold on one person (a data-subject access request), logged as an export."""
    subscriptions = subscriber.subscriptions.select_related("mailing_list").order_by("pk")
    SubscriberExport.objects.create(
        user=user,
        via="admin",
        filters={"subscriber": subscriber.pk},
        row_count=1,
        format=SubscriberExport.Format.JSON,
    )
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "organisation": subscriber.organisation,
        "country": subscriber.country.name if subscriber.country else None,
        "status": subscriber.status,
        "consent_text": subscriber.consent_text,
        "consented_at": _time(subscriber.consented_at) or None,
        "confirmed_at": _time(subscriber.confirmed_at) or None,
        "unsubscribed_at": _time(subscriber.unsubscribed_at) or None,
        "last_email_sent_at": _time(subscriber.confirmation_sent_at) or None,
        "source_page": subscriber.source_page,
        "created_at": _time(subscriber.created_at),
        "updated_at": _time(subscriber.updated_at),
        "lists": [
            {
                "list": s.mailing_list.name,
                "subscribed_at": _time(s.subscribed_at),
                "unsubscribed_at": _time(s.unsubscribed_at) or None,
            }
            for s in subscriptions
        ],
        "sign_ups": [
            {
                "requested_at": _time(signup.requested_at),
                "confirmed_at": _time(signup.confirmed_at) or None,
                "name": signup.name,
                "organisation": signup.organisation,
                "country": signup.country.name if signup.country else None,
                "lists": [mailing_list.name for mailing_list in signup.lists.all()],
                "consent_text": signup.consent_text,
                "source_page": signup.source_page,
            }
            for signup in subscriber.signup_requests.select_related("country").order_by("pk")
        ],
        "stored_about_your_visits": "Nothing: no IP address or browser details are kept.",
    }


ERASED = "[erased]"
# A name or local part shorter than this is too common a piece of text to hunt for.
SHORTEST_TRACE = 3


def _traces(subscriber: Subscriber) -> set[str]:
    """The texts that identify this person in logs (lower case): the address, its local part,
    every name they gave, also as JSON escapes it (change messages are JSON)."""
    names = {subscriber.name, *subscriber.signup_requests.values_list("name", flat=True)}
    found = {subscriber.email, subscriber.email.split("@")[0], *names}
    found = {text.strip().lower() for text in found if len(text.strip()) >= SHORTEST_TRACE}
    return found | {json.dumps(text)[1:-1] for text in found}


def _without_traces(value, traces: set[str]):
    """`value` (JSON data) with every string that holds a trace replaced by ERASED."""
    if isinstance(value, dict):
        return {key: _without_traces(item, traces) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_traces(item, traces) for item in value]
    if isinstance(value, str) and any(trace in value.lower() for trace in traces):
        return ERASED
    return value


def erase(*, subscriber: Subscriber, by=None) -> Erasure:
    """Delete a subscriber's personal data for good, keeping only an anonymous count.

    The person goes everywhere they are: the row, its subscriptions and sign-ups (deleted with
    it), the filters of logged exports (a search for their address) and the admin's history.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        traces = _traces(subscriber)
        # The export log is one row per export, small enough to read whole; its filters are
        # JSON, which no lookup searches the same way on every database.
        for export in SubscriberExport.objects.only("filters").iterator():
            filters = _without_traces(export.filters, traces)
            if filters != export.filters:
                SubscriberExport.objects.filter(pk=export.pk).update(filters=filters)
        mentions = Q(
            content_type=ContentType.objects.get_for_model(Subscriber),
            object_id=str(subscriber.pk),
        )
        for trace in traces:
            mentions |= Q(object_repr__icontains=trace) | Q(change_message__icontains=trace)
        LogEntry.objects.filter(mentions).update(object_repr=ERASED, change_message="")
        erasure = Erasure.objects.create(erased_by=by, status=subscriber.status)
        subscriber.delete()
    return erasure
