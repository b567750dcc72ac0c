"""Bounces and complaints coming back, by either route, and what they do.

- An email service (Amazon SES, Mailgun, Postmark, SendGrid, Brevo…) posts its events to
  django-anymail's tracking webhook (mailings/webhooks.py); mailings/signals.py hands each one
  to `act_on_tracking_event`.
- Plain SMTP: every message carries a signed VERP return path (messages.verp_address), so a
  delivery status notification (RFC 3464) or a spam complaint in the Abuse Reporting Format
  (RFC 5965) lands in the bounce mailbox naming its delivery; `manage.py read_bounces` reads the
  mailbox and hands each message to `act_on_report`.

Either way one rule (`act`): a hard bounce (a permanent failure, 5.x.x) suppresses the address
and marks its delivery bounced; a complaint unsubscribes the subscriber at once and suppresses
the address, the delivery marked complained; an unsubscribe at the service unsubscribes; a
soft bounce (4.x.x, the sender retries) is only logged. Someone we do not know, or a VERP
address whose signature is wrong (a forged bounce), changes nothing. Logs name deliveries and
subscribers by id, never an address.
"""

import email
import email.policy
import email.utils
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.db import transaction

from newsletter import subscriptions
from newsletter.models import Subscriber, Suppression
from newsletter.suppressions import suppress

from .messages import delivery_from_verp
from .models import Delivery

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    HARD_BOUNCE = "hard bounce"
    SOFT_BOUNCE = "soft bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


class Outcome(StrEnum):
    """What became of one event or report (counted by read_bounces)."""

    SUPPRESSED = "suppressed after a hard bounce"
    COMPLAINED = "unsubscribed and suppressed after a complaint"
    UNSUBSCRIBED = "unsubscribed at the email service"
    LOGGED = "soft bounce, logged only"
    UNKNOWN = "not about a subscriber of ours, ignored"
    NOT_A_REPORT = "not a bounce or complaint report, ignored"


# An address in what a mail server said ("550 5.1.1 <someone@example.org>: no such user"):
# the detail kept with a suppression names none.
_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")
# An enhanced status code (RFC 3463, "5.1.1"), or a reply code opening the server's answer.
_ENHANCED_STATUS = re.compile(r"(?<![\d.])([245])\.\d{1,3}\.\d{1,3}(?![\d.])")
_REPLY_CODE = re.compile(r"^\s*(?:smtp\s*;\s*)?([245])\d\d(?!\d)", re.IGNORECASE)


def without_addresses(text: str) -> str:
    return _ADDRESS.sub("[address]", " ".join((text or "").split()))[:300]


def failure_class(*texts: str | None) -> str | None:
    """ "5" (permanent), "4" (temporary) or "2" as the first status or reply code in `texts`
    says, or None when they carry none."""
    for text in texts:
        if not text:
            continue
        found = _ENHANCED_STATUS.search(text) or _REPLY_CODE.search(text)
        if found:
            return found.group(1)
    return None


def _subscriber_and_delivery(
    delivery_id: int | None, email_address: str
) -> tuple[Subscriber | None, int | None]:
    """The subscriber an event is about and the delivery it names: the delivery's own
    subscriber when a delivery is named, else the subscriber with `email_address`. A delivery
    whose subscriber is not the address the service names is not theirs, and is left alone."""
    address = (email_address or "").strip().lower()
    delivery = (
        Delivery.objects.select_related("subscriber").filter(pk=delivery_id).first()
        if delivery_id is not None
        else None
    )
    subscriber = delivery.subscriber if delivery is not None else None
    if subscriber is not None and (not address or subscriber.email == address):
        return subscriber, delivery.pk
    if not address:
        return None, None
    return Subscriber.objects.filter(email=address).first(), None


