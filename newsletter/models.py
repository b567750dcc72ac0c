"""Mailing lists, the people who asked to receive them, and the log of every export.

Only newsletter/subscriptions.py and newsletter/data_protection.py change subscribers; the
models hold the invariants the database can enforce itself (one row per address whatever its
case, one default list) and the querysets name what staff ask for ("on a list", "confirmed
subscribers"), each rule written once.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forumasia.text import one_line

from .tokens import CONFIRMATION_MAX_AGE

# What a subscriber types (or a sign-up carries) that becomes a line of a CSV export.
TYPED_TEXT_FIELDS = ("name", "organisation", "source_page")


def _clean_typed_text(instance):
    """The fields of TYPED_TEXT_FIELDS as one line each, without control characters: they reach
    CSV files, spreadsheets and terminals. The model's own invariant, whatever saves it."""
    for name in TYPED_TEXT_FIELDS:
        setattr(instance, name, one_line(getattr(instance, name)).strip())


def language_choices():
    """The languages the site is offered in. A callable, so that the migrations name this
    function rather than copy settings.LANGUAGES: adding a language needs no migration."""
    return settings.LANGUAGES


def default_language():
    return settings.LANGUAGE_CODE


def language_field():
    """The language of the pages a person signed up on: their emails are written in it and
    link to the pages in it."""
    return models.CharField(
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text="Emails are written in this language and link to the pages in it.",
    )


def active_subscription(through: str = "") -> Q:
    """The one rule for a subscription that is active: its subscriber has not left the list.
    `through` reaches Subscription from another model ("subscriptions__"), so that the rule
    joins in the caller's own query."""
    return Q(**{f"{through}unsubscribed_at__isnull": True})


class MailingListQuerySet(models.QuerySet):
    def public(self):
        """Lists a visitor may choose on the sign-up and manage pages."""
        return self.filter(is_public=True)

    def default(self):
        """The list a sign-up that chooses none joins (at most one: a constraint says so)."""
        return self.filter(is_default=True)

    def joined_by(self, subscriber):
        """The lists `subscriber` is on now: joined and not left."""
        return self.filter(
            active_subscription("subscriptions__"), subscriptions__subscriber=subscriber
        )

    def with_confirmed_subscriber_count(self):
        """Each list with `confirmed_subscribers`: confirmed subscribers who are on it now."""
        return self.annotate(
            confirmed_subscribers=models.Count(
                "subscriptions",
                filter=active_subscription("subscriptions__")
                & Q(subscriptions__subscriber__status=Subscriber.Status.CONFIRMED),
            )
        )


class MailingList(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300, blank=True)
    is_public = models.BooleanField(
        "offered to visitors",
        default=True,
        help_text="Visitors can choose only public lists; others are managed by staff.",
    )
    is_default = models.BooleanField(
        "default list",
        default=False,
        help_text="Sign-ups that choose no list (the footer form) join this one. Only one list "
        "can be the default.",
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    objects = MailingListQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="newsletter_one_default_list",
            )
        ]

    def __str__(self):
        return self.name


def address_digest(email: str) -> str:
    """A suppressed address as the suppression list keeps it once its owner is erased: a
    SHA-256 of the lower-cased address, enough to recognise it again, not to read it."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class SubscriberQuerySet(models.QuerySet):
    def recipients(self, mailing_list_ids):
        """Who an issue sent to these lists goes to: confirmed subscribers with an active
        subscription (SubscriptionQuerySet.active(), the one rule) to at least one of them,
        each once, and never an address on the suppression list."""
        on_lists = Subscription.objects.active().filter(mailing_list_id__in=mailing_list_ids)
        return self.filter(
            status=Subscriber.Status.CONFIRMED,
            pk__in=on_lists.values("subscriber_id"),
        ).exclude(email__in=Suppression.objects.exclude(email="").values("email"))

    def on_list(self, slug: str):
        """Subscribers on the list `slug` now (not those who left it), whatever their status."""
        return self.filter(
            active_subscription("subscriptions__"), subscriptions__mailing_list__slug=slug
        )


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(
        max_length=254, help_text="Stored in lower case; unique whatever the case."
    )
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    country = models.ForeignKey(
        "members.Country", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lists = models.ManyToManyField(
        MailingList, through="Subscription", related_name="subscribers", blank=True
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    consent_text = models.TextField(blank=True, help_text="The words the person agreed to.")
    consented_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last confirmation or reminder email; limits how often one address is mailed.",
    )
    # The round of the latest SignupRequest: each sign-up that is mailed a link gets the next.
    confirmation_round = models.PositiveIntegerField(default=1)
    source_page = models.CharField(max_length=200, blank=True)
    language = language_field()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_unique_ci"),
        ]
        permissions = [("export_subscribers", "Can export subscribers")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        _clean_typed_text(self)
        super().save(*args, **kwargs)

    @property
    def is_confirmed(self):
        return self.status == self.Status.CONFIRMED

    @property
    def is_unsubscribed(self):
        return self.status == self.Status.UNSUBSCRIBED


class SignupRequestQuerySet(models.QuerySet):
    def expired(self, now):
        """Sign-ups never confirmed whose link no longer works (SignupRequest.has_expired)."""
        return self.filter(confirmed_at__isnull=True, requested_at__lt=now - CONFIRMATION_MAX_AGE)


class SignupRequest(models.Model):
    """A sign-up waiting for the address's owner: what it asks for (details, lists, consent)
    touches the subscriber only when the link mailed for it is opened, so typing someone
    else's address changes nothing of theirs. Kept once confirmed, so that opening the same
    link again is harmless; unsubscribing and erasing delete it, and one never confirmed is
    deleted once its link has expired (data_protection.delete_expired_signups)."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="signup_requests"
    )
    round = models.PositiveIntegerField(help_text="Named in the link mailed for this sign-up.")
    name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    country = models.ForeignKey(
        "members.Country", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lists = models.ManyToManyField(MailingList, blank=True, related_name="+")
    consent_text = models.TextField()
    source_page = models.CharField(max_length=200, blank=True)
    language = language_field()
    requested_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SignupRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "round"], name="newsletter_one_signup_request_per_round"
            )
        ]

    def __str__(self):
        return f"Sign-up {self.round} of subscriber {self.subscriber_id}"

    def save(self, *args, **kwargs):
        _clean_typed_text(self)
        super().save(*args, **kwargs)

    @property
    def expires_at(self):
        """When its link stops working: CONFIRMATION_MAX_AGE after the sign-up, however many
        reminders carried it since."""
        return self.requested_at + CONFIRMATION_MAX_AGE

    def has_expired(self, now) -> bool:
        return self.confirmed_at is None and now > self.expires_at


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Subscriptions whose subscriber is on the list now."""
        return self.filter(active_subscription())


class Subscription(models.Model):
    """One subscriber on one list; kept after unsubscribing as the record of consent."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    mailing_list = models.ForeignKey(
        MailingList, on_delete=models.CASCADE, related_name="subscriptions"
    )
    subscribed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "mailing_list"], name="newsletter_one_subscription_per_list"
            )
        ]

    def __str__(self):
        return f"{self.subscriber} on {self.mailing_list}"

    @property
    def is_active(self):
        """active_subscription() for one row already loaded."""
        return self.unsubscribed_at is None


