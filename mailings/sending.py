"""Sending a newsletter issue: starting, pausing, resuming, cancelling, test sends, and the
sender itself (`send()`), which the task queue, `manage.py send_newsletter` and the admin share.

How a send stays exactly-once (issue 23, item 4):

- When sending starts, the ledger is written: one Delivery row per recipient (the one audience
  rule, Subscriber.objects.recipients()), unique on (issue, subscriber), in one INSERT ... SELECT.
  Later runs add nothing: who receives an issue is decided once.
- Each message is claimed and marked sent in one database transaction, committed after the
  mail server has the whole body but before the line that ends it (mailings/smtp.py). A sender
  killed before the commit leaves the row waiting and the server drops the unended message; one
  killed after it leaves the row sent and the server has everything but the last five bytes,
  which the next statement sends. See `Sender._deliver_smtp()` for the window that remains.
- One process sends an issue at a time (a PostgreSQL advisory lock held while sending), so a
  second worker, a re-enqueued task or `manage.py send_newsletter` started meanwhile steps
  aside, and the rate caps hold for the issue as a whole. Rows are still claimed with
  SELECT ... FOR UPDATE SKIP LOCKED, so correctness never rests on the lock.
- A temporary refusal (4xx) puts the row back with a growing wait (1, 2, 4 ... 60 minutes); the
  issue stays "sending" until every row is sent or failed. A permanent refusal (5xx) fails the
  row; one that says the address does not exist also suppresses it.
- The status is read again before each batch and at least every second, so a pause or a
  cancellation stops the sender within a second or two; resuming carries on from the ledger.
- Who unsubscribed, complained or bounced after the ledger was written is left out: each batch
  asks the audience rule again for its rows, and a row no longer in the audience is marked
  failed with LEFT_BEFORE_SENDING (counted apart from refusals by that text).
"""

import logging
import re
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone
from django_tasks import task

from forumasia import events
from newsletter import suppressions
from newsletter.models import Subscriber

from . import messages, smtp
from .models import Delivery, Issue

logger = logging.getLogger(__name__)

# Rows read at a time; the audience is asked again for each batch.
BATCH_SIZE = 500
# The status is read again after this many messages or this many seconds, whichever first.
STATUS_CHECK_MESSAGES = 100
STATUS_CHECK_SECONDS = 1.0
# A temporary refusal waits NEWSLETTER_FIRST_RETRY_SECONDS (1 minute), then twice as long each
# time, at most an hour, before the next attempt; after RETRY_LIMIT attempts (about two days)
# the row fails, as a mail server gives up on a message.
MAX_RETRY = timedelta(hours=1)
RETRY_LIMIT = 54
# A lost connection to the mail server is tried again after 1, 2, 4 ... at most 60 seconds.
MAX_RECONNECT_WAIT = 60.0
# How far behind its schedule the pacing may catch up at full speed (a busy machine, a slow
# reply), so that the rate over minutes is the cap; beyond it the schedule starts again from now.
# So in any one second at most twice the cap goes out; a relay that minds says 4xx, and waits.
MAX_LAG_SECONDS = 1.0
LEFT_BEFORE_SENDING = "Not sent: unsubscribed, erased or suppressed before their turn."
TEST_SUBJECT_PREFIX = "[Test] "
# pg_try_advisory_lock(class, issue id): the class names this use of the lock space.
LOCK_CLASS = zlib.crc32(b"mailings.send") & 0x7FFFFFFF
# Extended status codes (RFC 3463) 5.1.x: bad destination mailbox, system or address syntax.
ADDRESS_UNKNOWN = re.compile(r"\b5\.1\.\d{1,3}\b")
ENHANCED_STATUS = re.compile(r"\b[245]\.\d{1,3}\.\d{1,3}\b")


class CannotSend(ValueError):
    """The issue is not ready to send; the message says what is missing."""


# --- what staff do (the admin calls these) ----------------------------------------------------


def recipient_count(issue) -> int:
    """How many subscribers the issue would be sent to now (the audience rule, once each)."""
    return Subscriber.objects.recipients(list_ids(issue)).count()