def act(
    *, kind: Kind, delivery_id: int | None = None, email: str = "", detail: str = "", source: str
) -> Outcome:
    """Do what a bounce or complaint of `kind` calls for (module docstring). `delivery_id`: the
    delivery it is about (from a signed VERP address or the service's metadata), else None;
    `email`: the address the service names, if any; `detail`: what the mail server or service
    said (kept, without addresses, with a suppression); `source`: where it came from, for the
    log ("Postmark", "bounce mailbox")."""
    subscriber, delivery_id = _subscriber_and_delivery(delivery_id, email)
    if subscriber is None:
        logger.info("Ignored a %s from %s: not about a subscriber of ours.", kind, source)
        return Outcome.UNKNOWN
    if kind == Kind.SOFT_BOUNCE:
        logger.info(
            "Soft bounce from %s for subscriber %s (delivery %s): logged only.",
            source,
            subscriber.pk,
            delivery_id,
        )
        return Outcome.LOGGED
    detail = without_addresses(detail)
    with transaction.atomic():
        if kind == Kind.HARD_BOUNCE:
            suppress(email=subscriber.email, reason=Suppression.Reason.BOUNCE, detail=detail)
            state, outcome = Delivery.State.BOUNCED, Outcome.SUPPRESSED
        elif kind == Kind.COMPLAINT:
            subscriptions.unsubscribe(subscriber=subscriber)
            suppress(email=subscriber.email, reason=Suppression.Reason.COMPLAINT, detail=detail)
            state, outcome = Delivery.State.COMPLAINED, Outcome.COMPLAINED
        else:
            subscriptions.unsubscribe(subscriber=subscriber)
            state, outcome = None, Outcome.UNSUBSCRIBED
        if state and delivery_id is not None:
            Delivery.objects.filter(pk=delivery_id).update(state=state)
    logger.info(
        "%s from %s for subscriber %s (delivery %s): %s.",
        kind.capitalize(),
        source,
        subscriber.pk,
        delivery_id,
        outcome,
    )
    return outcome


# --- Email services: django-anymail's normalised tracking events ------------------------------

# Reasons a service gives for refusing to send that are about the address itself: it bounced
# before, or is not an address. Others (its own policy, timeouts) say nothing of the address.
PERMANENT_REJECT_REASONS = frozenset({"bounced", "invalid"})
# Postmark reports a soft bounce as anymail's "bounced" with reason "bounced" (anymail 15.2,
# webhooks/postmark.py): its own Type says what it was.
SOFT_BOUNCE_TYPES = frozenset({"SoftBounce", "Transient", "DnsError"})


def kind_of_event(event) -> Kind | None:
    """The Kind of an anymail AnymailTrackingEvent, or None for events we do not act on
    (delivered, queued; opens and clicks are never tracked)."""
    event_type, reason = event.event_type, event.reject_reason
    if event_type == "complained" or (event_type == "rejected" and reason == "spam"):
        return Kind.COMPLAINT
    if event_type == "unsubscribed" or (event_type == "rejected" and reason == "unsubscribed"):
        return Kind.UNSUBSCRIBE
    if event_type == "deferred":
        return Kind.SOFT_BOUNCE
    if event_type == "bounced":
        esp_type = event.esp_event.get("Type") if isinstance(event.esp_event, dict) else None
        if esp_type in SOFT_BOUNCE_TYPES:
            return Kind.SOFT_BOUNCE
        temporary = failure_class(event.mta_response, event.description) == "4"
        return Kind.SOFT_BOUNCE if temporary else Kind.HARD_BOUNCE
    if event_type == "rejected":
        return Kind.HARD_BOUNCE if reason in PERMANENT_REJECT_REASONS else Kind.SOFT_BOUNCE
    return None


_DELIVERY_ID = re.compile(r"[0-9]{1,18}")


def _delivery_in_metadata(metadata) -> int | None:
    """The delivery id the sender put in the message's metadata ({"delivery": id})."""
    value = str(metadata.get("delivery", "")) if isinstance(metadata, dict) else ""
    return int(value) if _DELIVERY_ID.fullmatch(value) else None


def act_on_tracking_event(event, *, esp_name: str) -> Outcome | None:
    kind = kind_of_event(event)
    if kind is None:
        return None
    return act(
        kind=kind,
        delivery_id=_delivery_in_metadata(event.metadata),
        email=event.recipient or "",
        detail=" ".join(filter(None, [event.description, event.mta_response])),
        source=esp_name,
    )


# --- Plain SMTP: reports in the bounce mailbox ------------------------------------------------


@dataclass(frozen=True)
class Report:
    """What a delivery status notification or a feedback report says: its kind, the delivery
    its VERP address names (None when it names none, or a forged one), and the server's words."""

    kind: Kind | None
    delivery_id: int | None
    detail: str


def _header_values(message, *names) -> Iterator[str]:
    for name in names:
        for value in message.get_all(name) or ():
            yield str(value)


def _addresses_in(values: Iterable[str]) -> Iterator[str]:
    for value in values:
        # "rfc822; bounces+12-ab@example.org", "<bounces+12-ab@example.org>", "Name <...>"
        value = value.rpartition(";")[2] if ";" in value else value
        for _name, address in email.utils.getaddresses([value]):
            if address:
                yield address


