"""The import's own records: the exports uploaded in the admin and what became of them.

Which WordPress item became which object, and the old addresses that lead to it, are in
oldaddresses/models.py: the redirects outlive the importer.
"""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """An export uploaded in the admin: checked by a dry run, then imported (or discarded);
    both run as tasks, outside the request.

    The uploaded file lives in private storage (wordpress/uploads.py), never under MEDIA_URL,
    and is deleted once the import has run or the upload is discarded."""

    class State(models.TextChoices):
        CHECKING = "checking", "Being checked by a dry run"
        CHECKED = "checked", "Checked by a dry run"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    # Work in progress on the task queue (wordpress/services.py): the admin page refreshes itself.
    WORKING = (State.CHECKING, State.IMPORTING)

    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKING)
    error = models.TextField(blank=True)
    type_map = models.TextField(blank=True, help_text="The CSV of extra type rules, if any.")
    report = models.JSONField(default=dict, blank=True)
    report_csv = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "WordPress import"

    def __str__(self):
        return f"{self.original_name} ({self.get_state_display()})"
