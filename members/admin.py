from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from forumasia.history_admin import HistoryAdminMixin
from forumasia.redirects import show_address

from . import services
from .forms import MemberImportForm, MemberOrganisationAdminForm
from .models import Country, MemberOrganisation
from .services import import_members


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sub_region"]
    list_filter = ["sub_region"]
    # Required: publications (and members) use autocomplete on countries.
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        services.save_country(country=obj)

    def delete_model(self, request, obj):
        services.delete(objs=[obj])

    def delete_queryset(self, request, queryset):
        services.delete(objs=queryset)


@admin.register(MemberOrganisation)
class MemberOrganisationAdmin(HistoryAdminMixin, admin.ModelAdmin):
    form = MemberOrganisationAdminForm
    list_display = ["name", "logo_thumbnail", "acronym", "country", "year_joined", "is_active"]
    list_display_links = ["name"]
    list_filter = [
        ("country__sub_region", admin.ChoicesFieldListFilter),
        ("country", admin.RelatedOnlyFieldListFilter),
        "is_active",
    ]
    list_select_related = ["country"]
    # Required: the publications signatories autocomplete searches these.
    search_fields = ["name", "acronym", "city"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    view_on_site = True
    # Typed without a scheme, an address becomes https:// (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "acronym", "slug", "is_active"]}),
        ("Where", {"fields": ["country", "city"]}),
        ("About", {"fields": ["description", "focus_areas", "year_joined", "logo"]}),
        (
            "Contact and links",
            {"fields": ["website", "contact_email", "facebook_url", "x_url", "linkedin_url"]},
        ),
    ]

    history_fields = [
        "name",
        "acronym",
        "slug",
        "is_active",
        "country",
        "city",
        "description",
        "focus_areas",
        "year_joined",
        "logo",
        "website",
        "contact_email",
        "facebook_url",
        "x_url",
        "linkedin_url",
    ]
    history_html_fields = ["description"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return show_address(
            form,
            address_of=lambda slug: reverse("members:member-detail", kwargs={"slug": slug}),
            slug=obj and obj.slug,
        )

    def save_model(self, request, obj, form, change):
        services.save_member(member=obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete(objs=[obj])

    def delete_queryset(self, request, queryset):
        services.delete(objs=queryset)

    def restore_version(self, request, version):
        return services.restore_version(version=version, user=request.user)

    @admin.display(description=_("Logo"))
    def logo_thumbnail(self, obj):
        if not obj.logo:
            return format_html('<span title="No logo">{}</span>', obj.initials)
        return format_html(
            '<img src="{}" alt="" width="40" height="40" style="object-fit: contain">',
            obj.logo.url,
        )

    def get_urls(self):
        import_view = self.admin_site.admin_view(self.import_csv_view)
        return [
            path("import/", import_view, name="members_memberorganisation_import"),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_csv_view(self, request):
        """Upload the Secretariat's spreadsheet (CSV); all rows are imported or none."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        report = None
        form = MemberImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = import_members(
                data=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
                user=request.user,
            )
            if report.written:
                messages.success(request, report.summary())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import member organisations from CSV",
            "form": form,
            "report": report,
            "columns": MemberImportForm.COLUMNS_HELP,
        }
        return TemplateResponse(
            request, "admin/members/memberorganisation/import_form.html", context
        )
