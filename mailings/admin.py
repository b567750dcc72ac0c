"""Communications staff compose, check and send the monthly e-newsletter.

Compose: an issue's lists, language variants (subject, preheader, introduction in the site's
sanitised editor) and items (public publications, in order), pre-filled with a month's
publications (services.py). Check: a preview of each language as HTML at phone and desktop
widths and as text, and a test send to typed addresses. Send: a confirmation that names the
audience, then now or at a time; pause, resume and cancel. Everything that mails anyone, or
changes whether anyone is mailed, needs the `mailings.send_issue` permission, checked here on
the server, and answers a POST only (CSRF-protected, as every admin POST is).

Once sending has started the issue is read-only, with its counts (selectors.py).
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.forms import BaseInlineFormSet, CheckboxSelectMultiple, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from forumasia.widgets import NEWSROOM_EDITOR_JS
from newsletter.models import Subscriber
from publications.models import Publication

from . import messages as issue_messages
from . import sending, services
from .forms import FillForm, IssueForm, IssueItemForm, IssueVariantForm, ScheduleForm, TestSendForm
from .models import Issue, IssueItem, IssueVariant
from .selectors import COMPLAINT_RATE_GOAL, COMPLAINT_RATE_LIMIT, IssueCounts, with_delivery_counts

SEND_PERMISSION = "mailings.send_issue"
post_only = method_decorator(require_POST)
Status = Issue.Status


def is_draft(issue):
    return issue is None or issue.status == Status.DRAFT


def percent(rate):
    return f"{rate * 100:.2f}%"


def as_sent(rendered):
    """The message as a subscriber gets it, filled in for one who is not stored (its links
    change nobody's subscription)."""
    stand_in = Subscriber(email="reader@example.org", language=rendered.language)
    return issue_messages.personalised(rendered, subscriber=stand_in)


def plural(count, one, many):
    return f"{count:,} {one if count == 1 else many}"


class PublishedPublicationAutocomplete(AutocompleteJsonView):
    """The admin's autocomplete, over public publications only: an issue links to what its
    readers can open. The publications admin's own search finds them."""

    def get_queryset(self):
        queryset = self.model_admin.get_queryset(self.request).published()
        queryset, duplicates = self.model_admin.get_search_results(
            self.request, queryset, self.term
        )
        return queryset.distinct() if duplicates else queryset


class PublishedPublicationSelect(AutocompleteSelect):
    def get_url(self):
        return reverse("admin:mailings_issue_publication_autocomplete")


class DraftOnlyInline:
    """An inline of an issue that can change only while the issue is a draft."""

    def has_add_permission(self, request, obj=None):
        return is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_draft(obj) and super().has_delete_permission(request, obj)


class VariantFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        languages = [
            form.cleaned_data.get("language")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if settings.LANGUAGE_CODE not in languages:
            raise ValidationError(
                "An issue needs its English version: subscribers whose language has no "
                "version of their own receive it."
            )


class IssueVariantInline(DraftOnlyInline, admin.StackedInline):
    model = IssueVariant
    form = IssueVariantForm
    formset = VariantFormSet
    extra = 0
    min_num = 1
    verbose_name = "language version"
    verbose_name_plural = "language versions (English first; each subscriber gets their own)"


class IssueItemInline(DraftOnlyInline, admin.TabularInline):
    model = IssueItem
    form = IssueItemForm
    extra = 1
    verbose_name = "publication"
    verbose_name_plural = "publications (in this order: move them, or type their positions)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "publication":
            kwargs["queryset"] = Publication.objects.published()
            kwargs["widget"] = PublishedPublicationSelect(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("publication")


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = [
        "subject",
        "status",
        "list_names",
        "send_time",
        "recipients",
        "sent",
        "failed",
        "bounced",
        "complained",
        "unsubscribed",
        "complaint_rate",
    ]
    list_filter = ["status"]
    search_fields = ["slug"]
    inlines = [IssueVariantInline, IssueItemInline]
    readonly_fields = [
        "status",
        "send_at",
        "started_at",
        "finished_at",
        "recipient_count",
        "results",
    ]
    change_form_template = "admin/mailings/issue/change_form.html"
    form = IssueForm
    change_list_template = "admin/mailings/issue/change_list.html"

    class Media:
        js = [*NEWSROOM_EDITOR_JS, "mailings/issue-items.js"]
        css = {"all": ["mailings/admin.css"]}

    # --- the list and the page -----------------------------------------------------------

    def get_queryset(self, request):
        return with_delivery_counts(super().get_queryset(request)).prefetch_related(
            "mailing_lists", "variants"
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["slug", "mailing_lists", "status"]})]
        if not is_draft(obj):
            fieldsets.append(
                (
                    "Sending",
                    {
                        "fields": [
                            "send_at",
                            "started_at",
                            "finished_at",
                            "recipient_count",
                            "results",
                        ],
                        "description": "Times are in Asia/Bangkok (UTC+7).",
                    },
                )
            )
        return fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "mailing_lists":
            kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Drafts only: a sent issue is the archive's, and its ledger the record of who got it.
        return obj is not None and is_draft(obj) and super().has_delete_permission(request, obj)

    def has_send_permission(self, request):
        return request.user.has_perm(SEND_PERMISSION)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="subject")
    def subject(self, obj):
        return str(obj)

    @admin.display(description="lists")
    def list_names(self, obj):
        return ", ".join(mailing_list.name for mailing_list in obj.mailing_lists.all()) or "—"

    @admin.display(description="send time", ordering="send_at")
    def send_time(self, obj):
        return obj.started_at or obj.send_at

    @admin.display(description="recipients")
    def recipients(self, obj):
        return "—" if is_draft(obj) else f"{obj.recipient_count:,}"

    @admin.display(description="sent", ordering="sent_count")
    def sent(self, obj):
        return f"{obj.sent_count:,}"

    @admin.display(description="failed", ordering="failed_count")
    def failed(self, obj):
        return f"{obj.failed_count:,}"

    @admin.display(description="bounced", ordering="bounced_count")
    def bounced(self, obj):
        return f"{obj.bounced_count:,}"

    @admin.display(description="complained", ordering="complained_count")
    def complained(self, obj):
        return f"{obj.complained_count:,}"

    @admin.display(description="unsubscribed", ordering="unsubscribed_count")
    def unsubscribed(self, obj):
        return f"{obj.unsubscribed_count:,}"

    @admin.display(description="complaint rate")
    def complaint_rate(self, obj):
        counts = IssueCounts.of(obj)
        if counts.complaint_rate is None:
            return "—"
        return format_html(
            '<span class="complaint-rate complaint-{}">{}</span>',
            counts.complaint_level,
            percent(counts.complaint_rate),
        )

    @admin.display(description="results")
    def results(self, obj):
        counts = IssueCounts.of(obj)
        rate = "—" if counts.complaint_rate is None else percent(counts.complaint_rate)
        return format_html(
            '<table class="issue-results"><tbody>'
            "<tr><th>Sent</th><td>{}</td></tr>"
            "<tr><th>Failed</th><td>{}</td></tr>"
            "<tr><th>Bounced</th><td>{}</td></tr>"
            "<tr><th>Complained</th><td>{}</td></tr>"
            "<tr><th>Unsubscribed after receiving it</th><td>{}</td></tr>"
            '<tr><th>Complaint rate</th><td><span class="complaint-rate complaint-{}">{}</span>'
            " (goal: under {}; limit: {})</td></tr>"
            "</tbody></table>",
            f"{counts.sent:,}",
            f"{counts.failed:,}",
            f"{counts.bounced:,}",
            f"{counts.complained:,}",
            f"{counts.unsubscribed:,}",
            counts.complaint_level,
            rate,
            percent(COMPLAINT_RATE_GOAL),
            percent(COMPLAINT_RATE_LIMIT),
        )

    def changelist_view(self, request, extra_context=None):
        context = {
            "current_month": services.current_month(),
            "can_draft": self.has_add_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        context = {
            "can_send": self.has_send_permission(request),
            "can_fill": issue is not None and self.has_change_permission(request, issue),
            "current_month": services.current_month(),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    # --- the views of composing, checking and sending ------------------------------------

    def get_urls(self):
        def view(function, route, name):
            return path(route, self.admin_site.admin_view(function), name=f"mailings_issue_{name}")

        autocomplete = PublishedPublicationAutocomplete.as_view(admin_site=self.admin_site)
        return [
            view(autocomplete, "publications/autocomplete/", "publication_autocomplete"),
            view(self.draft_view, "draft/", "draft"),
            view(self.fill_view, "<int:pk>/fill/", "fill"),
            view(self.preview_view, "<int:pk>/preview/", "preview"),
            view(self.preview_html_view, "<int:pk>/preview/email/", "preview_html"),
            view(self.test_send_view, "<int:pk>/test-send/", "test_send"),
            view(self.send_view, "<int:pk>/send/", "send"),
            view(self.pause_view, "<int:pk>/pause/", "pause"),
            view(self.resume_view, "<int:pk>/resume/", "resume"),
            view(self.cancel_view, "<int:pk>/cancel/", "cancel"),
            *super().get_urls(),
        ]

    def _issue(self, request, pk, *, may):
        issue = get_object_or_404(Issue, pk=pk)
        if not (self.has_view_permission(request, issue) and may):
            raise PermissionDenied
        return issue

    def _back(self, issue):
        return redirect("admin:mailings_issue_change", issue.pk)

    def _context(self, request, issue, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "issue": issue,
            "title": title,
            "subtitle": str(issue),
            "change_url": reverse("admin:mailings_issue_change", args=[issue.pk]),
            **extra,
        }

    @post_only
    def draft_view(self, request):
        """A new draft of the current month with its publications, for the default list."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        issue = services.draft_issue(
            month=services.current_month(), list_slugs=[], user=request.user
        )
        messages.success(
            request,
            f"Drafted “{issue}” with {plural(issue.items.count(), 'publication', 'publications')}"
            ". Check the lists, write the introduction, then preview it.",
        )
        return self._back(issue)

    @post_only
    def fill_view(self, request, pk):
        issue = self._issue(request, pk, may=self.has_change_permission(request, None))
        form = FillForm(request.POST)
        if not is_draft(issue):
            messages.error(request, "Sending has started: the issue can no longer change.")
        elif not form.is_valid():
            messages.error(request, "Choose a month (YYYY-MM).")
        else:
            added = services.fill_issue(issue=issue, month=form.cleaned_data["month"])
            messages.success(
                request,
                f"Added {plural(added, 'publication', 'publications')} of "
                f"{form.cleaned_data['month']:%B %Y}.",
            )
        return self._back(issue)

    def _rendered(self, issue):
        """{language: Rendered or TooLarge} for each of the issue's languages."""
        found = {}
        for variant in issue.variants.all():
            try:
                found[variant.language] = issue_messages.render(issue, variant.language)
            except issue_messages.TooLarge as error:
                found[variant.language] = error
        return found

    def preview_view(self, request, pk):
        issue = self._issue(request, pk, may=True)
        languages = dict(settings.LANGUAGES)
        codes = [variant.language for variant in issue.variants.all()]
        language = request.GET.get("language")
        if language not in codes:
            language = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes else None
        rendered, error = None, "This issue has no English version yet: add one, then save."
        if language:
            try:
                rendered, error = issue_messages.render(issue, language), None
            except issue_messages.TooLarge as too_large:
                error = str(too_large)
        tabs = [
            (code, languages.get(code, code), f"?{urlencode({'language': code})}") for code in codes
        ]
        context = self._context(
            request,
            issue,
            "Preview",
            language=language,
            language_name=languages.get(language, language),
            tabs=tabs,
            rendered=rendered,
            text=as_sent(rendered).body if rendered else "",
            error=error,
            html_url=reverse("admin:mailings_issue_preview_html", args=[issue.pk])
            + f"?{urlencode({'language': language})}",
            can_send=self.has_send_permission(request),
        )
        return TemplateResponse(request, "admin/mailings/issue/preview.html", context)

    def preview_html_view(self, request, pk):
        """The email's HTML alone, for the preview's frames: sandboxed by its own policy, so
        nothing in it runs as the admin, and shown only inside the admin's own pages."""
        issue = self._issue(request, pk, may=True)
        if not issue.variants.exists():
            raise Http404("This issue has no language version.")
        try:
            rendered = issue_messages.render(issue, request.GET.get("language", ""))
        except issue_messages.TooLarge as error:
            return HttpResponse(str(error), content_type="text/plain; charset=utf-8", status=422)
        message = as_sent(rendered)
        html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
        response = HttpResponse(html)
        images = " ".join(["'self'", "data:", settings.SITE_URL, *settings.MEDIA_ORIGINS])
        response["Content-Security-Policy"] = (
            f"sandbox; default-src 'none'; img-src {images}; style-src 'unsafe-inline'; "
            "frame-ancestors 'self'"
        )
        response["X-Frame-Options"] = "SAMEORIGIN"
        add_never_cache_headers(response)
        return response

    def test_send_view(self, request, pk):
        issue = self._issue(request, pk, may=self.has_send_permission(request))
        languages = [variant.language for variant in issue.variants.all()]
        form = TestSendForm(request.POST or None, languages=languages)
        if request.method == "POST" and form.is_valid():
            try:
                count = sending.send_test(
                    issue,
                    addresses=form.cleaned_data["addresses"],
                    language=form.cleaned_data["language"] or None,
                )
            except issue_messages.TooLarge as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Sent {plural(count, 'test message', 'test messages')} to "
                    f"{', '.join(form.cleaned_data['addresses'])}.",
                )
                return self._back(issue)
        context = self._context(request, issue, "Send a test", form=form)
        return TemplateResponse(request, "admin/mailings/issue/test_send.html", context)

    def send_view(self, request, pk):
        """The confirmation (GET), then the send (POST): now, or scheduled for a time."""
        issue = self._issue(request, pk, may=self.has_send_permission(request))
        if not is_draft(issue):
            status = issue.get_status_display().lower()
            messages.warning(request, f"This issue is already {status}.")
            return self._back(issue)
        refusals = [
            str(result)
            for result in self._rendered(issue).values()
            if isinstance(result, issue_messages.TooLarge)
        ]
        if not issue.variants.filter(language=settings.LANGUAGE_CODE).exists():
            refusals.append("This issue has no English version: add one, then save.")
        count = sending.recipient_count(issue)
        lists = list(issue.mailing_lists.all())
        schedule = ScheduleForm(request.POST if request.POST.get("when") == "schedule" else None)
        if request.method == "POST" and not refusals and count:
            when = request.POST.get("when")
            if when == "now" or (when == "schedule" and schedule.is_valid()):
                at = schedule.cleaned_data["send_at"] if when == "schedule" else None
                if sending.start(issue, user=request.user, at=at):
                    messages.success(
                        request,
                        f"Sending to {plural(count, 'subscriber', 'subscribers')}"
                        + (f" at {at:%Y-%m-%d %H:%M} (Asia/Bangkok)." if at else " has started."),
                    )
                else:
                    messages.warning(request, "This issue had already been started.")
                return self._back(issue)
        context = self._context(
            request,
            issue,
            "Send this issue",
            audience=(
                f"Send to {plural(count, 'subscriber', 'subscribers')} of "
                f"{plural(len(lists), 'list', 'lists')}"
            ),
            count=count,
            count_text=plural(count, "subscriber", "subscribers"),
            lists=lists,
            refusals=refusals,
            schedule=schedule,
        )
        return TemplateResponse(request, "admin/mailings/issue/send.html", context)

    def _change_state(self, request, pk, change, done, not_now):
        issue = self._issue(request, pk, may=self.has_send_permission(request))
        if change(issue):
            messages.success(request, done)
        else:
            messages.warning(request, not_now)
        return self._back(issue)

    @post_only
    def pause_view(self, request, pk):
        return self._change_state(
            request,
            pk,
            sending.pause,
            "Paused: no more messages go out until you resume.",
            "Only a scheduled or sending issue can be paused.",
        )

    @post_only
    def resume_view(self, request, pk):
        return self._change_state(
            request, pk, sending.resume, "Resumed.", "Only a paused issue can be resumed."
        )

    @post_only
    def cancel_view(self, request, pk):
        return self._change_state(
            request,
            pk,
            sending.cancel,
            "Cancelled: nobody else receives this issue.",
            "Only a scheduled, sending or paused issue can be cancelled.",
        )
