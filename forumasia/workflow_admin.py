"""The workflow in the admin, for every model that has one (forumasia/workflow.py), and the
guard on rows that released items show (themes, partners).

`WorkflowAdminMixin` goes before HistoryAdminMixin in a model admin's bases. Every save is the
app's service (`save_with_transition()`, which the admin names) with the transition of the
button pressed ("Save draft", "Submit for review", "Publish now", "Schedule", "Unpublish", or
"Save changes" which keeps the status); the form checks the same rules first, so a refused
transition is a message on the form with the editor's input kept. Editors (no publish
permission) get read-only forms for rows whose status is Published, no publishing actions and
no way to delete them.

`ReleasedRowsAdminMixin` is for rows several items share (a theme, a partner organisation):
editors add them and change or delete those no released item shows yet; changing or deleting
one that a released item shows is a publisher's (read-only form with the reason, 403 on POST).
Their saves and deletes note the rows for the action's change event (forumasia/events.py), as
`ChangeEventAdminMixin` does for any model the admin alone writes (sub-sites). Imports no app.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import events, workflow
from .workflow import Transition

BUTTONS = {
    Transition.SAVE: _("Save changes"),
    Transition.DRAFT: _("Save draft"),
    Transition.REVIEW: _("Submit for review"),
    Transition.PUBLISH: _("Publish now"),
    Transition.SCHEDULE: _("Schedule"),
    Transition.UNPUBLISH: _("Unpublish"),
}
TRANSITION = "_transition"


class WorkflowForm(forms.ModelForm):
    """Checks the button pressed (`transition`) for `user` at `now`; set by the admin."""

    transition = Transition.SAVE
    user = None
    now = None

    def _post_clean(self):
        super()._post_clean()
        obj = self.instance
        try:
            workflow.check_transition(obj, workflow.stored_row(obj), self.user, self.transition)
        except PermissionDenied as refused:
            self.add_error(None, str(refused))
            return
        if self.transition == Transition.SCHEDULE and "publish_at" not in self.errors:
            publish_at = self.cleaned_data.get("publish_at")
            if publish_at and publish_at <= self.now:
                self.add_error(
                    "publish_at", gettext("To schedule, set a publish date in the future.")
                )


def state_then(model, values, moment):
    """The state a version of a `model` row was in when it was saved (Scheduled, Published...)."""
    fields = {name: values.get(name) for name in workflow.PUBLISHING_STATE}
    return model(**fields).state_at(moment) if fields["publish_at"] else ""


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", gettext("Draft")),
            ("review", gettext("In review")),
            ("scheduled", gettext("Scheduled")),
            ("published", gettext("Published")),
            ("unpublished", gettext("Unpublished")),
        ]

    def queryset(self, request, queryset):
        choices = {
            "draft": queryset.drafts,
            "review": queryset.in_review,
            "scheduled": queryset.scheduled,
            "published": queryset.published,
            "unpublished": queryset.unpublished,
        }
        return choices[self.value()]() if self.value() in choices else queryset


class WorkflowAdminMixin:
    """For an admin of a `workflow.Publishable` model; the admin names its app's services in
    `save_with_transition()`, `publish_selected()`, `unpublish_selected()` and
    `restore_with_service()`."""

    change_form_template = "admin/workflow/change_form.html"
    restore_note = _(
        "Its status and dates stay as they are now: publish, schedule or unpublish with the "
        "buttons on the form."
    )

    def save_with_transition(self, request, obj, transition, now):
        raise NotImplementedError

    def publish_selected(self, request, queryset) -> int:
        raise NotImplementedError

    def unpublish_selected(self, request, queryset) -> int:
        raise NotImplementedError

    def restore_with_service(self, request, version):
        raise NotImplementedError

    # --- who may do what ---

    def has_publish_permission(self, request):
        return workflow.may_publish(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or workflow.may_change(request.user, obj))

    def delete_model(self, request, obj):
        workflow.delete(objs=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        # The list's bulk delete asks only for the model-wide permission: workflow.delete()
        # checks each row.
        workflow.delete(objs=queryset, user=request.user)

    # --- the form ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        try:
            transition = Transition(request.POST.get(TRANSITION, Transition.SAVE))
        except ValueError:
            transition = Transition.SAVE
        # A fresh class each call (modelform_factory): per-request attributes are safe on it.
        form.transition, form.user, form.now = transition, request.user, timezone.now()
        return form

    def save_model(self, request, obj, form, change):
        self.save_with_transition(request, obj, form.transition, form.now)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        now = timezone.now()
        current = obj or self.model()
        transitions = workflow.transitions_for(current, request.user, now=now)
        context.update(
            workflow_buttons=[(choice.value, BUTTONS[choice]) for choice in transitions],
            publish_note=(
                workflow.describe_publish_date(current, now)
                if Transition.PUBLISH in transitions
                else ""
            ),
            read_only_note=(
                ""
                if transitions or obj is None
                else gettext("Published: only a publisher can change it or take it down.")
            ),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._after_save(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def response_change(self, request, obj):
        return self._after_save(request, obj) or super().response_change(request, obj)

    def _after_save(self, request, obj):
        """After a workflow button: back to the same form, saying where the item now stands."""
        if TRANSITION not in request.POST:
            return None
        self.message_user(
            request,
            gettext("“%(object)s” is saved: %(status)s.")
            % {"object": obj, "status": obj.status_label},
            messages.SUCCESS,
        )
        return redirect(self._url("change", obj.pk))

    # --- the list ---

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        label = obj.status_label
        # The class names the state in English whatever the language the label is in.
        state = obj.state_key_at(timezone.now())
        css = "in-review" if state == "review" else state
        return format_html('<span class="pub-badge pub-badge--{}">{}</span>', css, label)

    @admin.display(description=_("preview"))
    def preview_link(self, obj):
        if not obj or not obj.pk:
            return gettext("Save first to preview.")
        text = gettext("View on site") if obj.is_public else gettext("Preview")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), text
        )

    @admin.action(description=_("Publish now"), permissions=["publish"])
    def publish_now(self, request, queryset):
        count = self.publish_selected(request, queryset)
        noun = self.model._meta.verbose_name
        self.message_user(
            request,
            gettext("%(count)s %(noun)s(s) published; they are public now.")
            % {"count": count, "noun": noun},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish"), permissions=["publish"])
    def unpublish(self, request, queryset):
        count = self.unpublish_selected(request, queryset)
        noun = self.model._meta.verbose_name
        self.message_user(
            request,
            gettext("%(count)s %(noun)s(s) taken off the public site.")
            % {"count": count, "noun": noun},
            messages.SUCCESS,
        )

    # --- history ---

    def restore_version(self, request, version):
        # A refusal is shown as the reason the version cannot be restored.
        try:
            return self.restore_with_service(request, version)
        except PermissionDenied as refused:
            raise ValidationError(str(refused)) from refused


class ChangeEventAdminMixin:
    """For a model the admin is the only writer of (no service): each save and delete notes the
    rows for the action's one change event (forumasia/events.py), sent when it commits."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        events.changed(obj)

    def delete_model(self, request, obj):
        events.deleting(obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The list's bulk delete runs outside the admin's transaction: the event is sent when
        # the rows are gone.
        events.deleting(*queryset)
        super().delete_queryset(request, queryset)


class ReleasedRowsAdminMixin(ChangeEventAdminMixin):
    """For a model whose rows released items show (see the module docstring). The admin names
    them in `released_rows()`, a queryset of the model (the model's own rule), and the
    permission that may change them in `publish_permission`."""

    publish_permission = ""
    change_form_template = "admin/workflow/released_row_change_form.html"
    released_note = _(
        "Public pages show this: only a publisher can change or delete it. Ask a publisher, "
        "or use it as it is."
    )

    def released_rows(self):
        raise NotImplementedError

    def may_change_released(self, request):
        return request.user.has_perm(self.publish_permission)

    def is_released(self, obj):
        return self.released_rows().filter(pk=obj.pk).exists()

    def _allowed_on(self, request, obj):
        return obj is None or self.may_change_released(request) or not self.is_released(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._allowed_on(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._allowed_on(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        # The list's bulk delete asks only for the model-wide permission.
        if (
            not self.may_change_released(request)
            and queryset.filter(pk__in=self.released_rows().values("pk")).exists()
        ):
            noun = self.model._meta.verbose_name_plural
            raise PermissionDenied(
                gettext("Only a publisher may delete %(noun)s public pages show.") % {"noun": noun}
            )
        super().delete_queryset(request, queryset)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not self._allowed_on(request, obj):
            context["read_only_note"] = self.released_note
        return super().render_change_form(request, context, add, change, form_url, obj)
