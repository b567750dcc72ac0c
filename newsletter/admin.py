"""Admin for Communications staff: subscribers (read-only here), exports that honour the
changelist's filters, data-protection tools, and the export and erasure logs."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from forumasia.admin_filters import UsedRelatedFieldListFilter

from . import charts, data_protection, exports
from .models import Erasure, MailingList, Subscriber, SubscriberExport, Subscription

EXPORT_PERMISSION = "newsletter.export_subscribers"
# Erasing replaces deleting: it is the delete permission, exercised through
# data_protection.erase().
ERASE_PERMISSION = "newsletter.delete_subscriber"


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
class MailingListAdmin(admin.ModelAdmin):
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

    @admin.display(description="confirmed subscribers", ordering="confirmed_subscribers")
    def confirmed_subscriber_count(self, obj):
        return obj.confirmed_subscribers


class ActiveListFilter(admin.SimpleListFilter):
    """Subscribers currently on a list (not those who left it)."""

    title = "list"
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

    @admin.display(description="lists")
    def list_names(self, obj):
        return ", ".join(s.mailing_list.name for s in obj.active_lists) or "—"

    def get_urls(self):
        return [
            path(
                "export/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name="newsletter_subscriber_export",
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

    def _stream(self, request, queryset, *, fmt, filters, selected=False):
        export = exports.start_export(
            queryset=queryset,
            fmt=fmt,
            via="admin",
            filters=filters,
            user_id=request.user.pk,
            selected=selected,
        )
        response = StreamingHttpResponse(export, content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        return response

    def export_view(self, request, fmt):
        """Everything the changelist shows for the same filters and search, all pages."""
        if not (self.has_view_permission(request) and self.has_export_permission(request)):
            raise PermissionDenied
        if fmt not in exports.CSV_FORMATS:
            raise Http404("Unknown export format")
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, "Those filters are not valid; nothing was exported.")
            return redirect("admin:newsletter_subscriber_changelist")
        filters = dict(request.GET.items())
        return self._stream(request, changelist.queryset, fmt=fmt, filters=filters)

    @admin.action(description="Export selected subscribers (CSV)", permissions=["export"])
    def export_selected(self, request, queryset):
        return self._stream(
            request,
            queryset,
            fmt=SubscriberExport.Format.CSV_BOM,
            filters=dict(request.GET.items()),
            selected=True,
        )

    @admin.action(description="Download one subscriber's data (JSON)", permissions=["export"])
    def export_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Choose exactly one subscriber to download what we hold on them.",
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
        description="Erase selected subscribers (delete personal data)", permissions=["erase"]
    )
    def erase_selected(self, request, queryset):
        if request.POST.get("confirm_erase") == "yes":
            erased = 0
            for subscriber in queryset:
                data_protection.erase(subscriber=subscriber, by=request.user)
                erased += 1
            self.message_user(
                request,
                f"Erased {erased} subscriber(s). Only an anonymous count is kept.",
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
    list_display = ["created_at", "user", "via", "format", "row_count", "filters"]
    list_filter = ["via", "format", "created_at"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "erased_by", "status"]
    list_filter = ["status"]
    list_select_related = ["erased_by"]
