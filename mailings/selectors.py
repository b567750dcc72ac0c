"""What the admin reads about issues: their delivery counts, in one query however many issues.

No tracking feeds these counts: they come from the ledger (Delivery.state, set by the sender,
the bounce mailbox and the email service's webhooks) and from the subscribers' own
unsubscribing, nothing from opening a message or following a link.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q

from .models import Delivery, Issue

# Gmail's and Yahoo's bulk sender rules: aim under 0.1%, never reach 0.3%.
COMPLAINT_RATE_GOAL = Decimal("0.001")
COMPLAINT_RATE_LIMIT = Decimal("0.003")

State = Delivery.State
COUNTS = {
    # Accepted by the mail server: later bounces and complaints were sent too.
    "sent_count": Q(deliveries__sent_at__isnull=False),
    "failed_count": Q(deliveries__state=State.FAILED),
    "bounced_count": Q(deliveries__state=State.BOUNCED),
    "complained_count": Q(deliveries__state=State.COMPLAINED),
    # Left every list after this issue reached them.
    "unsubscribed_count": Q(deliveries__subscriber__unsubscribed_at__gt=F("deliveries__sent_at")),
}


def with_delivery_counts(queryset):
    """Issues annotated with sent_count, failed_count, bounced_count, complained_count and
    unsubscribed_count (one join on the ledger, so one query for a whole changelist page)."""
    return queryset.annotate(
        **{name: Count("deliveries", filter=condition) for name, condition in COUNTS.items()}
    )


@dataclass(frozen=True)
class IssueCounts:
    sent: int
    failed: int
    bounced: int
    complained: int
    unsubscribed: int

    @classmethod
    def of(cls, annotated_issue):
        """From an issue of with_delivery_counts()."""
        return cls(*(getattr(annotated_issue, name) for name in COUNTS))

    @property
    def complaint_rate(self) -> Decimal | None:
        """Complaints per message sent; None before anything was sent."""
        if not self.sent:
            return None
        return Decimal(self.complained) / Decimal(self.sent)

    @property
    def complaint_level(self) -> str:
        """ "good" under the goal, "warning" from the goal, "over" from the limit, "none"
        before anything was sent."""
        rate = self.complaint_rate
        if rate is None:
            return "none"
        if rate >= COMPLAINT_RATE_LIMIT:
            return "over"
        if rate >= COMPLAINT_RATE_GOAL:
            return "warning"
        return "good"


def issue_counts(issue) -> IssueCounts:
    return IssueCounts.of(with_delivery_counts(Issue.objects.filter(pk=issue.pk)).get())
