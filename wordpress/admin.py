"""The WordPress import in the admin, for superusers only: upload an export, read the dry
run's report, then import it (or discard it). The dry run and the import run as tasks
(wordpress/services.py); the run's page refreshes itself until the report is there."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .forms import ExportUploadForm
from .models import ImportRun
from .report import Report
from .services import discard_run, start_import, upload_export

# How often the page of a run being checked or imported reloads itself (a meta refresh: no
# script, so the admin's Content-Security-Policy is untouched).
REFRESH_SECONDS = 3


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["original_name", "state", "uploaded_by", "uploaded_at", "imported_at"]
    list_filter = ["state"]

    # An import writes hundreds of publications and pages at once: superusers only.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/import/", wrap(require_POST(self.import_view)), name="wordpress-run"),
            path(
                "<int:pk>/discard/", wrap(require_POST(self.discard_view)), name="wordpress-discard"
            ),
            path("<int:pk>/report.csv", wrap(self.csv_view), name="wordpress-report-csv"),
            *super().get_urls(),
        ]

    def _check(self, request):
        if not self.has_module_permission(request):
            raise PermissionDenied

    def add_view(self, request, form_url="", extra_context=None):
        self._check(request)
        form = ExportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = upload_export(
                upload=form.cleaned_data["export"],
                type_map_text=form.cleaned_data["type_map"],
                user=request.user,
            )
            return redirect("admin:wordpress_importrun_change", run.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import from WordPress",
            "form": form,
        }
        return TemplateResponse(request, "admin/wordpress/importrun/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._check(request)
        # The admin's own look-up: an id that is not a number is "no such run", not a 500.
        run = self.get_object(request, unquote(object_id))
        if run is None:
            raise Http404("No such import.")
        report = Report.from_dict(run.report) if run.report else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(run),
            "run": run,
            "report": report,
            "report_lines": report.lines() if report else [],
            "can_import": run.state == ImportRun.State.CHECKED and bool(run.stored_name),
            "working": run.state in ImportRun.WORKING,
            "refresh_seconds": REFRESH_SECONDS,
        }
        return TemplateResponse(request, "admin/wordpress/importrun/run.html", context)

    def import_view(self, request, pk):
        self._check(request)
        run = get_object_or_404(ImportRun, pk=pk)
        if not start_import(run.pk):
            messages.error(
                request,
                gettext(
                    "This export cannot be imported now: it is being imported already, or it has "
                    "been imported or discarded (upload it again)."
                ),
            )
            return redirect("admin:wordpress_importrun_change", run.pk)
        run.refresh_from_db()
        if run.state == ImportRun.State.IMPORTED:
            messages.success(request, gettext("Imported. The uploaded export has been deleted."))
        elif run.state == ImportRun.State.IMPORTING:
            messages.info(
                request,
                gettext("The import has started. This page shows its report when it is done."),
            )
        else:
            messages.error(request, run.error)
        return redirect("admin:wordpress_importrun_change", run.pk)

    def discard_view(self, request, pk):
        self._check(request)
        discard_run(get_object_or_404(ImportRun, pk=pk).pk)
        messages.success(request, gettext("Discarded: the uploaded export has been deleted."))
        return redirect(reverse("admin:wordpress_importrun_changelist"))

    def csv_view(self, request, pk):
        self._check(request)
        run = get_object_or_404(ImportRun, pk=pk)
        response = HttpResponse(run.report_csv, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="wordpress-import-{run.pk}.csv"'
        return response
