"""The editorial workflow every kind of public content shares: publications, editorial pages.

A row is Draft, In review, Published or Unpublished (`Status`: what an editor or a publisher
last decided), with a publish time and an optional unpublish time; what a visitor sees also
depends on the clock (`Publishable.state_at()`: Scheduled, and Unpublished once the unpublish
time has passed). `WorkflowQuerySet.published()` is the one definition of public for every
model that uses it, and `released()` the one definition of what only publishers may change.

Who may do what, checked here on the server whatever screen or command calls it:
- users who may change the model ("Editors"): save drafts and submit them for review;
- users with the model's publish permission (`<app>.publish_<model>`: "Publishers",
  superusers): also publish, schedule and unpublish, and change or delete rows whose status is
  Published (public, scheduled to be, or taken down by the clock).

Every change of state is `save()`, which the apps' services call: one revision, with who and
what (forumasia/history.py); a public row whose address (`get_absolute_url()`) changed leaves
a permanent redirect from the old one (forumasia/redirects.py). Each write notes the row for
the action's one change event (forumasia/events.py): a row that was public and is not any more
is a takedown. `transition_each()` serves the admin's list actions, `delete()` its deletes, and
`restore()` writes an older version back, keeping the status and dates as they are. Imports
no app.
"""

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

import reversion
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import events, history, redirects


class Status(models.TextChoices):
    """What an editor or publisher last decided. What a visitor sees also depends on the clock:
    `Publishable.state_at()` (Scheduled, and Unpublished once `unpublish_at` has passed)."""

    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class Transition(enum.StrEnum):
    """What a save does to the status; the admin's buttons, by value."""

    SAVE = "save"  # keep the status
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISH = "publish"
    SCHEDULE = "schedule"
    UNPUBLISH = "unpublish"


EDITOR_TRANSITIONS = (Transition.SAVE, Transition.DRAFT, Transition.REVIEW)
# The comment of the revision each transition makes (History lists them).
COMMENTS = {
    Transition.SAVE: "Changed",
    Transition.DRAFT: "Saved as draft",
    Transition.REVIEW: "Submitted for review",
    Transition.PUBLISH: "Published",
    Transition.SCHEDULE: "Scheduled",
    Transition.UNPUBLISH: "Unpublished",
}
# The publishing state is changed by the buttons only: restoring a version brings back what it
# said, never whether or when it is public.
PUBLISHING_STATE = ("status", "publish_at", "unpublish_at")


def editor_field():
    """An account that wrote a row, set by the services; kept as NULL when the account is
    deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


class WorkflowQuerySet(models.QuerySet):
    """The states of `Publishable` rows, in the editors' words; views, feeds, sitemaps and the
    admin combine them."""

    def published(self, now=None):
        """The public ones: status published, publish time reached and unpublish time (when
        set) not reached. The one definition."""
        now = now or timezone.now()
        return self.filter(
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            status=Status.PUBLISHED,
            publish_at__lte=now,
        )

    def scheduled(self, now=None):
        """Published by a publisher for a later time: they go public by the clock alone."""
        return self.filter(status=Status.PUBLISHED, publish_at__gt=now or timezone.now())

    def released(self):
        """Status Published, whatever the clock says (live, scheduled or expired): what only
        publishers may change, and the rows public pages show now or will show by the clock
        alone."""
        return self.filter(status=Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Status.DRAFT)

    def in_review(self):
        """Submitted by an editor, waiting for a publisher."""
        return self.filter(status=Status.REVIEW)

    def unpublished(self, now=None):
        """Taken down: by a publisher (status Unpublished) or by the clock (unpublish time
        passed)."""
        return self.filter(
            Q(status=Status.UNPUBLISHED)
            | Q(status=Status.PUBLISHED, unpublish_at__lte=now or timezone.now())
        )

    def next_publish_at(self, now=None):
        """The publish time of the next scheduled row (None if nothing is scheduled): a moment
        public pages change by the clock alone."""
        return (
            self.scheduled(now).order_by("publish_at").values_list("publish_at", flat=True).first()
        )

    def next_unpublish_at(self, now=None):
        """The next unpublish time still to come of a published row (None if none): the other
        moment public pages change by the clock alone."""
        now = now or timezone.now()
        return (
            self.filter(status=Status.PUBLISHED, unpublish_at__gt=now)
            .order_by("unpublish_at")
            .values_list("unpublish_at", flat=True)
            .first()
        )


class Publishable(models.Model):
    """Status, publish and unpublish times, and who wrote it when: what the workflow needs of a
    model. Its manager's queryset is (a subclass of) WorkflowQuerySet; its Meta declares the
    permission `publish_<model name>`."""

    Status = Status

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    publish_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        help_text=(
            "Time zone Asia/Bangkok (UTC+7). Once published, it is public from this time on; a "
            "future time schedules it."
        ),
    )
    unpublish_at = models.DateTimeField(
        "unpublish date",
        null=True,
        blank=True,
        help_text=(
            "Optional, Asia/Bangkok (UTC+7): it leaves the public site at this time by itself "
            "(the end of an embargo, an appeal with a deadline)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = editor_field()
    updated_by = editor_field()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="%(class)s_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=F("publish_at")),
                name="%(class)s_unpublished_after_published",
            ),
        ]

    def publishing_errors(self):
        """{field: message} for publishing dates that cannot be (the model's clean() adds
        them to its own)."""
        if self.unpublish_at and self.publish_at and self.unpublish_at <= self.publish_at:
            return {"unpublish_at": gettext("The unpublish date must be after the publish date.")}
        return {}

    def is_public_at(self, now):
        """The same rule as `published()`, for one object already in hand."""
        return (
            self.status == Status.PUBLISHED
            and self.publish_at <= now
            and (self.unpublish_at is None or now < self.unpublish_at)
        )

    @property
    def is_public(self):
        return self.is_public_at(timezone.now())

    def state_key_at(self, now):
        """The state of state_at() as a key: a status value, or "scheduled"."""
        if self.status == Status.PUBLISHED and now < self.publish_at:
            return "scheduled"
        if self.status == Status.PUBLISHED and not self.is_public_at(now):
            return Status.UNPUBLISHED.value
        return self.status

    def state_at(self, now):
        """Draft, In review, Scheduled, Published or Unpublished: the same words, by the same
        rules, as the queryset's drafts(), in_review(), scheduled(), published(), unpublished()."""
        if self.status != Status.PUBLISHED:
            return str(Status(self.status).label)
        if now < self.publish_at:
            return gettext("Scheduled")
        return str(Status.PUBLISHED.label if self.is_public_at(now) else Status.UNPUBLISHED.label)

    @property
    def is_scheduled(self):
        """Published for a time still to come (what state_at calls Scheduled)."""
        return self.status == Status.PUBLISHED and timezone.now() < self.publish_at

    @property
    def status_label(self):
        """What the list and the form show (see state_at)."""
        return self.state_at(timezone.now())


