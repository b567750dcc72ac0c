"""The subscription lifecycle: sign-up, confirmation, manage links, list preferences,
unsubscribing and reminders. Views and commands change subscribers only through these
functions (erasure: newsletter/data_protection.py).

Emails are never sent inside a visitor's request: each is a task (django-tasks, defined here)
queued once the function's own transaction has ended, from plain ids and times. A mail server
that is down never rolls back a sign-up and never changes the visitor's answer: the subscriber
stays pending while the task is tried again later, with a growing delay
(forumasia/retries.py); when it gives up, the address may be mailed again by a later sign-up or
`resend_confirmations`. A recipient the server refuses for good (a 5xx answer) is not retried.
Either way, what the failure leaves behind says which subscriber (by id) and which SMTP code,
never the address.
"""

import functools
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from forumasia.retries import retried_task
from members.models import Country

from . import emails, suppressions, tokens
from .addresses import normalise_email
from .models import MailingList, SignupRequest, Subscriber, Subscription
from .tokens import TokenExpired, TokenInvalid

logger = logging.getLogger(__name__)

# One address gets at most one email in this interval however often it is typed into the form:
# the form must not become a way to flood someone's inbox.
RESEND_INTERVAL = timedelta(minutes=10)
# `resend_confirmations` reminds each pending address at most this often...
REMINDER_INTERVAL = timedelta(days=1)
# ...and stops once the sign-up is older than a confirmation link lives: no endless reminders.
REMINDER_WINDOW = tokens.CONFIRMATION_MAX_AGE


@dataclass(frozen=True)
class SignupResult:
    subscriber: Subscriber


class EmailNotSent(OSError):
    """The mail server could not take an email now (down, unreachable, a 4xx answer): worth
    trying again. Its message holds the kind of failure and the SMTP code, never the address
    (the original exception, which may name it, is not kept)."""


class EmailRefused(Exception):
    """The mail server refused the recipient for good (a 5xx answer): not worth retrying."""


def _sent(send, subscriber_id: int) -> None:
    """Call `send`; a failure becomes EmailNotSent or EmailRefused without the address."""
    try:
        send()
    except Exception as error:
        # SMTP errors come as several exception types (socket, smtplib, SSL); any of them
        # means the same: not sent. Logged by row id, type and SMTP code only: the exception's
        # text and traceback may hold the address (a 550 names the refused recipient).
        failure = _failure_without_addresses(error)
        logger.error(
            "Newsletter email to subscriber %s could not be sent: %s", subscriber_id, failure
        )
        if _refused_for_good(error):
            raise EmailRefused(failure) from None
        raise EmailNotSent(failure) from None


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


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
        if not created and not subscription.is_active:
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


def signup_email_abandoned(
    *,
    subscriber_id: int,
    signup_request_id: int | None,
    sent_at: str,
    previous_sent_at: str | None,
    language: str | None = None,
) -> None:
    """The sign-up email will not be sent: the subscriber's last-sent time goes back to
    `previous_sent_at` (unless another email has been recorded since), so that the next
    sign-up or reminder is not held back."""
    Subscriber.objects.filter(
        pk=subscriber_id, confirmation_sent_at=datetime.fromisoformat(sent_at)
    ).update(
        confirmation_sent_at=datetime.fromisoformat(previous_sent_at) if previous_sent_at else None
    )


@retried_task(retry_on=(OSError,), on_give_up=signup_email_abandoned)
def send_signup_email(
    *,
    subscriber_id: int,
    signup_request_id: int | None,
    sent_at: str,
    previous_sent_at: str | None,
    language: str | None = None,
) -> None:
    """Mail what a sign-up calls for: the confirmation link of sign-up request
    `signup_request_id` (in the sign-up's language), or with none (the address is confirmed
    already) a link to manage its lists, in `language`, the sign-up page's, else the
    subscriber's. Raises EmailNotSent (try again later) or EmailRefused. `sent_at` and
    `previous_sent_at` (ISO times) are for signup_email_abandoned."""
    if signup_request_id is None:
        subscriber = Subscriber.objects.get(pk=subscriber_id)
        send = functools.partial(
            emails.send_already_subscribed, subscriber, language=language or subscriber.language
        )
    else:
        signup_request = SignupRequest.objects.select_related("subscriber").get(
            pk=signup_request_id
        )
        send = functools.partial(emails.send_confirmation, signup_request)
    _sent(send, subscriber_id)


def _queue_signup_email(*, subscriber, signup_request, sent_at, previous_sent_at, language=None):
    send_signup_email.enqueue(
        subscriber_id=subscriber.pk,
        signup_request_id=signup_request.pk if signup_request else None,
        sent_at=sent_at.isoformat(),
        previous_sent_at=previous_sent_at.isoformat() if previous_sent_at else None,
        language=language,
    )


