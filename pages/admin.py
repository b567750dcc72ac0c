"""Editorial pages in the admin: the publications' editor, image pipeline, workflow buttons and
history (forumasia/workflow_admin.py, forumasia/history_admin.py), with the page's services.

Django's flat pages, which went live on save with no review, are not in the admin any more
(the pages app's migrations moved their rows here).
"""

from django import forms
from django.contrib import admin
from django.contrib.flatpages.models import FlatPage
from django.utils.translation import gettext_lazy as _

from forumasia.history_admin import HistoryAdminMixin
from forumasia.sanitise import RichTextFormMixin, RichTextValidator
from forumasia.widgets import NEWSROOM_EDITOR_JS, NewsroomEditorWidget
from forumasia.workflow_admin import StatusFilter, WorkflowAdminMixin, WorkflowForm, state_then
from publications.uploads import UPLOAD_URL
from subsites.editors import SubSiteScopedAdminMixin, sub_sites_run_by
from subsites.models import SubSite

from . import services, tasks
from .models import Page


class PageAdminForm(RichTextFormMixin, WorkflowForm):
    rich_text_fields = {"body": RichTextValidator()}

    class Meta:
        model = Page
        fields = [
            "title",
            "sub_site",
            "path",
            "parent",
            "introduction",
            "body",
            "publish_at",
            "unpublish_at",
            "hero_image",
            "hero_image_alt",
            "hero_image_credit",
        ]
        widgets = {
            "body": NewsroomEditorWidget(config_name="default", upload_url=UPLOAD_URL),
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }


@admin.register(Page)
class PageAdmin(SubSiteScopedAdminMixin, WorkflowAdminMixin, HistoryAdminMixin, admin.ModelAdmin):
    form = PageAdminForm
    list_display = ["title", "path", "sub_site", "status_badge", "publish_at", "preview_link"]
    list_display_links = ["title"]
    # Only the sites of the pages the user may open (a sub-site's editors: their own).
    list_filter = [StatusFilter, ("sub_site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["sub_site"]
    # Also what the parent's autocomplete searches.
    search_fields = ["title", "path"]
    autocomplete_fields = ["parent"]
    readonly_fields = [
        "status_badge",
        "preview_link",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "sub_site", "path", "parent", "introduction", "body"]}),
        (
            "Publishing",
            {
                "fields": ["status_badge", "publish_at", "unpublish_at", "preview_link"],
                "description": (
                    "Times are in Asia/Bangkok (UTC+7). The buttons at the bottom save and move "
                    "the page on: Submit for review, then a publisher publishes it now or "
                    "schedules it for its publish date. With an unpublish date it leaves the "
                    "public site by itself. Use Preview to see it as it will appear."
                ),
            },
        ),
        ("Image", {"fields": ["hero_image", "hero_image_alt", "hero_image_credit"]}),
        (
            "History",
            {
                "fields": [("created_at", "created_by"), ("updated_at", "updated_by")],
                "classes": ["collapse"],
            },
        ),
    ]
    history_fields = PageAdminForm.Meta.fields
    history_html_fields = ["body"]

    class Media:
        js = NEWSROOM_EDITOR_JS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "sub_site" in form.base_fields and sub_sites_run_by(request.user) is not None:
            # A sub-site's editors write for their sub-sites only, never the main site.
            form.base_fields["sub_site"].required = True
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = sub_sites_run_by(request.user)
        if db_field.name == "sub_site":
            kwargs["empty_label"] = _("Main site")
            if scope is not None:
                kwargs["queryset"] = SubSite.objects.filter(pk__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- the workflow, through the page's services ---

    def save_with_transition(self, request, obj, transition, now):
        services.save_page(page=obj, user=request.user, transition=transition, now=now)

    def publish_selected(self, request, queryset):
        return services.publish(pages=queryset, user=request.user)

    def unpublish_selected(self, request, queryset):
        return services.unpublish(pages=queryset, user=request.user)

    def restore_with_service(self, request, version):
        return services.restore_version(version=version, user=request.user)

    def history_rows(self, version):
        status = state_then(Page, version.field_dict, version.revision.date_created)
        return [*super().history_rows(version), ("status", status, "text")]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        page = form.instance
        # The image's sizes are made by a task (pages/tasks.py), once per new image.
        if "hero_image" in form.changed_data or (
            page.hero_image and not page.hero_image_renditions
        ):
            tasks.make_hero_renditions.enqueue(page.pk)


admin.site.unregister(FlatPage)
