"""A person's rights over what we hold on them: a copy of it (a data-subject access request)
and its erasure, which removes them everywhere and keeps only an anonymous count; and how long
we keep what someone typed into a sign-up they never confirmed."""

import json
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from forumasia.mail import forget_messages_to

from . import exports, suppressions
from .models import Erasure, SignupRequest, Subscriber, SubscriberExport
from .tokens import CONFIRMATION_MAX_AGE

ERASED = "[erased]"
# A name or local part shorter than this is too common a piece of text to hunt for.
SHORTEST_TRACE = 3


def _time(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def export_subscriber_data(*, subscriber: Subscriber, user_id: int | None = None) -> dict:
    """Everything we hold on one person, logged as an export."""
    subscriptions = subscriber.subscriptions.select_related("mailing_list").order_by("pk")
    exports.log_export(
        via="admin",
        fmt=SubscriberExport.Format.JSON,
        filters={"one subscriber's data": True},
        row_count=1,
        user_id=user_id,
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
        "language": subscriber.language,
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
                "language": signup.language,
            }
            for signup in subscriber.signup_requests.select_related("country").order_by("pk")
        ],
        "stored_about_your_visits": "Nothing: no IP address or browser details are kept.",
    }


def _traces(subscriber: Subscriber) -> set[str]:
    """The texts that identify this person in logs (lower case): the address, its local part,
    every name they gave, also as JSON escapes it (change messages are JSON)."""
    names = {subscriber.name, *subscriber.signup_requests.values_list("name", flat=True)}
    found = {subscriber.email, subscriber.email.split("@")[0], *names}
    found = {text.strip().lower() for text in found if len(text.strip()) >= SHORTEST_TRACE}
    return found | {json.dumps(text)[1:-1] for text in found}


def erase(*, subscriber: Subscriber, by=None) -> Erasure:
    """Delete a subscriber's personal data for good, keeping only an anonymous count.

    The person goes everywhere they are: the row, its subscriptions and sign-ups (deleted with
    it), the admin's history, the export files kept for download (rewritten without them;
    exports being prepared are cancelled) and the emails the file backend wrote to them. The
    export log holds no typed text to clean (exports.describe_filters). The address stays on
    the suppression list as a digest only, so that no issue is sent to it until its owner signs
    up again and confirms.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        traces = _traces(subscriber)
        mentions = Q(
            content_type=ContentType.objects.get_for_model(Subscriber),
            object_id=str(subscriber.pk),
        )
        for trace in traces:
            mentions |= Q(object_repr__icontains=trace) | Q(change_message__icontains=trace)
        LogEntry.objects.filter(mentions).update(object_repr=ERASED, change_message="")
        erasure = Erasure.objects.create(erased_by=by, status=subscriber.status)
        subscriber.delete()
        suppressions.suppress_erased(email=subscriber.email)
        # Files last: a failure before them rolls everything back with nothing rewritten.
        exports.forget_subscriber(email=subscriber.email)
        forget_messages_to(_header_forms(subscriber.email))
    return erasure


def _header_forms(email: str) -> set[str]:
    """`email` as stored (an international domain in Unicode) and as mail headers carry it."""
    local, _, domain = email.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = domain
    return {email, f"{local}@{ascii_domain}"}


def delete_expired_signups(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete what sign-ups never confirmed left once their link has expired: the sign-ups
    (name, organisation, lists, consent typed for them) and the addresses that then have no
    sign-up and were never confirmed. Addresses that once confirmed stay, as the record of
    their consent. Returns (sign-ups, addresses) deleted."""
    now = now or timezone.now()
    with transaction.atomic():
        _, deleted = SignupRequest.objects.expired(now).delete()
        never_confirmed = (
            ~Exists(SignupRequest.objects.filter(subscriber=OuterRef("pk"))),
            Q(status=Subscriber.Status.PENDING, created_at__lt=now - CONFIRMATION_MAX_AGE),
        )
        # Locked, then checked again: a sign-up for one of these addresses that committed while
        # we waited for its lock keeps it.
        locked = Subscriber.objects.select_for_update().filter(*never_confirmed)
        _, addresses = Subscriber.objects.filter(
            *never_confirmed, pk__in=list(locked.values_list("pk", flat=True))
        ).delete()
    return (
        deleted.get(SignupRequest._meta.label, 0),
        addresses.get(Subscriber._meta.label, 0),
    )
