"""Themes (django-taggit's tags) in the admin: taggit's own admin, with the workflow's guard and
a merge that is the publishers' and never fails.

- Editors add themes (a new one is on no public page until a publisher releases a publication
  that carries it) and rename or delete those no released publication carries; a theme a
  released publication carries is a publisher's (forumasia/workflow_admin.py,
  ReleasedRowsAdminMixin).
- No inline of tagged items: taggit's let anyone link a theme to any row by its raw id,
  bypassing the publication's form, its workflow and its history. Themes are given to
  publications in the publication's form.
- "Merge selected themes" (taggit's merge, rewritten): publishers only, the selection is in the
  address and checked by a form (taggit read it from the session and answered a missing or
  stale selection with a 500), and the merge is a revision of every publication it changes
  (services.merge_themes).
"""

import re
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.admin import TagAdmin
from taggit.models import Tag

from forumasia import workflow
from forumasia.workflow_admin import ReleasedRowsAdminMixin

from . import services
from .models import Publication

STALE_SELECTION = (
    "These themes cannot be merged: some no longer exist. Choose the themes to merge again in "
    "the list."
)


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    """Theme ids as the list sends them. A number outside the id column's range is refused
    like the id of a theme that no longer exists: Django's check sends it to the database,
    which fails on it (SQLite: OverflowError)."""

    def _check_values(self, value):
        low, high = connection.ops.integer_field_range(Tag._meta.pk.get_internal_type())
        for pk in value:
            number = str(pk).strip()
            if re.fullmatch(r"-?[0-9]+", number) and not low <= int(number) <= high:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class ThemeSelectionForm(forms.Form):
    themes = ThemeChoiceField(
        queryset=Tag.objects.all(),
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": "Choose the themes to merge in the list first.",
            "invalid_choice": STALE_SELECTION,
            "invalid_pk_value": STALE_SELECTION,
        },
    )


class MergeThemesForm(ThemeSelectionForm):
    into = forms.CharField(
        label=_("Theme to keep"),
        max_length=100,
        help_text=_(
            "The name of one of them, of another theme, or a new name. Publications that carry "
            "any of the selected themes get this one instead."
        ),
    )


class ThemeAdmin(ReleasedRowsAdminMixin, TagAdmin):
    publish_permission = workflow.publish_permission(Publication)
    inlines = []
    actions = ["merge_themes"]
    merge_template = "admin/taggit/tag/merge.html"

    def released_rows(self):
        return Publication.objects.released().themes()

    def has_merge_permission(self, request):
        return self.may_change_released(request) and self.has_change_permission(request)

    @admin.action(description=_("Merge selected themes"), permissions=["merge"])
    def merge_themes(self, request, queryset):
        selection = urlencode([("themes", pk) for pk in queryset.values_list("pk", flat=True)])
        return redirect(f"{reverse('admin:taggit_tag_merge_tags')}?{selection}")

    def merge_tags_view(self, request):
        """The themes selected in the list (`?themes=1&themes=2`) and the name to keep; a POST
        merges them. Every refusal is a message, never an error page."""
        if not self.has_merge_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:taggit_tag_changelist")
        if request.method == "POST":
            form = MergeThemesForm(request.POST)
            if form.is_valid():
                try:
                    kept = services.merge_themes(
                        themes=form.cleaned_data["themes"],
                        into=form.cleaned_data["into"],
                        user=request.user,
                    )
                except ValidationError as refused:
                    form.add_error("into", refused)
                else:
                    self.message_user(
                        request,
                        gettext("The themes are merged into “%(name)s”.") % {"name": kept.name},
                        messages.SUCCESS,
                    )
                    return redirect(changelist)
            themes = form.cleaned_data.get("themes", [])
        else:
            selection = ThemeSelectionForm(request.GET)
            if not selection.is_valid():
                for error in selection.errors["themes"]:
                    self.message_user(request, error, messages.ERROR)
                return redirect(changelist)
            themes = selection.cleaned_data["themes"]
            form = MergeThemesForm(initial={"themes": themes})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Merge themes",
            "form": form,
            "themes": themes,
            "changelist_url": changelist,
        }
        return TemplateResponse(request, self.merge_template, context)


admin.site.unregister(Tag)
admin.site.register(Tag, ThemeAdmin)
