"""Admin for Communications staff: subscribers (read-only here), exports that honour the
changelist's filters (streamed at once, or prepared as a file by a task for large lists;
confirmed subscribers on a list unless staff choose everyone), data-protection tools, the
export and erasure logs, and the suppression list."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin

from forumasia.admin_filters import UsedRelatedFieldListFilter

from . import charts, data_protection, exports
from .exports import EXPORT_PERMISSION
from .models import (
    Erasure,
    MailingList,
    Subscriber,
    SubscriberExport,
    Subscription,
    Suppression,
    address_digest,
)
from .selectors import InvalidFilters, subscribers_matching
from .suppressions import is_suppressed

# Every view that hands out subscribers' data answers a POST only (CSRF-protected, as every
# admin POST is): a link or an image on another site would make a logged-in staff member's
# browser fetch it with a GET.
post_only = method_decorator(require_POST)
# Erasing replaces deleting: it is the delete permission, exercised through
# data_protection.erase().
ERASE_PERMISSION = "newsletter.delete_subscriber"


def _includes_everyone(request) -> bool:
    """Whether staff ticked the export's choice to include people who never confirmed or who
    unsubscribed (templates/admin/newsletter/subscriber/change_list.html)."""
    return request.POST.get(exports.INCLUDE_EVERYONE) == "yes"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only the newsletter's own code writes; staff read them. Subscribers change through
    newsletter/subscriptions.py (sign-up, links in emails) and erasure, so that consent and its
    timestamps always tell the truth; logs are written by the code that does the work, and
    nobody edits history."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MailingList)
class MailingListAdmin(TranslationAdmin):
    """A list's name and description in each language (newsletter/translation.py): English is
    required, an empty Thai or Indonesian one shows the English one."""

    list_display = [
        "name",
        "slug",
        "is_public",
        "is_default",
        "position",
        "confirmed_subscriber_count",
    ]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_confirmed_subscriber_count()

    @admin.display(description=_("confirmed subscribers"), ordering="confirmed_subscribers")
    def confirmed_subscriber_count(self, obj):
        return obj.confirmed_subscribers


class ActiveListFilter(admin.SimpleListFilter):
    """Subscribers currently on a list (not those who left it)."""

    title = _("list")
    parameter_name = "list"

    def lookups(self, request, model_admin):
        return list(MailingList.objects.values_list("slug", "name"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.on_list(self.value())
        return queryset


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    fields = ["mailing_list", "subscribed_at", "unsubscribed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "name",
        "organisation",
        "country",
        "status",
        "list_names",
        "created_at",
        "confirmed_at",
    ]
    list_filter = [
        "status",
        ActiveListFilter,
        ("country", UsedRelatedFieldListFilter),
        "created_at",
    ]
    search_fields = ["email", "name", "organisation"]
    list_select_related = ["country"]
    list_per_page = 50
    show_full_result_count = False  # a COUNT(*) over a million rows on every page is slow
    inlines = [SubscriptionInline]
    actions = ["export_selected", "export_data", "erase_selected"]
    fields = [
        "email",
        "name",
        "organisation",
        "country",
        "status",
        "consent_text",
        "consented_at",
        "confirmed_at",
        "unsubscribed_at",
        "confirmation_sent_at",
        "source_page",
        "language",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_PERMISSION)

    def has_erase_permission(self, request):
        return request.user.has_perm(ERASE_PERMISSION)

    def get_queryset(self, request):
        active = Subscription.objects.active().select_related("mailing_list")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("subscriptions", queryset=active, to_attr="active_lists"))
        )

    @admin.display(description=_("lists"))
    def list_names(self, obj):
        return ", ".join(s.mailing_list.name for s in obj.active_lists) or "—"

    def get_urls(self):
        return [
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="newsletter_subscriber_export",
            ),
            path(
                "export/<str:fmt>/file/",
                self.admin_site.admin_view(self.export_file_view),
                name="newsletter_subscriber_export_file",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {
            "chart": charts.chart(),
            "can_export": self.has_export_permission(request),
            "export_formats": [(fmt.value, fmt.label) for fmt in exports.CSV_FORMATS],
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def _stream(self, request, queryset, *, fmt, filters, selected=False, include_everyone=False):
        export = exports.start_export(
            queryset=queryset,
            fmt=fmt,
            via="admin",
            filters=filters,
            user_id=request.user.pk,
            selected=selected,
            include_everyone=include_everyone,
        )
        response = StreamingHttpResponse(export, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def _invalid_filters(self, request):
        messages.error(request, gettext("Those filters are not valid; nothing was exported."))
        return redirect("admin:newsletter_subscriber_changelist")

    @post_only
    def export_file_view(self, request, fmt):
        """Queue the same export as a file staff download when it is ready (large lists)."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        if fmt not in exports.CSV_FORMATS:
            raise Http404("Unknown export format")
        try:
            subscribers_matching(request.GET)
        except InvalidFilters:
            return self._invalid_filters(request)
        exports.request_export_file(
            query=request.GET.urlencode(),
            fmt=fmt,
            user_id=request.user.pk,
            include_everyone=_includes_everyone(request),
        )
        messages.success(
            request,
            gettext(
                "The export file is being prepared. It appears here, ready to download, when it "
                "is done, and is deleted %(hours)s hours later."
            )
            % {"hours": settings.NEWSLETTER_EXPORT_HOURS},
        )
        return redirect("admin:newsletter_subscriberexport_changelist")

    @post_only
    def export_view(self, request, fmt):
        """The confirmed subscribers on a list the changelist shows for the same filters and
        search, all pages; everyone it shows when staff ticked the choice to include people who
        never confirmed or who unsubscribed."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        if fmt not in exports.CSV_FORMATS:
            raise Http404("Unknown export format")
        try:
            queryset = subscribers_matching(request.GET)
        except InvalidFilters:
            return self._invalid_filters(request)
        return self._stream(
            request,
            queryset,
            fmt=fmt,
            filters=request.GET,
            include_everyone=_includes_everyone(request),
        )

    @admin.action(
        description=_("Export selected subscribers who are confirmed and on a list (CSV)"),
        permissions=["export"],
    )
    def export_selected(self, request, queryset):
        return self._stream(
            request,
            queryset,
            fmt=SubscriberExport.Format.CSV_BOM,
            filters=request.GET,
            selected=True,
        )

    @admin.action(description=_("Download one subscriber's data (JSON)"), permissions=["export"])
    def export_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                gettext("Choose exactly one subscriber to download what we hold on them."),
                messages.WARNING,
            )
            return None
        subscriber = queryset.select_related("country").get()
        data = data_protection.export_subscriber_data(
            subscriber=subscriber, user_id=request.user.pk
        )
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = (
            f'attachment; filename="subscriber-{subscriber.pk}-data.json"'
        )
        return response

    @admin.action(
        description=_("Erase selected subscribers (delete personal data)"), permissions=["erase"]
    )
    def erase_selected(self, request, queryset):
        if request.POST.get("confirm_erase") == "yes":
            erased = 0
            for subscriber in queryset:
                data_protection.erase(subscriber=subscriber, by=request.user)
                erased += 1
            self.message_user(
                request,
                gettext("Erased %(count)s subscriber(s). Only an anonymous count is kept.")
                % {"count": erased},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/newsletter/subscriber/erase_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": "Erase subscribers?",
                "subscribers": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "changelist_url": reverse("admin:newsletter_subscriber_changelist"),
            },
        )


@admin.register(SubscriberExport)
class SubscriberExportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file", "user", "via", "format", "row_count", "filters_used"]
    list_filter = ["via", "format", "file_state", "created_at"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def get_urls(self):
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="newsletter_subscriberexport_download",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("file"))
    def file(self, obj):
        if obj.file_state == SubscriberExport.FileState.READY:
            # Submits the page's one download form (templates/admin/newsletter/
            # subscriberexport/change_list.html), outside the changelist's own form.
            url = reverse("admin:newsletter_subscriberexport_download", args=[obj.pk])
            return format_html(
                '<button type="submit" form="export-download" formaction="{}" class="button">'
                "Download</button>",
                url,
            )
        return obj.get_file_state_display() if obj.file_state else "—"

    @admin.display(description=_("filters"))
    def filters_used(self, obj):
        return exports.describe_for_display(obj.filters)

    def changelist_view(self, request, extra_context=None):
        # While a file is being prepared the page reloads itself (no script: the admin's CSP).
        preparing = SubscriberExport.objects.filter(
            file_state=SubscriberExport.FileState.PREPARING
        ).exists()
        context = {"refresh_seconds": 5 if preparing else None, **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    @post_only
    def download_view(self, request, pk):
        """The file of a ready export, to staff who may export subscribers, never cached."""
        if not (self.has_view_permission(request) and request.user.has_perm(EXPORT_PERMISSION)):
            raise PermissionDenied
        export = get_object_or_404(
            SubscriberExport, pk=pk, file_state=SubscriberExport.FileState.READY
        )
        response = FileResponse(
            storages["private"].open(export.stored_name, "rb"),
            as_attachment=True,
            filename=exports.file_name(export),
            content_type="text/csv; charset=utf-8",
        )
        patch_cache_control(response, private=True, no_store=True)
        return response


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "erased_by", "status"]
    list_filter = ["status"]
    list_select_related = ["erased_by"]


class SuppressionForm(forms.ModelForm):
    """An address staff put on the suppression list by hand."""

    class Meta:
        model = Suppression
        fields = ["email", "detail"]
        help_texts = {"detail": "Why, in a few words (optional)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "email" in self.fields:  # not on the view-only page of a row already there
            self.fields["email"].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        # The digest is unique and not a field of the form: an address already there would
        # fail in the database rather than here.
        if is_suppressed(email):
            raise forms.ValidationError("This address is already on the suppression list.")
        return email


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Addresses no issue is sent to. Bounces, complaints and erasures add them; staff add one
    by hand (reason "Added by staff") and delete a row to lift it. Rows are never edited: what
    a mail server said stays as it said it. An erased subscriber's row holds no address, only
    its digest: searching for the full address finds it."""

    form = SuppressionForm
    list_display = ["address", "reason", "created_at", "detail"]
    list_filter = ["reason", "created_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    fields = ["email", "detail"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("address"), ordering="email")
    def address(self, obj):
        return obj.email or "erased address"

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if "@" in term:
            results |= queryset.filter(digest=address_digest(term))
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        obj.reason = Suppression.Reason.MANUAL
        super().save_model(request, obj, form, change)