def _check_language(language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"{language!r} is not a language the site is offered in.")


def subscribe(
    *,
    email: str,
    consent_text: str,
    lists: Iterable[MailingList] = (),
    name: str = "",
    organisation: str = "",
    country: Country | None = None,
    source_page: str = "",
    language: str | None = None,
) -> SignupResult:
    """Record a sign-up and queue the email its address's state calls for.

    A confirmed address is left as it is (whoever typed it may not own it) and is sent a link
    to manage its lists instead. Any other address (new, pending, unsubscribed) gets a
    SignupRequest holding the details, lists and consent, and a link to confirm it: nothing of
    an existing subscriber changes until its owner opens that link. An address mailed less
    than RESEND_INTERVAL ago is not mailed again and the sign-up is dropped. With no lists
    chosen the default list is used.

    `language` (one of settings.LANGUAGES; settings.LANGUAGE_CODE when not given) is the
    language of the page signed up on: the email is written in it and links to the pages in
    it, and confirming makes it the subscriber's.
    """
    if not consent_text.strip():
        raise ValidationError("Consent is required to subscribe.")
    language = language or settings.LANGUAGE_CODE
    _check_language(language)
    address = normalise_email(email)
    chosen = list(lists) or list(MailingList.objects.default())
    if any(not mailing_list.is_public for mailing_list in chosen):
        raise ValidationError("Only public lists can be chosen.")
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = _locked_subscriber(address)
        previous_sent_at = subscriber.confirmation_sent_at
        should_send = previous_sent_at is None or now - previous_sent_at >= RESEND_INTERVAL
        signup_request = None
        if should_send and not subscriber.is_confirmed:
            signup_request = SignupRequest(
                subscriber=subscriber,
                round=subscriber.confirmation_round + 1,
                name=name.strip(),
                organisation=organisation.strip(),
                country=country,
                consent_text=consent_text,
                source_page=source_page[:200],
                language=language,
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
    if should_send:
        _queue_signup_email(
            subscriber=subscriber,
            signup_request=signup_request,
            sent_at=now,
            previous_sent_at=previous_sent_at,
            language=language,
        )
    return SignupResult(subscriber=subscriber)


def signup_request_from_token(token: str, *, lock: bool = False) -> SignupRequest:
    """The sign-up a confirmation link was mailed for, with its subscriber (locked when
    `lock`, inside the caller's transaction). Reads only: opening a link shows what it would
    confirm.

    Raises TokenExpired once the sign-up is older than CONFIRMATION_MAX_AGE and not confirmed
    (SignupRequest.has_expired: its details are deleted from then on), TokenInvalid when the
    link was tampered with, for an address erased since, or for a sign-up its owner has
    unsubscribed from since.
    """
    subscriber_id, confirmation_round = tokens.read_confirmation_token(token)
    subscribers = Subscriber.objects.select_for_update() if lock else Subscriber.objects
    subscriber = subscribers.filter(pk=subscriber_id).first()
    signup_request = (
        SignupRequest.objects.filter(subscriber=subscriber, round=confirmation_round)
        .select_related("country")
        .first()
    )
    if subscriber is None or signup_request is None:
        raise TokenInvalid
    if signup_request.has_expired(timezone.now()):
        raise TokenExpired
    signup_request.subscriber = subscriber
    return signup_request


def confirm(*, token: str) -> Subscriber:
    """Apply the sign-up a link was mailed for: its details, lists and consent. Idempotent.
    The address comes off the suppression list: its owner has just consented anew (a bounce
    or complaint that put it there came before). Raises what signup_request_from_token
    raises."""
    now = timezone.now()
    with transaction.atomic():
        signup_request = signup_request_from_token(token, lock=True)
        subscriber = signup_request.subscriber
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
            subscriber.language = signup_request.language
            subscriber.save()
            _activate_lists(subscriber, signup_request.lists.all(), now)
            signup_request.confirmed_at = now
            signup_request.save(update_fields=["confirmed_at"])
            subscriber.signup_requests.exclude(pk=signup_request.pk).delete()
            suppressions.lift(email=subscriber.email)
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


def _fresh_link_key(subscriber_id: int) -> str:
    return f"newsletter:fresh-link:{subscriber_id}"


def manage_link_abandoned(*, subscriber_id: int) -> None:
    """The fresh link will not be sent: the subscriber may ask for one again at once."""
    cache.delete(_fresh_link_key(subscriber_id))


@retried_task(retry_on=(OSError,), on_give_up=manage_link_abandoned)
def send_manage_link(*, subscriber_id: int) -> None:
    """Mail the manage link; raises EmailNotSent (try again later) or EmailRefused."""
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    _sent(functools.partial(emails.send_manage_link, subscriber), subscriber_id)


def send_fresh_manage_link(*, subscriber_id: int) -> None:
    """Queue a new manage link to the subscriber's own stored address, at most once per
    RESEND_INTERVAL whoever asks."""
    if cache.add(_fresh_link_key(subscriber_id), True, timeout=RESEND_INTERVAL.total_seconds()):
        send_manage_link.enqueue(subscriber_id=subscriber_id)


def unsubscribe(*, subscriber: Subscriber) -> Subscriber:
    """Leave every list. Idempotent; the subscriptions stay as the record of consent."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if not subscriber.is_unsubscribed:
            subscriber.status = Subscriber.Status.UNSUBSCRIBED
            subscriber.unsubscribed_at = now
            subscriber.save(update_fields=["status", "unsubscribed_at", "updated_at"])
        subscriber.subscriptions.active().update(unsubscribed_at=now)
        # Links of earlier sign-ups must not bring back someone who has left.
        subscriber.signup_requests.all().delete()
    return subscriber


def update_preferences(
    *,
    subscriber: Subscriber,
    lists: Iterable[MailingList],
    consent_text: str = "",
    language: str | None = None,
) -> Subscriber:
    """Set which public lists a subscriber (who proved it by their manage link) receives.

    Lists staff manage (not public) are left alone. No list at all means unsubscribing.
    An unsubscribed subscriber choosing lists again is back, with the new consent recorded;
    their manage link proves they own the address, so no second confirmation is needed, and
    the address comes off the suppression list as with a confirmed sign-up.
    `language`, the language of the page the choice was made on, becomes the language of
    their emails.
    """
    chosen = list(lists)
    if any(not mailing_list.is_public for mailing_list in chosen):
        raise ValidationError("Only public lists can be chosen.")
    if language is not None:
        _check_language(language)
    if not chosen:
        return unsubscribe(subscriber=subscriber)
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if language is not None and language != subscriber.language:
            subscriber.language = language
            subscriber.save(update_fields=["language", "updated_at"])
        if subscriber.is_unsubscribed:
            if not consent_text.strip():
                raise ValidationError("Consent is required to subscribe again.")
            subscriber.status = Subscriber.Status.CONFIRMED
            subscriber.confirmed_at = now
            subscriber.unsubscribed_at = None
            subscriber.consent_text = consent_text
            subscriber.consented_at = now
            subscriber.save()
            # New consent, as a confirmed sign-up's: off the suppression list (a complaint
            # that unsubscribed them put the address there).
            suppressions.lift(email=subscriber.email)
        subscriber.subscriptions.active().filter(mailing_list__is_public=True).exclude(
            mailing_list__in=chosen
        ).update(unsubscribed_at=now)
        _activate_lists(subscriber, chosen, now)
    return subscriber


def _reminders_due(*, now: datetime, older_than: timedelta) -> QuerySet:
    """Sign-ups to remind: each address's latest, unconfirmed, older than `older_than` and
    younger than a confirmation link lives, its address not mailed for REMINDER_INTERVAL."""
    return (
        SignupRequest.objects.filter(
            confirmed_at__isnull=True,
            round=F("subscriber__confirmation_round"),
            requested_at__lte=now - older_than,
            requested_at__gte=now - REMINDER_WINDOW,
        )
        .exclude(subscriber__status=Subscriber.Status.CONFIRMED)
        .exclude(subscriber__confirmation_sent_at__gt=now - REMINDER_INTERVAL)
    )


def resend_confirmations(*, older_than: timedelta) -> int:
    """Queue a reminder for the latest unconfirmed sign-up of each address, once it is older
    than `older_than`, at most once a day; return how many were queued.

    Sign-ups older than a confirmation link's lifetime are left alone.
    """
    now = timezone.now()
    due = _reminders_due(now=now, older_than=older_than).values_list("pk", "subscriber_id")
    queued = 0
    for request_pk, subscriber_pk in list(due):
        with transaction.atomic():
            subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_pk).first()
            still_due = _reminders_due(now=now, older_than=older_than).filter(pk=request_pk)
            if subscriber is None or not still_due.exists():
                continue  # confirmed, left, erased or reminded by someone else meanwhile
            previous_sent_at = subscriber.confirmation_sent_at
            subscriber.confirmation_sent_at = now
            subscriber.save(update_fields=["confirmation_sent_at"])
        _queue_signup_email(
            subscriber=subscriber,
            signup_request=SignupRequest(pk=request_pk),
            sent_at=now,
            previous_sent_at=previous_sent_at,
        )
        queued += 1
    return queued
