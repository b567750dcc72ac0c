"""Starting, pausing, resuming and cancelling an issue's sending, and test sends.

The admin's first form of the sending interface: the status changes are the real ones
(conditional updates, so that two clicks or two staff members start an issue once), the
sending itself is the sending engine's (batches on the newsletter's task queue).
"""

from django.db import transaction
from django.utils import timezone

from newsletter.models import Subscriber

from . import messages
from .models import Issue

Status = Issue.Status


def recipient_count(issue) -> int:
    """How many subscribers the issue would go to now (the one audience rule)."""
    list_ids = list(issue.mailing_lists.values_list("pk", flat=True))
    return Subscriber.objects.recipients(list_ids).count()


def start(issue, *, user=None, at=None) -> bool:
    """Move a draft on: scheduled for `at`, or sending now. False when it had already been
    started (a second click, another staff member): the update only matches a draft."""
    now = timezone.now()
    later = at is not None and at > now
    with transaction.atomic():
        started = Issue.objects.filter(pk=issue.pk, status=Status.DRAFT).update(
            status=Status.SCHEDULED if later else Status.SENDING,
            send_at=at if later else now,
            started_at=None if later else now,
            recipient_count=recipient_count(issue),
            updated_at=now,
        )
    return started == 1


def pause(issue) -> bool:
    return _move(issue, {Status.SCHEDULED, Status.SENDING}, Status.PAUSED)


def resume(issue) -> bool:
    return _move(issue, {Status.PAUSED}, Status.SENDING)


def cancel(issue) -> bool:
    return _move(issue, {Status.SCHEDULED, Status.SENDING, Status.PAUSED}, Status.CANCELLED)


def _move(issue, from_states, to_state) -> bool:
    return (
        Issue.objects.filter(pk=issue.pk, status__in=from_states).update(
            status=to_state, updated_at=timezone.now()
        )
        == 1
    )


def send_test(issue, *, addresses: list[str], language=None) -> int:
    """The issue in `language` (else each of its languages) to `addresses`, filled with a
    subscriber who is not stored: its links lead nowhere that changes anyone's subscription."""
    languages = [language] if language else [v.language for v in issue.variants.all()]
    sent = 0
    for code in languages:
        rendered = messages.render(issue, code)
        for address in addresses:
            stand_in = Subscriber(email=address, language=rendered.language)
            sent += messages.personalised(rendered, subscriber=stand_in).send()
    return sent