def check_sendable(issue) -> None:
    """Raise CannotSend when the issue lacks lists, an English variant or any content, and
    messages.TooLarge (naming the size) when a variant's HTML is over the limit."""
    if not issue.mailing_lists.exists():
        raise CannotSend("Choose at least one mailing list.")
    variants = list(issue.variants.all())
    if not any(v.language == settings.LANGUAGE_CODE for v in variants):
        raise CannotSend(
            "The issue needs an English variant: it is what other languages fall back to."
        )
    if not issue.items.exists() and not any(v.introduction.strip() for v in variants):
        raise CannotSend("Add publications or an introduction: the issue is empty.")
    for variant in variants:
        messages.render(issue, variant.language)


def start(issue, *, user=None, at=None) -> bool:
    """Send the issue now, or at `at` when that is in the future; True when this call started it.

    Checks it first (check_sendable). A draft only: the status changes with one conditional
    UPDATE, so of two clicks (or two staff members) exactly one starts the send, and the other
    gets False. The send runs on the "newsletter" task queue; a scheduled one waits there for
    its time (django-tasks' run_after, no cron)."""
    check_sendable(issue)
    now = timezone.now()
    scheduled = at is not None and at > now
    changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(
        status=Issue.Status.SCHEDULED if scheduled else Issue.Status.SENDING,
        send_at=at if scheduled else None,
        started_at=None if scheduled else now,
        updated_at=now,
    )
    if not changed:
        return False
    logger.info(
        "Issue %s %s by user %s",
        issue.pk,
        f"scheduled for {at.isoformat()}" if scheduled else "started",
        getattr(user, "pk", None),
    )
    _enqueue(issue.pk, run_after=at if scheduled else None)
    issue.refresh_from_db()
    return True


def pause(issue) -> bool:
    """Stop a sending issue within a few seconds (the sender reads the status every second).
    A scheduled one goes back to draft instead. True when the status changed."""
    now = timezone.now()
    if Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
        status=Issue.Status.DRAFT, send_at=None, updated_at=now
    ):
        issue.refresh_from_db()
        return True
    changed = Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
        status=Issue.Status.PAUSED, updated_at=now
    )
    issue.refresh_from_db()
    return bool(changed)


def resume(issue) -> bool:
    """Carry on sending a paused issue from where it stopped (the ledger's waiting rows).

    Also accepted for an issue still marked sending, to start a sender again after a worker was
    killed (its task is gone): harmless when one is running, since only one sends at a time."""
    changed = Issue.objects.filter(
        pk=issue.pk, status__in=[Issue.Status.PAUSED, Issue.Status.SENDING]
    ).update(status=Issue.Status.SENDING, updated_at=timezone.now())
    if changed:
        _enqueue(issue.pk)
    issue.refresh_from_db()
    return bool(changed)


def cancel(issue) -> bool:
    """Stop for good: a scheduled, sending or paused issue is cancelled within a few seconds.
    Rows not yet sent stay waiting in the ledger, the record of who did not get it."""
    changed = Issue.objects.filter(
        pk=issue.pk,
        status__in=[Issue.Status.SCHEDULED, Issue.Status.SENDING, Issue.Status.PAUSED],
    ).update(status=Issue.Status.CANCELLED, updated_at=timezone.now())
    issue.refresh_from_db()
    return bool(changed)


def send_test(issue, *, addresses, language=None) -> int:
    """Send the issue to each address typed by staff, in `language` (default English), with
    "[Test] " before the subject; return how many were sent.

    Each message is filled with a real confirmed subscriber's name and organisation when there
    is one, so staff see a realistic greeting, but it is addressed to a stand-in that is never
    saved: it has no id, so its unsubscribe and manage links are signed for nobody and open
    the site's "this link is from a test message" page; nobody is unsubscribed.
    Writes nothing to the ledger."""
    rendered = messages.render(issue, language or settings.LANGUAGE_CODE)
    model = (
        Subscriber.objects.recipients(list_ids(issue)).order_by("pk").first()
        or Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).order_by("pk").first()
    )
    sent = 0
    transport = smtp.Connection() if smtp.is_smtp_backend() else None
    backend = None if transport else get_connection()
    try:
        for address in addresses:
            stand_in = Subscriber(
                email=address.strip().lower(),
                name=model.name if model else "",
                organisation=model.organisation if model else "",
                country_id=model.country_id if model else None,
                status=Subscriber.Status.CONFIRMED,
                language=rendered.language,
            )
            message = messages.personalised(rendered, subscriber=stand_in)
            message.subject = TEST_SUBJECT_PREFIX + message.subject
            if transport:
                answer = transport.send_whole(
                    envelope_sender(message), stand_in.email, messages.signed_bytes(message)
                )
                if not answer.accepted:
                    raise smtplib_refusal(answer)
            else:
                backend.send_messages([message])
            sent += 1
    finally:
        if transport:
            transport.close()
    return sent