# --- Who may do what ----------------------------------------------------------------------------


def publish_permission(model) -> str:
    """`<app>.publish_<model>`: publish, schedule, unpublish and change what is released."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def may_publish(user, model) -> bool:
    return bool(user and user.has_perm(publish_permission(model)))


def may_change(user, obj: Publishable) -> bool:
    """Whether `user` (who may change such rows) may change this one: a row whose status is
    Published is the publishers' alone, or an editor could change what is public."""
    return obj.status != Status.PUBLISHED or may_publish(user, type(obj))


def transitions_for(obj: Publishable, user, *, now: datetime) -> list[Transition]:
    """The buttons `user` gets on `obj`'s form, in order (none: read only)."""
    if not may_change(user, obj):
        return []
    if not may_publish(user, type(obj)):
        return [Transition.DRAFT, Transition.REVIEW]
    if obj.status == Status.PUBLISHED:
        choices = [Transition.SAVE]
        if not obj.is_public_at(now):
            choices += [Transition.PUBLISH, Transition.SCHEDULE]
        return [*choices, Transition.UNPUBLISH]
    return [Transition.DRAFT, Transition.REVIEW, Transition.PUBLISH, Transition.SCHEDULE]


def check_transition(obj: Publishable, stored: Publishable | None, user, transition) -> None:
    """PermissionDenied unless `user` may make `transition` on `obj` (`stored`: the row as it
    is in the database, None for a new one)."""
    noun = type(obj)._meta.verbose_name
    if stored is not None and not may_change(user, stored):
        raise PermissionDenied(
            gettext("Only a publisher may change a published %(noun)s.") % {"noun": noun}
        )
    if transition not in EDITOR_TRANSITIONS and not may_publish(user, type(obj)):
        raise PermissionDenied(gettext("Only a publisher may publish, schedule or unpublish."))


def stored_row(obj: Publishable) -> Publishable | None:
    if obj.pk is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).first()


# --- Dates -----------------------------------------------------------------------------------


def publish_date_for(obj: Publishable, now: datetime) -> datetime:
    """The publish date "Publish now" gives: now, except for a row that was public and was
    taken down (by hand or by its unpublish date), which comes back with its own past date
    (its place in lists and feeds). A draft is never published with an old date."""
    if obj.is_public_at(now):
        return obj.publish_at
    was_taken_down = obj.status == Status.UNPUBLISHED or (
        obj.status == Status.PUBLISHED and obj.publish_at <= now
    )
    if was_taken_down and obj.publish_at <= now:
        return obj.publish_at
    return now


def describe_publish_date(obj: Publishable, now: datetime) -> str:
    """What the "Publish now" button tells before anyone clicks it."""
    date = publish_date_for(obj, now)
    if date == now:
        return gettext("Publish now: public at once, dated the moment you click.")
    shown = date_format(timezone.localtime(date), "DATETIME_FORMAT")
    return gettext("Publish now: public at once, keeping its original date (%(date)s).") % {
        "date": shown
    }


