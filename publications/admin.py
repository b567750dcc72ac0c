"""The editors' workspace: write, schedule, publish and preview publications.

The workflow (buttons, who may publish, list actions) is forumasia/workflow_admin.py, with the
publication's own services and History rows in admin_workflow.py; history,
comparing and restoring versions, and the edit-conflict check in forumasia/history_admin.py.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag, TaggedItem

from forumasia import documents
from forumasia.admin_filters import UsedRelatedFieldListFilter
from forumasia.history_admin import HistoryAdminMixin
from forumasia.widgets import NEWSROOM_EDITOR_JS, NewsroomEditorWidget
from forumasia.workflow_admin import StatusFilter, WorkflowForm

from . import (
    admin_themes,  # noqa: F401 (registers the themes' admin in place of taggit's)
    tasks,
)
from .admin_signatures import SignatoryFilter, SignatureInline
from .admin_translations import TranslationAdminMixin
from .admin_workflow import PublicationWorkflowAdminMixin
from .forms import PublicationBodyMixin, ZawgyiCheckMixin
from .models import LANGUAGES, Attachment, GalleryImage, Publication, language_direction
from .search import RANKED_WINDOW, search
from .uploads import UPLOAD_URL


class PublicationAdminForm(ZawgyiCheckMixin, PublicationBodyMixin, WorkflowForm):
    zawgyi_checked_fields = (
        "title",
        "standfirst",
        "co_signers",
        "featured_image_alt",
        "featured_image_caption",
        "media_contact",
    )
    zawgyi_html_fields = ("body",)

    class Meta:
        model = Publication
        fields = [
            "type",
            "title",
            "slug",
            "standfirst",
            "body",
            "publish_at",
            "unpublish_at",
            "is_featured",
            "featured_image",
            "featured_image_alt",
            "featured_image_caption",
            "featured_image_credit",
            "countries",
            "tags",
            "co_signers",
            "media_contact",
            "video_url",
            "language",
            "translation_of",
        ]
        help_texts = {
            "slug": (
                "The address: /publications/…/. Do not change it once published. Left empty, "
                "it is made on save: a translation's from its original's and its language "
                "(…-th), any other from the title in Latin letters, whatever its script."
            )
        }
        widgets = {
            "body": NewsroomEditorWidget(config_name="default", upload_url=UPLOAD_URL),
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "co_signers": forms.Textarea(attrs={"rows": 4}),
            "media_contact": forms.Textarea(attrs={"rows": 3}),
            # The editor writes in the chosen language's direction (js/admin-content-direction.js).
            "language": forms.Select(
                attrs={
                    "data-directions": json.dumps(
                        {code: language_direction(code) for code, _ in LANGUAGES}
                    )
                }
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An empty slug is made on save (Publication.made_slug): titles in Thai, Khmer... leave
        # the admin's slug script nothing to fill in. (No slug field when shown read-only.)
        if "slug" in self.fields:
            self.fields["slug"].required = False


class TagFilter(admin.SimpleListFilter):
    title = _("theme")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        # EXISTS per tag (an index probe each), not DISTINCT over every tagged item: the
        # latter reads all ~200,000 tag links at 100,000 publications (300 ms a page view).
        tagged = TaggedItem.objects.filter(
            tag=OuterRef("pk"), content_type=ContentType.objects.get_for_model(Publication)
        )
        tags = Tag.objects.filter(Exists(tagged))
        return [(tag.slug, tag.name) for tag in tags.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        tag = Tag.objects.filter(slug=self.value()).first()
        return queryset.tagged(tag) if tag else queryset.none()


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["title", "file", "language", "order"]
        help_texts = {
            "file": (
                "PDF, plain text or CSV. A PDF is published rebuilt with its pages only: "
                "document properties (author, dates, software), XMP metadata, comments and "
                "their authors, form fields, bookmarks, attached files, scripts and links "
                "other than web and email links are removed, and its photos are re-encoded "
                "without camera data or GPS position. Word, OpenDocument, spreadsheet, RTF and "
                f"EPUB files are refused: save them as PDF. At most {documents.MAX_PAGES:,} "
                f"pages and {documents.MAX_BYTES // 2**20} MB."
            )
        }


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ["title", "file", "language", "order", "size"]
    readonly_fields = ["size"]

    @admin.display(description=_("size"))
    def size(self, obj):
        return filesizeformat(obj.file_size) if obj.pk else "—"


class GalleryImageInline(admin.StackedInline):
    model = GalleryImage
    extra = 0
    fields = [("image", "alt_text"), ("caption", "credit"), "order"]
    verbose_name_plural = "gallery (for stories)"


@admin.register(Publication)
class PublicationAdmin(
    TranslationAdminMixin, PublicationWorkflowAdminMixin, HistoryAdminMixin, admin.ModelAdmin
):
    form = PublicationAdminForm
    list_display = ["title", "type", "status_badge", "publish_at", "is_featured", "preview_link"]
    list_display_links = ["title"]
    list_filter = [
        "type",
        StatusFilter,
        "is_featured",
        ("countries", UsedRelatedFieldListFilter),
        TagFilter,
        SignatoryFilter,
        "language",
    ]
    list_select_related = False
    date_hierarchy = "publish_at"
    # Shows the search box; get_search_results searches the full-text index instead.
    search_fields = ["title"]
    search_help_text = _("Words from the title, summary, body, themes, countries or signatories.")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["countries", "translation_of"]
    readonly_fields = [
        "status_badge",
        "preview_link",
        "translation_links",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]
    inlines = [SignatureInline, AttachmentInline, GalleryImageInline]
    actions = ["publish_now", "unpublish"]
    save_on_top = True
    list_per_page = 50
    # No second COUNT(*) over the whole table on every changelist view.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["type", "title", "slug", "standfirst", "body"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status_badge",
                    "publish_at",
                    "unpublish_at",
                    "is_featured",
                    "preview_link",
                ],
                "description": (
                    "Times are in Asia/Bangkok (UTC+7). The buttons at the bottom save and "
                    "move the publication on: Submit for review, then a publisher publishes "
                    "it now or schedules it for its publish date. With an unpublish date it "
                    "leaves the public site by itself. Use Preview to see it as it will appear."
                ),
            },
        ),
        (
            "Featured image",
            {
                "fields": [
                    "featured_image",
                    "featured_image_alt",
                    "featured_image_caption",
                    "featured_image_credit",
                ]
            },
        ),
        ("Countries and themes", {"fields": ["countries", "tags"]}),
        ("Video or audio (stories)", {"fields": ["video_url"]}),
        ("Language", {"fields": ["language", "translation_of", "translation_links"]}),
        (
            "History",
            {
                "fields": [("created_at", "created_by"), ("updated_at", "updated_by")],
                "classes": ["collapse"],
            },
        ),
        # Last, so the signatories inline (the first inline) follows it directly.
        ("Media contact and other co-signers", {"fields": ["media_contact", "co_signers"]}),
    ]

    class Media:
        js = [*NEWSROOM_EDITOR_JS, "js/admin-content-direction.js"]
        css = {"all": ["publications/admin.css"]}  # the signatories inline

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "video_url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """The public search's full-text index (title, summary, body, themes, countries,
        signatories; typo-tolerant on PostgreSQL): publications/search.py. The changelist then
        orders the matches its own way (newest first)."""
        results, count, correction = search(queryset, search_term, headlines=False)
        if request.path.endswith("/autocomplete/"):
            # "Translation of" offers originals only, never translations.
            return results.filter(translation_of__isnull=True), False
        if correction:
            self.message_user(
                request,
                gettext("Nothing matches “%(words)s”: showing matches for “%(correction)s”.")
                % {"words": search_term, "correction": correction},
                messages.INFO,
            )
        if count is not None and count > RANKED_WINDOW:
            self.message_user(
                request,
                gettext(
                    "More than %(count)s publications match: the newest %(count)s are listed. "
                    "Add words or filters to narrow the search."
                )
                % {"count": RANKED_WINDOW},
                messages.WARNING,
            )
        return results, False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publication = form.instance
        # Renditions are made by a task (publications/tasks.py), once per new image: the save
        # does not wait for Pillow; the page shows the image once they are there.
        if "featured_image" in form.changed_data or (
            publication.featured_image and not publication.featured_image_renditions
        ):
            tasks.make_featured_renditions.enqueue(publication.pk)
        for formset in formsets:
            if formset.model is not GalleryImage:
                continue
            for inline_form in formset.forms:
                image = inline_form.instance
                if not image.pk or inline_form in formset.deleted_forms:
                    continue
                if "image" in inline_form.changed_data or not image.renditions:
                    tasks.make_gallery_renditions.enqueue(image.pk)