# --- the sender -------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run of `send()` ended with: the issue's status, the messages it sent, and, when
    there is more to send later (a time slice ended, or only deferred rows are left), when."""

    status: str
    sent: int = 0
    continue_at: datetime | None = None
    busy: bool = False


def send(issue_id, *, seconds=None) -> Outcome:
    """Send issue `issue_id` (start it if it is scheduled and due) until every row is sent or
    failed, the issue is paused or cancelled, or `seconds` have passed (the task sends in
    slices, so that a worker asked to stop finishes its current slice soon).

    Without `seconds` (manage.py send_newsletter) it waits for deferred rows itself."""
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return Outcome("missing")
    now = timezone.now()
    if issue.status == Issue.Status.SCHEDULED:
        if issue.send_at and issue.send_at > now:
            return Outcome(issue.status, continue_at=issue.send_at)
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SCHEDULED).update(
            status=Issue.Status.SENDING, started_at=now, updated_at=now
        )
        issue.refresh_from_db()
    if issue.status != Issue.Status.SENDING:
        return Outcome(issue.status)
    with sending_lock(issue.pk) as held:
        if not held:
            return Outcome(issue.status, busy=True)
        write_ledger(issue)
        return Sender(issue, seconds=seconds).run()


def write_ledger(issue) -> int:
    """Write one waiting Delivery per recipient, once: the audience is taken when sending starts
    and never again (a resumed send does not add people who subscribed meanwhile). Returns the
    number of rows written now."""
    with transaction.atomic():
        locked = Issue.objects.select_for_update().get(pk=issue.pk)
        if locked.deliveries.exists():
            return 0
        recipients = (
            Subscriber.objects.recipients(list_ids(issue))
            .order_by()
            .values(recipient_id=F("pk"), recipient_language=F("language"))
        )
        select, params = recipients.query.sql_with_params()
        table = Delivery._meta.db_table
        with connection.cursor() as cursor:
            # `WHERE true` before ON CONFLICT: SQLite needs it to parse the upsert of a SELECT.
            # Only the table's name and the ORM's own SQL are formatted in; values are params.
            statement = (
                f"INSERT INTO {table} (issue_id, subscriber_id, language, state, attempts, error) "  # noqa: S608
                "SELECT %s, recipient_id, recipient_language, %s, 0, '' "
                f"FROM ({select}) AS recipient WHERE true "
                "ON CONFLICT (issue_id, subscriber_id) DO NOTHING"
            )
            cursor.execute(statement, [issue.pk, Delivery.State.PENDING, *params])
            written = cursor.rowcount
        count = locked.deliveries.count()
        Issue.objects.filter(pk=issue.pk).update(recipient_count=count)
    issue.recipient_count = count
    logger.info("Issue %s: ledger written, %s recipients", issue.pk, count)
    return written


@contextmanager
def sending_lock(issue_id):
    """Yield whether this process may send the issue: a session advisory lock on PostgreSQL,
    released when the block ends or the process dies (its connection closes). Other databases
    (SQLite, one process in development and tests) need none."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, issue_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, issue_id])


class Pace:
    """At most `per_second` messages a second and `per_hour` an hour (0: no cap), on a fixed
    schedule read from time.monotonic(): message n goes out at start + n × interval, so sleeps
    that overrun a little do not add up into a slower rate."""

    def __init__(self, *, per_second, per_hour):
        self.interval = max(
            1 / per_second if per_second else 0.0, 3600 / per_hour if per_hour else 0.0
        )
        self.next_at = None

    def delay(self):
        """Seconds to wait before the next message (0 when it may go now)."""
        if not self.interval:
            return 0.0
        now = time.monotonic()
        if self.next_at is None or now - self.next_at > MAX_LAG_SECONDS:
            self.next_at = now
        return max(self.next_at - now, 0.0)

    def sent(self):
        if self.interval:
            self.next_at += self.interval