def _delivery_named(addresses: Iterable[str]) -> int | None:
    for address in addresses:
        try:
            delivery_id = delivery_from_verp(address)
        except ValueError:
            # A number str.isdigit() takes and int() does not ("bounces+²-…"): not ours.
            continue
        if delivery_id is not None:
            return delivery_id
    return None


def _part(message, content_type: str):
    return next((part for part in message.walk() if part.get_content_type() == content_type), None)


def _returned_headers(message):
    """The headers of our own message as the report returns them (message/rfc822 or
    text/rfc822-headers), or None."""
    returned = _part(message, "message/rfc822")
    if returned is not None and returned.is_multipart():
        return returned.get_payload(0)
    headers = _part(message, "text/rfc822-headers")
    if headers is not None:
        # Bytes, whatever charset the part claims (an unknown one would stop get_content()).
        return email.message_from_bytes(
            headers.get_payload(decode=True) or b"", policy=email.policy.default
        )
    return None


def _verp_candidates(message, fields=()) -> list[str]:
    """Where a report carries our return path: the report's own recipient headers (the bounce
    mailbox's delivery adds X-Original-To and Delivered-To), the report's fields (Postfix's
    X-Postfix-Sender, ARF's Original-Mail-From), the returned message's Return-Path."""
    values = list(_header_values(message, "To", "X-Original-To", "Delivered-To"))
    for block in fields:
        values += _header_values(block, "X-Postfix-Sender", "Original-Mail-From")
    returned = _returned_headers(message)
    if returned is not None:
        values += _header_values(returned, "Return-Path")
    return list(_addresses_in(values))


def _field_blocks(part) -> list:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    return payload if isinstance(payload, list) else [part]


def read_report(raw: bytes) -> Report | None:
    """The Report in a message from the bounce mailbox, or None when it is neither a delivery
    status notification nor a feedback report (an auto-reply, say)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        return None
    status = _part(message, "message/delivery-status")
    if status is not None:
        blocks = _field_blocks(status)
        per_recipient = blocks[1:] or blocks
        kind, detail = None, ""
        for block in per_recipient:
            action = str(block.get("Action", "")).strip().lower()
            code = failure_class(str(block.get("Status", "")))
            detail = " ".join(
                filter(None, [str(block.get("Status", "")), str(block.get("Diagnostic-Code", ""))])
            )
            if action == "failed" and code == "5":
                kind = Kind.HARD_BOUNCE
                break
            if action in ("failed", "delayed") and code in ("4", "5", None):
                kind = Kind.SOFT_BOUNCE
        return Report(kind, _delivery_named(_verp_candidates(message, blocks)), detail)
    feedback = _part(message, "message/feedback-report")
    if feedback is not None:
        blocks = _field_blocks(feedback)
        feedback_type = str(blocks[0].get("Feedback-Type", "")).strip().lower()
        kind = Kind.COMPLAINT if feedback_type == "abuse" else None
        return Report(kind, _delivery_named(_verp_candidates(message, blocks)), feedback_type)
    return None


def act_on_report(raw: bytes) -> Outcome:
    try:
        report = read_report(raw)
    except Exception as error:
        # Anyone can mail the bounce address: a message the email package cannot read (an
        # unknown charset, a broken structure) is not a report, and must not stop the messages
        # after it, run after run.
        logger.warning(
            "A message in the bounce mailbox could not be read: %s", type(error).__name__
        )
        return Outcome.NOT_A_REPORT
    if report is None:
        return Outcome.NOT_A_REPORT
    if report.kind is None or report.delivery_id is None:
        logger.info("Ignored a report in the bounce mailbox: no signed delivery or no failure.")
        return Outcome.UNKNOWN
    return act(
        kind=report.kind,
        delivery_id=report.delivery_id,
        detail=report.detail,
        source="the bounce mailbox",
    )


class Mailbox(Protocol):
    """A mailbox read_bounces empties: IMAP on the servers, a Maildir on the same machine."""

    def messages(self) -> Iterator[tuple[object, bytes]]:
        """(key, the message's bytes) for every message in it."""

    def delete(self, key) -> None: ...


def read_mailbox(mailbox: Mailbox) -> dict[Outcome, int]:
    """Act on every message in `mailbox`, deleting each once acted on (the mailbox holds
    addresses, and a message read twice must not count twice); how many of each outcome. A
    message whose action fails (the database is down) stays for the next run."""
    counts: dict[Outcome, int] = {}
    for key, raw in mailbox.messages():
        outcome = act_on_report(raw)
        mailbox.delete(key)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
