"""Sub-sites in the admin: a publisher makes one, with its look, languages, newsletter list and
stream, and it is served at its address as soon as it is saved, with no deploy or restart.

The admin is the sub-sites' only writer: each save and each delete notes the sub-site for the
action's one change event (forumasia/workflow_admin.py, ChangeEventAdminMixin; its picks and
choices, saved after it in the same transaction, go with it), which moves the content
version: every process's routing reads the sub-sites again (subsites/routing.py) and no page
cached before is served as current.

Who may: Publishers add, change and delete sub-sites and choose their editors; Editors see them
(migration 0002). A sub-site's own editors (`SubSite.editors`, the "Sub-site editors" group)
see only their sub-sites and change only the introduction and the picks (subsites/editors.py).
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from forumasia.widgets import NEWSROOM_EDITOR_JS
from forumasia.workflow_admin import ChangeEventAdminMixin

from .editors import SubSiteScopedAdminMixin, sub_sites_run_by
from .forms import SubSiteAdminForm
from .models import Pick, SubSite


class PickInline(admin.TabularInline):
    model = Pick
    fields = ["publication", "is_pinned", "position"]
    autocomplete_fields = ["publication"]
    extra = 0
    verbose_name_plural = _(
        "picks: publications it shows whatever its criteria (pinned ones first on its home page)"
    )


@admin.register(SubSite)
class SubSiteAdmin(SubSiteScopedAdminMixin, ChangeEventAdminMixin, admin.ModelAdmin):
    form = SubSiteAdminForm
    inlines = [PickInline]
    list_display = ["name", "address", "is_archived"]
    list_filter = ["is_archived"]
    search_fields = ["name", "host"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["themes", "countries"]
    # Chosen among staff accounts (publishers need not see the users' admin to choose).
    filter_horizontal = ["editors"]
    sub_site_lookup = "pk"
    # What a sub-site's own editors may change: its introduction, and its picks (the inline).
    run_by_editors = ["introduction"]
    save_on_top = True
    fieldsets = [
        (_("Identity"), {"fields": ["name", "short_name", "slug", "host"]}),
        (_("Editors"), {"fields": ["editors"]}),
        (_("Look"), {"fields": ["logo", "accent_colour", "introduction"]}),
        (_("Languages"), {"fields": ["languages"]}),
        (_("Newsletter"), {"fields": ["mailing_list"]}),
        (_("Archive"), {"fields": ["is_archived"]}),
        # Last: the picks inline, shown after every fieldset, follows it.
        (
            _("Stream"),
            {
                "fields": ["publication_types", "themes", "countries"],
                "description": _(
                    "What it shows: its picks (below), and the published publications that "
                    "match every criterion chosen here. With no criterion, its picks only."
                ),
            },
        ),
    ]

    class Media:
        js = NEWSROOM_EDITOR_JS

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "editors":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if sub_sites_run_by(request.user) is None:
            return super().get_readonly_fields(request, obj)
        return [
            name
            for _title, options in self.get_fieldsets(request, obj)
            for name in options["fields"]
            if name not in self.run_by_editors
        ]

    def get_prepopulated_fields(self, request, obj=None):
        # The slug is read-only to a sub-site's editors: nothing to fill in.
        if sub_sites_run_by(request.user) is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)

    @admin.display(description=_("address"))
    def address(self, obj):
        url = obj.get_absolute_url()
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)
