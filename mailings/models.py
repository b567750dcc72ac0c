"""The monthly e-newsletter's issues (what is sent), their per-language variants and items,
and the ledger of deliveries (to whom, and whether it went).

Content apart from delivery, as django-newsletter keeps Message apart from Submission; unlike
it, one Delivery row per recipient, unique on (issue, subscriber), is what lets a send stopped
at any moment resume without mailing anyone twice (mailings/sending.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forumasia.sanitise import clean_html
from newsletter.models import MailingList, Subscriber, default_language, language_choices


class IssueQuerySet(models.QuerySet):
    def sent(self):
        """Issues whose sending has finished: the public archive shows these, and only these."""
        return self.filter(status=Issue.Status.SENT)

    def due(self, now):
        """Scheduled issues whose time has come."""
        return self.filter(status=Issue.Status.SCHEDULED, send_at__lte=now)

    def archive(self):
        """The public archive as it is listed (the newsletter page, its archive page, feeds,
        sitemap): sent issues, newest first by when their sending began (`sent_on`), each with
        its language variants."""
        sent_on = Coalesce("started_at", "finished_at", "updated_at")
        return (
            self.sent()
            .annotate(sent_on=sent_on)
            .order_by("-sent_on", "-pk")
            .prefetch_related("variants")
        )


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    slug = models.SlugField(
        max_length=80,
        unique=True,
        help_text="The web version's address once sent: /newsletter/<slug>/.",
    )
    mailing_lists = models.ManyToManyField(
        MailingList,
        related_name="+",
        help_text="Sent to the confirmed subscribers of these lists, once each.",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    send_at = models.DateTimeField(
        null=True, blank=True, help_text="When a scheduled issue starts sending."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(
        default=0, help_text="Recipients written to the ledger when sending started."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "newsletter issue"
        permissions = [("send_issue", "Can send newsletter issues")]

    def __str__(self):
        variant = self.variant(settings.LANGUAGE_CODE)
        return variant.subject if variant else self.slug

    def get_absolute_url(self):
        return reverse("mailings:issue", args=[self.slug])

    def variant(self, language):
        """The variant in `language`, else English (the one every issue has first), else any."""
        variants = {v.language: v for v in self.variants.all()}
        return (
            variants.get(language)
            or variants.get(settings.LANGUAGE_CODE)
            or next(iter(variants.values()), None)
        )

    @property
    def is_sent(self):
        return self.status == self.Status.SENT


class IssueVariant(models.Model):
    """One issue in one language: what its subscribers in that language read."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(max_length=10, choices=language_choices, default=default_language)
    subject = models.CharField(max_length=200)
    preheader = models.CharField(
        max_length=200, blank=True, help_text="The line inboxes show after the subject."
    )
    introduction = models.TextField(blank=True)

    class Meta:
        ordering = ["issue", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "language"], name="mailings_one_variant_per_language"
            )
        ]

    def __str__(self):
        return f"{self.subject} ({self.language})"

    def save(self, *args, **kwargs):
        self.introduction = clean_html(self.introduction)
        super().save(*args, **kwargs)


class IssueItem(models.Model):
    """A publication in an issue, in the order staff put them."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="items")
    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "publication"], name="mailings_one_item_per_publication"
            )
        ]

    def __str__(self):
        return f"{self.publication} in {self.issue}"


class DeliveryQuerySet(models.QuerySet):
    def to_send(self, now):
        """Deliveries still owed: never tried, or deferred by a temporary refusal whose wait
        is over."""
        return self.filter(
            Q(state=Delivery.State.PENDING, next_attempt_at__isnull=True)
            | Q(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        )


class Delivery(models.Model):
    """One recipient of one issue: the sending ledger. Holds no address (the subscriber's row
    does; an erased subscriber leaves the row without one, so the issue's counts stay)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=10, choices=language_choices)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(
        max_length=300, blank=True, help_text="The mail server's last refusal (code and text)."
    )

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="mailings_one_delivery_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["issue", "state"], name="mailings_delivery_issue_state")]

    def __str__(self):
        return f"Delivery {self.pk} of issue {self.issue_id}: {self.state}"