def apply_transition(obj: Publishable, transition: Transition, *, now: datetime) -> None:
    """Set the status and dates `transition` asks for on `obj` (not saved)."""
    if transition == Transition.DRAFT:
        obj.status = Status.DRAFT
    elif transition == Transition.REVIEW:
        obj.status = Status.REVIEW
    elif transition == Transition.PUBLISH:
        obj.publish_at = publish_date_for(obj, now)
        if obj.unpublish_at and obj.unpublish_at <= now:
            obj.unpublish_at = None
        obj.status = Status.PUBLISHED
    elif transition == Transition.SCHEDULE:
        if obj.publish_at <= now:
            raise ValidationError(
                {"publish_at": gettext("To schedule, set a publish date in the future.")}
            )
        obj.status = Status.PUBLISHED
    elif transition == Transition.UNPUBLISH and obj.status == Status.PUBLISHED:
        # A scheduled one was never public: it goes back to draft.
        obj.status = Status.DRAFT if obj.publish_at > now else Status.UNPUBLISHED


# --- Saving ----------------------------------------------------------------------------------


def leaves_public_pages(stored: Publishable, obj: Publishable, *, now: datetime) -> bool:
    """Whether saving `obj` over `stored` takes a public row off the site (unpublished, its date
    moved to later, its end brought within the time a page may be served stale): a takedown,
    which no cached page may outlive."""
    soon = now + timedelta(seconds=settings.PAGE_STALE_SECONDS)
    return stored.is_public_at(now) and not obj.is_public_at(soon)


def keep_address(obj: Publishable, stored: Publishable | None, *, now: datetime) -> None:
    """A public row whose address changed: its old address redirects to the new one. A row
    taking an address wins over a redirect from it once released: an editor's draft leaves
    the redirects visitors follow as they are (no public change without a publisher)."""
    new_path = obj.get_absolute_url()
    old_path = stored.get_absolute_url() if stored is not None else None
    # A sub-site's page lives on the sub-site's origin (an absolute address), and redirects are
    # the main site's paths: none is made to or from it.
    if not redirects.is_local_path(new_path):
        return
    moved_here = old_path not in (None, new_path) and redirects.is_local_path(old_path)
    if moved_here and stored.is_public_at(now):
        redirects.moved(old_path=old_path, new_path=new_path)
    elif obj.status == Status.PUBLISHED:
        redirects.claimed(path=new_path)


@transaction.atomic
def save(
    *,
    obj: Publishable,
    user,
    transition: Transition = Transition.SAVE,
    now: datetime | None = None,
    comment: str = "",
) -> Publishable:
    """Save `obj` (its fields as the editor left them) and make `transition`, as one revision.
    PermissionDenied when `user` may not; ValidationError when the transition cannot be made
    (scheduling without a future date)."""
    now = now or timezone.now()
    stored = stored_row(obj)
    check_transition(obj, stored, user, transition)
    apply_transition(obj, transition, now=now)
    if stored is None:
        obj.created_by = user
    obj.updated_by = user
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or COMMENTS[transition])
        obj.save()
        keep_address(obj, stored, now=now)
        reversion.add_to_revision(obj)
    events.changed(obj, takedown=stored is not None and leaves_public_pages(stored, obj, now=now))
    return obj


@transaction.atomic
def delete(*, objs: Iterable[Publishable], user) -> int:
    """Delete each of `objs` (the admin's delete button and list action); return how many.
    PermissionDenied, before anything is deleted, when `user` may not delete one of them."""
    objs = list(objs)
    for obj in objs:
        if not may_change(user, obj):
            noun = type(obj)._meta.verbose_name
            raise PermissionDenied(
                gettext("Only a publisher may delete a published %(noun)s.") % {"noun": noun}
            )
    events.changed(*objs, takedown=True)
    for obj in objs:
        obj.delete()
    return len(objs)


@transaction.atomic
def transition_each(
    objs: Iterable[Publishable],
    *,
    user,
    transition: Transition,
    now: datetime | None = None,
) -> int:
    """Make `transition` on each of `objs` (the list actions Publish now, Unpublish); return
    how many changed. Rows already in the state asked for are left as they are."""
    now = now or timezone.now()
    changed = 0
    for obj in objs:
        before = (obj.status, obj.publish_at, obj.unpublish_at)
        check_transition(obj, obj, user, transition)
        apply_transition(obj, transition, now=now)
        if (obj.status, obj.publish_at, obj.unpublish_at) == before:
            continue
        save(obj=obj, user=user, now=now, comment=COMMENTS[transition])
        changed += 1
    return changed


@transaction.atomic
def restore(*, version, user, now: datetime | None = None) -> history.Restored:
    """Write an older version back as a new revision: its text, fields and follow-ups; the
    current status and dates stay. Returns what was restored and what could not be (rows
    deleted since). ValidationError when the version's values no longer fit (an address
    another row took since)."""
    now = now or timezone.now()
    stored = version._model._default_manager.get(pk=version.object_id)
    check_transition(stored, stored, user, Transition.SAVE)
    shown = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version of {shown}")
        restored = history.restore(
            version=version, keep=(*PUBLISHING_STATE, "created_at", "created_by_id")
        )
        obj = restored.obj
        obj.updated_by = user
        obj.save()
        keep_address(obj, stored, now=now)
        reversion.add_to_revision(obj)
    events.changed(obj)
    return restored
