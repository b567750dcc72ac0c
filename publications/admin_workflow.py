"""The publication form's workflow: the shared buttons, rules and history of
forumasia/workflow_admin.py, with the publication's own services (a changed address leaves a
redirect) and what its History compares.

`PublicationWorkflowAdminMixin` goes before HistoryAdminMixin in PublicationAdmin's bases.
"""

from django.urls import reverse
from django.utils.translation import gettext

from forumasia.history import follow_up_versions
from forumasia.history_admin import field_value
from forumasia.redirects import show_address
from forumasia.workflow_admin import WorkflowAdminMixin, state_then

from . import services
from .models import PartnerOrganisation, Publication


def publication_address(slug):
    return reverse("publications:publication-detail", kwargs={"slug": slug})


class PublicationWorkflowAdminMixin(WorkflowAdminMixin):
    def save_with_transition(self, request, obj, transition, now):
        services.save_publication(
            publication=obj, user=request.user, transition=transition, now=now
        )

    def publish_selected(self, request, queryset):
        return services.publish(publications=queryset, user=request.user)

    def unpublish_selected(self, request, queryset):
        return services.unpublish(publications=queryset, user=request.user)

    def restore_with_service(self, request, version):
        return services.restore_version(version=version, user=request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return show_address(form, address_of=publication_address, slug=obj and obj.slug)

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
            (gettext("title"), text("title"), "text"),
            (gettext("address (slug)"), text("slug"), "text"),
            (gettext("type"), text("type"), "text"),
            (gettext("standfirst"), text("standfirst"), "text"),
            (gettext("body"), values.get("body") or "", "html"),
            (
                gettext("status"),
                state_then(Publication, values, version.revision.date_created),
                "text",
            ),
            (gettext("publish date"), text("publish_at"), "text"),
            (gettext("unpublish date"), text("unpublish_at"), "text"),
            (gettext("signatories"), signatory_names(), "list"),
            (gettext("other co-signers"), text("co_signers"), "text"),
            (
                gettext("countries"),
                sorted(names(country_model, values.get("countries") or [])),
                "list",
            ),
            (
                gettext("themes"),
                sorted(names(tag_model, [v.field_dict["tag_id"] for v in follow_ups["tag_links"]])),
                "list",
            ),
            (gettext("featured image"), text("featured_image"), "text"),
            (gettext("alt text"), text("featured_image_alt"), "text"),
            (gettext("featured"), text("is_featured"), "text"),
            (
                gettext("attachments"),
                [
                    v.field_dict["title"]
                    for v in sorted(follow_ups["attachments"], key=lambda v: v.field_dict["order"])
                ],
                "list",
            ),
            (
                gettext("gallery"),
                [
                    v.field_dict["alt_text"]
                    for v in sorted(
                        follow_ups["gallery_images"], key=lambda v: v.field_dict["order"]
                    )
                ],
                "list",
            ),
            (gettext("media contact"), text("media_contact"), "text"),
            (gettext("video or audio link"), text("video_url"), "text"),
            (gettext("language"), text("language"), "text"),
            (gettext("translation of"), text("translation_of"), "text"),
        ]
        return rows