class SubscriberExportQuerySet(models.QuerySet):
    def expired(self, now=None):
        """Files ready to download for longer than NEWSLETTER_EXPORT_HOURS: to be deleted."""
        now = now or timezone.now()
        limit = now - timedelta(hours=settings.NEWSLETTER_EXPORT_HOURS)
        return self.filter(file_state=SubscriberExport.FileState.READY, finished_at__lte=limit)


class SubscriberExport(models.Model):
    """Who exported which subscribers, when and how many: the audit log staff must keep.

    `filters` names the kinds of filter used and how many values each had, never the values
    typed: a search for a person's name or address would outlive that person's erasure
    (exports.describe_filters). A large export is prepared as a file by a task
    (exports.write_export_file) and kept in private storage until staff download it, for
    NEWSLETTER_EXPORT_HOURS; `file_state` follows it. Exports streamed to the browser or
    written by the command keep no file."""

    class Format(models.TextChoices):
        CSV_BOM = "csv-bom", _("CSV for spreadsheets (UTF-8 with BOM)")
        CSV = "csv", _("CSV (UTF-8, no BOM)")
        JSON = "json", _("JSON (one subscriber's data)")

    class FileState(models.TextChoices):
        NONE = "", "No file kept"
        PREPARING = "preparing", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled: a subscriber was erased meanwhile"
        DELETED = "deleted", "Deleted after its time"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    via = models.CharField(max_length=20, help_text="admin or command")
    created_at = models.DateTimeField(auto_now_add=True)
    filters = models.JSONField(
        default=dict,
        blank=True,
        help_text="The kinds of filter used and how many values each had; never what was typed.",
    )
    pending_query = models.TextField(
        blank=True,
        help_text="The subscriber list's query string (its filters and search, URL-encoded) "
        "for a file being prepared; emptied as soon as the file is written or the export ends "
        "otherwise.",
    )
    row_count = models.PositiveIntegerField()
    format = models.CharField(max_length=10, choices=Format.choices)
    file_state = models.CharField(
        "file", max_length=10, choices=FileState.choices, default=FileState.NONE, blank=True
    )
    stored_name = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "subscriber export"

    def __str__(self):
        return f"{self.row_count} rows by {self.user or self.via} on {self.created_at:%Y-%m-%d}"


class Erasure(models.Model):
    """An erased subscriber leaves only this: when, by whom, and what status they had."""

    erased_at = models.DateTimeField(auto_now_add=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=20, choices=Subscriber.Status.choices)

    class Meta:
        ordering = ["-erased_at"]

    def __str__(self):
        return f"Erased {self.get_status_display().lower()} subscriber, {self.erased_at:%Y-%m-%d}"


class Suppression(models.Model):
    """An address the newsletter is never sent to: it bounced for good, its owner marked a
    message as spam, staff added it, or its subscriber was erased. For an erasure only the
    digest is kept (no address); for the others the address too, so that the recipients'
    query can leave it out. A new confirmed sign-up lifts it (subscriptions.confirm)."""

    class Reason(models.TextChoices):
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        ERASURE = "erasure", "Erased subscriber"
        MANUAL = "manual", "Added by staff"

    email = models.EmailField(max_length=254, blank=True, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(
        max_length=300, blank=True, help_text="The mail server's or service's words, if any."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.email or 'erased address'}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        if self.email:
            self.digest = address_digest(self.email)
        super().save(*args, **kwargs)
