"""Editorial pages (flat pages) edited with the same rich-text editor as publications."""

from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin as DjangoFlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage

from forumasia.history_admin import HistoryAdminMixin
from forumasia.sanitise import RichTextFormMixin, RichTextValidator
from publications.admin import NEWSROOM_EDITOR_CSS, NEWSROOM_EDITOR_JS, NewsroomEditorWidget


class EditorialPageForm(RichTextFormMixin, FlatpageForm):
    rich_text_fields = {"content": RichTextValidator()}

    class Meta(FlatpageForm.Meta):
        widgets = {"content": NewsroomEditorWidget(config_name="default")}


class EditorialPageAdmin(HistoryAdminMixin, DjangoFlatPageAdmin):
    form = EditorialPageForm
    history_fields = ["url", "title", "content", "sites"]
    history_html_fields = ["content"]
    list_display = ["url", "title"]
    # Templates other than flatpages/default.html and login-only pages are not part of the
    # site's design; only the fields editors need are shown.
    fieldsets = [(None, {"fields": ["url", "title", "content", "sites"]})]

    class Media:
        js = NEWSROOM_EDITOR_JS
        css = NEWSROOM_EDITOR_CSS


admin.site.unregister(FlatPage)
admin.site.register(FlatPage, EditorialPageAdmin)