class ConnectionLost(Exception):
    """The mail server could not be reached, or the connection broke before the message was
    committed as sent: the row is still waiting."""


class Sender:
    def __init__(self, issue, *, seconds=None):
        self.issue = issue
        self.list_ids = list_ids(issue)
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.pace = Pace(
            per_second=settings.NEWSLETTER_SEND_RATE,
            per_hour=settings.NEWSLETTER_SEND_RATE_PER_HOUR,
        )
        self.rendered = {}
        self.transport = smtp.Connection() if smtp.is_smtp_backend() else None
        self.backend = None if self.transport else get_connection()
        self.sent = 0
        self.status = issue.status
        self.checked_at = 0.0
        self.since_check = 0

    # The status: read again before each batch, and every second or STATUS_CHECK_MESSAGES.

    def still_sending(self, *, force=False):
        if (
            force
            or self.since_check >= STATUS_CHECK_MESSAGES
            or time.monotonic() - self.checked_at >= STATUS_CHECK_SECONDS
        ):
            self.status = (
                Issue.objects.filter(pk=self.issue.pk).values_list("status", flat=True).first()
            )
            self.checked_at = time.monotonic()
            self.since_check = 0
        return self.status == Issue.Status.SENDING

    def wait(self, seconds):
        """Sleep `seconds` (at most until the deadline), waking at least every second to see
        whether the issue was paused or cancelled; False when it was or time is up."""
        until = time.monotonic() + seconds
        if self.deadline is not None:
            until = min(until, self.deadline)
        while (left := until - time.monotonic()) > 0:
            time.sleep(min(left, STATUS_CHECK_SECONDS))
            if not self.still_sending():
                return False
        return not self.out_of_time()

    def run(self) -> Outcome:
        if connection.vendor == "postgresql":
            # A PostgreSQL crash (not a worker's) may forget the last ~0.6 s of commits, so
            # those recipients would be sent the issue again; in exchange a commit returns
            # without waiting for the disk, which keeps the window of a worker killed between
            # the commit and the message's last line to a few microseconds (_deliver_smtp).
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            return self._run()
        finally:
            if self.transport:
                self.transport.close()
            if connection.vendor == "postgresql" and connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")

    def _run(self) -> Outcome:
        after = 0
        while True:
            if not self.still_sending(force=True):
                return Outcome(self.status, self.sent)
            if self.out_of_time():
                return Outcome(self.status, self.sent, continue_at=timezone.now())
            batch = self.next_batch(after)
            if not batch:
                if after:
                    after = 0  # one more pass from the start: deferred rows now due
                    continue
                waiting = self.issue.deliveries.filter(state=Delivery.State.PENDING)
                next_due = waiting.aggregate(at=Min("next_attempt_at"))["at"]
                if next_due is None and not waiting.exists():
                    return self.finished()
                if self.deadline is not None:
                    return Outcome(self.status, self.sent, continue_at=next_due)
                if not self.wait((next_due - timezone.now()).total_seconds()):
                    return Outcome(self.status, self.sent)
                continue
            audience = set(
                Subscriber.objects.recipients(self.list_ids)
                .filter(pk__in=[row.subscriber_id for row in batch if row.subscriber_id])
                .values_list("pk", flat=True)
            )
            for row in batch:
                if not self.still_sending() or self.out_of_time():
                    break
                after = row.pk
                if row.subscriber_id not in audience:
                    Delivery.objects.filter(pk=row.pk, state=Delivery.State.PENDING).update(
                        state=Delivery.State.FAILED, error=LEFT_BEFORE_SENDING
                    )
                    continue
                if not self.wait(self.pace.delay()):
                    break
                self.deliver_until_connected(row)
                self.pace.sent()

    def out_of_time(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def next_batch(self, after):
        return list(
            Delivery.objects.to_send(timezone.now())
            .filter(issue=self.issue, pk__gt=after)
            .select_related("subscriber")
            .order_by("pk")[:BATCH_SIZE]
        )

    def finished(self):
        now = timezone.now()
        with transaction.atomic():
            if Issue.objects.filter(pk=self.issue.pk, status=Issue.Status.SENDING).update(
                status=Issue.Status.SENT, finished_at=now, updated_at=now
            ):
                # Now in the public archive: the newsletter's cached pages, feeds and sitemap.
                events.changed(self.issue)
        self.status = Issue.objects.values_list("status", flat=True).get(pk=self.issue.pk)
        logger.info("Issue %s: sending finished, %s sent by this run", self.issue.pk, self.sent)
        return Outcome(self.status, self.sent)

    def deliver_until_connected(self, row):
        wait = 1.0
        while True:
            try:
                self.deliver(row)
                return
            except ConnectionLost as lost:
                logger.warning(
                    "Issue %s: mail server unreachable (%s); retrying", self.issue.pk, lost
                )
                if not self.wait(wait):
                    return
                wait = min(wait * 2, MAX_RECONNECT_WAIT)

    def deliver(self, row):
        message = messages.personalised(
            self.render(row.language), subscriber=row.subscriber, delivery_id=row.pk
        )
        if self.transport:
            self._deliver_smtp(row, message)
        else:
            self._deliver_backend(row, message)
        self.since_check += 1

    def render(self, language):
        if language not in self.rendered:
            self.rendered[language] = messages.render(self.issue, language)
        return self.rendered[language]

    def _deliver_smtp(self, row, message):
        data = messages.signed_bytes(message)
        recipient = row.subscriber.email
        try:
            with transaction.atomic():
                if not claim(row.pk):
                    return
                refusal = self.transport.begin(envelope_sender(message), recipient, data)
                if refusal is None:
                    mark_sent(row.pk)
                else:
                    self.refused(row, refusal)
            # Committed: the row says sent, the server has the body. The window left: a worker
            # killed after PostgreSQL committed and before the next statement's one write()
            # leaves the row sent and the message unended (dropped): that recipient misses the
            # issue. It spans the commit's reply and one system call, a few microseconds to
            # tens of them; exactly-once across two systems cannot close it.
            if refusal is not None:
                return
            try:
                answer = self.transport.finish()
            except smtp.smtplib.SMTPServerDisconnected:
                # The end of the message went out but no verdict came back: the server may have
                # kept it. Left sent (no duplicate) and noted.
                Delivery.objects.filter(pk=row.pk).update(error="No reply after the message.")
                self.transport.drop()
                return
            except OSError as error:
                # The end never went out, so the server dropped the message: it waits again.
                Delivery.objects.filter(pk=row.pk).update(
                    state=Delivery.State.PENDING, sent_at=None
                )
                self.transport.drop()
                raise ConnectionLost(type(error).__name__) from error
        except (smtp.smtplib.SMTPException, OSError) as error:
            # Before the commit: rolled back, the row waits; the server drops the message.
            self.transport.drop()
            raise ConnectionLost(type(error).__name__) from error
        if answer.accepted:
            self.sent += 1
        else:
            self.refused(row, answer)

    def _deliver_backend(self, row, message):
        # Through Django's mail API (an email service via django-anymail; locmem in tests). The
        # row is committed as sent after the backend accepted the message: a worker killed in
        # between (one commit's round trip) would send it again on resuming, the opposite
        # trade to SMTP's, since an HTTP API has no "end of message" to hold back.
        try:
            with transaction.atomic():
                if not claim(row.pk):
                    return
                mark_sent(row.pk)
                if not self.backend.send_messages([message]):
                    raise RuntimeError("the email backend did not send the message")
        except Exception as error:  # noqa: BLE001 - any backend's failure defers the row
            defer(row, f"{type(error).__name__}: {error}")
            logger.warning(
                "Issue %s, delivery %s deferred: %s", self.issue.pk, row.pk, type(error).__name__
            )
            return
        self.sent += 1

    def refused(self, row, answer):
        """Record the server's refusal: wait and retry a 4xx, fail a 5xx (and suppress the
        address when the reply says it does not exist)."""
        logger.info("Issue %s, delivery %s refused: %s", self.issue.pk, row.pk, answer.code)
        if answer.temporary:
            defer(row, str(answer))
            return
        Delivery.objects.filter(pk=row.pk).update(
            state=Delivery.State.FAILED, sent_at=None, error=str(answer)
        )
        if address_unknown(answer):
            suppressions.suppress(email=row.subscriber.email, reason="bounce", detail=str(answer))


def claim(delivery_id) -> bool:
    """Lock the row if it is still owed and nobody else holds it (inside a transaction)."""
    return bool(
        Delivery.objects.to_send(timezone.now())
        .select_for_update(skip_locked=True)
        .filter(pk=delivery_id)
        .values_list("pk", flat=True)[:1]
    )


def mark_sent(delivery_id):
    Delivery.objects.filter(pk=delivery_id).update(
        state=Delivery.State.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        next_attempt_at=None,
        error="",
    )


def defer(row, error):
    """Put the row back to wait, this attempt counted; fail it after RETRY_LIMIT attempts."""
    attempts = row.attempts + 1
    if attempts >= RETRY_LIMIT:
        Delivery.objects.filter(pk=row.pk).update(
            state=Delivery.State.FAILED,
            attempts=attempts,
            sent_at=None,
            error=f"Given up after {attempts} attempts. {error}"[:300],
        )
        return
    Delivery.objects.filter(pk=row.pk).update(
        state=Delivery.State.PENDING,
        attempts=attempts,
        sent_at=None,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        error=error[:300],
    )


def retry_delay(attempts):
    """1, 2, 4 ... minutes (by default) after attempt 1, 2, 3 ..., at most MAX_RETRY."""
    first = timedelta(seconds=settings.NEWSLETTER_FIRST_RETRY_SECONDS)
    return min(first * 2 ** min(attempts - 1, 16), MAX_RETRY)


def address_unknown(answer) -> bool:
    """A permanent refusal saying the address does not exist: extended status 5.1.x, or with
    no extended status, 550, 551 or 553. A 550 with another extended status (5.7.1: refused as
    spam, by policy) says nothing about the address and does not suppress it."""
    if not 500 <= answer.code < 600:
        return False
    if ENHANCED_STATUS.search(answer.text):
        return bool(ADDRESS_UNKNOWN.search(answer.text))
    return answer.code in (550, 551, 553)


def envelope_sender(message):
    """MAIL FROM: the delivery's VERP return path when messages.py set one, else From."""
    return getattr(message, "envelope_sender", None) or message.from_email


def smtplib_refusal(answer):
    return smtp.smtplib.SMTPResponseException(answer.code, answer.text)


def list_ids(issue):
    return list(issue.mailing_lists.values_list("pk", flat=True))


# --- the task queue ---------------------------------------------------------------------------

# A send runs in slices of SLICE_SECONDS: each task sends for that long, then enqueues the next,
# so that a worker told to stop (systemd's SIGTERM on a deploy) finishes within a slice rather
# than after the whole issue, and a send left with only deferred rows (4xx) waits in the queue
# for their time instead of in a sleeping worker. Only one process sends an issue at a time
# (sending_lock), so an extra task (a double resume) steps aside and ends the chain it started.
# The task lives here, beside the services that enqueue it, as newsletter/subscriptions.py's do.
SLICE_SECONDS = 60


@task(queue_name="newsletter")
def send_issue(issue_id: int) -> dict:
    outcome = send(issue_id, seconds=SLICE_SECONDS)
    more = outcome.status == Issue.Status.SENDING and not outcome.busy and outcome.continue_at
    # The in-process backend (development, unit tests) cannot enqueue for later: what is left
    # there is sent by `manage.py send_newsletter ID`.
    if more and send_issue.get_backend().supports_defer:
        send_issue.using(run_after=outcome.continue_at).enqueue(issue_id)
    return {"status": outcome.status, "sent": outcome.sent}


def _enqueue(issue_id, *, run_after=None):
    if run_after is not None and not send_issue.get_backend().supports_defer:
        # The in-process backend of development and the unit tests cannot wait: a scheduled
        # issue is then sent by `manage.py send_newsletter --due` (or by hand).
        return
    task = send_issue.using(run_after=run_after) if run_after is not None else send_issue
    task.enqueue(issue_id)
