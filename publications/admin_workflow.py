"""The publication form's workflow: buttons that say what they do, who may press them, history.

`WorkflowAdminMixin` goes before HistoryAdminMixin in PublicationAdmin's bases. Every save is
`services.save_publication()` with the transition of the button pressed ("Save draft",
"Submit for review", "Publish now", "Schedule", "Unpublish", or "Save changes" which keeps the
status); the form checks the same rules first, so a refused transition is a message on the
form with the editor's input kept. Editors (no publish permission) get read-only forms for
publications whose status is Published, no publishing actions and no way to delete them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from forumasia.history import follow_up_versions
from forumasia.history_admin import field_value
from forumasia.redirects import show_address

from . import services
from .models import PartnerOrganisation, Publication
from .services import Transition

BUTTONS = {
    Transition.SAVE: "Save changes",
    Transition.DRAFT: "Save draft",
    Transition.REVIEW: "Submit for review",
    Transition.PUBLISH: "Publish now",
    Transition.SCHEDULE: "Schedule",
    Transition.UNPUBLISH: "Unpublish",
}
TRANSITION = "_transition"


def publication_address(slug):
    return reverse("publications:publication-detail", kwargs={"slug": slug})


class WorkflowForm(forms.ModelForm):
    """Checks the button pressed (`transition`) for `user` at `now`; set by the admin."""

    transition = Transition.SAVE
    user = None
    now = None

    def _post_clean(self):
        super()._post_clean()
        publication = self.instance
        try:
            services.check_transition(
                publication, services.stored_row(publication), self.user, self.transition
            )
        except PermissionDenied as refused:
            self.add_error(None, str(refused))
            return
        if self.transition == Transition.SCHEDULE and "publish_at" not in self.errors:
            publish_at = self.cleaned_data.get("publish_at")
            if publish_at and publish_at <= self.now:
                self.add_error("publish_at", "To schedule, set a publish date in the future.")


def state_then(values, moment):
    """The state a version was in when it was saved (Scheduled, Published...)."""
    fields = {name: values.get(name) for name in services.PUBLISHING_STATE}
    return Publication(**fields).state_at(moment) if fields["publish_at"] else ""


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
            ("unpublished", "Unpublished"),
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
    change_form_template = "admin/publications/publication/change_form.html"
    restore_note = (
        "Its status and dates stay as they are now: publish, schedule or unpublish with the "
        "buttons on the form."
    )

    # --- who may do what ---

    def has_publish_permission(self, request):
        return services.may_publish(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.may_change(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or services.may_change(request.user, obj))

    def delete_queryset(self, request, queryset):
        # The list's bulk delete asks only for the model-wide permission.
        if not services.may_publish(request.user) and queryset.released().exists():
            raise PermissionDenied("Only a publisher may delete a published publication.")
        super().delete_queryset(request, queryset)

    # --- the form ---

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        try:
            transition = Transition(request.POST.get(TRANSITION, Transition.SAVE))
        except ValueError:
            transition = Transition.SAVE
        # A fresh class each call (modelform_factory): per-request attributes are safe on it.
        form.transition, form.user, form.now = transition, request.user, timezone.now()
        return show_address(form, address_of=publication_address, slug=obj and obj.slug)

    def save_model(self, request, obj, form, change):
        services.save_publication(
            publication=obj, user=request.user, transition=form.transition, now=form.now
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        now = timezone.now()
        publication = obj or Publication()
        transitions = services.transitions_for(publication, request.user, now=now)
        context.update(
            workflow_buttons=[(choice.value, BUTTONS[choice]) for choice in transitions],
            publish_note=(
                services.describe_publish_date(publication, now)
                if Transition.PUBLISH in transitions
                else ""
            ),
            read_only_note=(
                ""
                if transitions or obj is None
                else "Published: only a publisher can change it or take it down."
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
        self.message_user(request, f"“{obj}” is saved: {obj.status_label}.", messages.SUCCESS)
        return redirect(self._url("change", obj.pk))

    # --- the list ---

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        label = obj.status_label
        css = label.lower().replace(" ", "-")
        return format_html('<span class="pub-badge pub-badge--{}">{}</span>', css, label)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        count = services.publish(publications=queryset, user=request.user)
        self.message_user(
            request, f"{count} publication(s) published; they are public now.", messages.SUCCESS
        )

    @admin.action(description="Unpublish", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.unpublish(publications=queryset, user=request.user)
        self.message_user(
            request, f"{count} publication(s) taken off the public site.", messages.SUCCESS
        )

    # --- history ---

    def restore_version(self, request, version):
        try:
            return services.restore_version(version=version, user=request.user)
        except PermissionDenied as refused:
            raise ValidationError(str(refused)) from refused

    def history_rows(self, version):
        values = version.field_dict
        meta = Publication._meta
        follow_ups = follow_up_versions(version)

        def text(name):
            return field_value(meta.get_field(name), values.get(meta.get_field(name).attname))

        def names(model, ids):
            found = {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=ids)}
            return [found.get(pk, f"(deleted, #{pk})") for pk in ids]

        signatures = sorted(
            (v.field_dict for v in follow_ups["signatures"]), key=lambda s: (s["order"], s["id"])
        )
        member_model = meta.get_field("signatories").related_model

        def signatory_names():
            # Revisions made before partners existed have no partner_id.
            member_ids = [s["member_id"] for s in signatures if s["member_id"]]
            partner_ids = [s["partner_id"] for s in signatures if s.get("partner_id")]
            members = dict(zip(member_ids, names(member_model, member_ids), strict=True))
            partners = dict(zip(partner_ids, names(PartnerOrganisation, partner_ids), strict=True))
            return [
                members[s["member_id"]] if s["member_id"] else partners[s["partner_id"]]
                for s in signatures
            ]

        tag_model = meta.get_field("tags").related_model
        country_model = meta.get_field("countries").related_model
        rows = [
            ("title", text("title"), "text"),
            ("address (slug)", text("slug"), "text"),
            ("type", text("type"), "text"),
            ("standfirst", text("standfirst"), "text"),
            ("body", values.get("body") or "", "html"),
            ("status", state_then(values, version.revision.date_created), "text"),
            ("publish date", text("publish_at"), "text"),
            ("unpublish date", text("unpublish_at"), "text"),
            ("signatories", signatory_names(), "list"),
            ("other co-signers", text("co_signers"), "text"),
            ("countries", sorted(names(country_model, values.get("countries") or [])), "list"),
            (
                "themes",
                sorted(names(tag_model, [v.field_dict["tag_id"] for v in follow_ups["tag_links"]])),
                "list",
            ),
            ("featured image", text("featured_image"), "text"),
            ("alt text", text("featured_image_alt"), "text"),
            ("featured", text("is_featured"), "text"),
            (
                "attachments",
                [
                    v.field_dict["title"]
                    for v in sorted(follow_ups["attachments"], key=lambda v: v.field_dict["order"])
                ],
                "list",
            ),
            (
                "gallery",
                [
                    v.field_dict["alt_text"]
                    for v in sorted(
                        follow_ups["gallery_images"], key=lambda v: v.field_dict["order"]
                    )
                ],
                "list",
            ),
            ("media contact", text("media_contact"), "text"),
            ("video or audio link", text("video_url"), "text"),
            ("language", text("language"), "text"),
            ("translation of", text("translation_of"), "text"),
        ]
        return rows
