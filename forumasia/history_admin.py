"""History in the admin for any model registered with forumasia/history.py.

`HistoryAdminMixin` (before ModelAdmin in the bases) gives a model admin:
- every add, change and list action saved as one revision, with who and the change message;
- "History": the revisions, newest first, with who and when; any two compared side by side
  (`history_rows()` says what is compared); "Restore this version…" asks for confirmation and
  then writes the version back as a new revision (`restore_version()`);
- two editors at once: the form carries the version it was opened at; a save made after
  someone else saved is stopped with a link to what they changed, and nothing is overwritten.

Only users who may change the object see its history, compare and restore (server-side). The
pages are plain HTML forms: no script, so they work under the admin's CSP.
"""

import reversion
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext

from . import history

OPENED_VERSION = "opened_version"


def shown_time(moment):
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def field_value(model_field, value):
    """A stored value as an editor reads it: the label of a choice, the name of a linked row,
    a time in the Secretariat's zone."""
    if value in (None, ""):
        return ""
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if isinstance(model_field, models.DateTimeField):
        return shown_time(model_field.to_python(value))
    if model_field.many_to_one:
        found = model_field.related_model._base_manager.filter(pk=value).first()
        return str(found) if found else gettext("(deleted, #%(id)s)") % {"id": value}
    if isinstance(model_field, models.BooleanField):
        return gettext("yes") if value else gettext("no")
    return str(value)


class OpenedVersionForm(forms.Form):
    """Mixed into the admin's form: the version the editor opened, checked on save."""

    opened_version = forms.CharField(required=False, widget=forms.HiddenInput)
    history_object = None
    history_links = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The version current when the form is shown; a POST carries it back.
        self.initial.setdefault(
            OPENED_VERSION, str(history.latest_version_id(self.history_object) or "")
        )

    def clean(self):
        cleaned = super().clean()
        obj = self.history_object
        if obj is None or obj.pk is None:
            return cleaned
        current = history.latest_version_id(obj)
        opened = (self.data.get(OPENED_VERSION) or "").strip()
        if str(current or "") == opened:
            return cleaned
        latest = history.versions_of(obj).first()
        # The next save is made knowing: it starts from the version now current.
        self.data = self.data.copy()
        self.data[OPENED_VERSION] = str(current or "")
        who = latest.revision.user if latest and latest.revision.user else gettext("Someone")
        raise ValidationError(
            format_html(
                gettext(
                    "{} saved this after you opened it ({}). Nothing was saved: neither your "
                    'changes nor theirs are lost. <a href="{}">See what they changed</a>; your '
                    "changes are still in this form: save again to replace theirs with yours, "
                    "or reload the page to start from theirs."
                ),
                who,
                shown_time(latest.revision.date_created) if latest else "",
                self.history_links(opened, current),
            ),
            code="edit_conflict",
        )


class HistoryAdminMixin:
    change_form_template = "admin/history/change_form.html"
    object_history_template = "admin/history/object_history.html"
    # The fields compared between versions, in order; fields holding HTML are compared as text.
    history_fields = ()
    history_html_fields = ()

    # --- Saving as revisions ---

    def _in_revision(self, request, view, *args, **kwargs):
        with reversion.create_revision():
            reversion.set_user(request.user)
            return view(request, *args, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        return self._in_revision(request, super().add_view, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._in_revision(request, super().change_view, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        return self._in_revision(request, super().changelist_view, extra_context)

    def _comment(self, entry):
        if reversion.is_active():
            said = [part for part in (reversion.get_comment(), entry.get_change_message()) if part]
            reversion.set_comment("; ".join(dict.fromkeys(said)))

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._comment(entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._comment(entry)
        return entry

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Again once the inlines and links are written: the revision holds them as saved.
        if reversion.is_active():
            reversion.add_to_revision(form.instance)

    def get_form(self, request, obj=None, change=False, **kwargs):
        # A mixin before this one may bring its own form (a translation's add form).
        base = kwargs.pop("form", self.form)
        if not issubclass(base, OpenedVersionForm):
            base = type(base.__name__, (OpenedVersionForm, base), {})
        # A fresh class each call (modelform_factory): per-request attributes are safe on it.
        form = super().get_form(request, obj, change=change, form=base, **kwargs)
        form.history_object = obj
        form.history_links = staticmethod(self.history_links_for(obj))
        return form

    # --- URLs ---

    def _url(self, name, *args):
        opts = self.model._meta
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{name}", args=args
        )

    def history_links_for(self, obj):
        def link(opened, current):
            if obj is None or not opened or not current:
                return self._url("history", quote(obj.pk)) if obj else ""
            return self._url("compare", quote(obj.pk)) + f"?from={opened}&to={current}"

        return link

    def get_urls(self):
        opts = self.model._meta
        info = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/compare/",
                wrap(self.compare_view),
                name=f"{info}_compare",
            ),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                wrap(self.restore_view),
                name=f"{info}_restore",
            ),
            *super().get_urls(),
        ]

    # --- Views ---

    def _changeable_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _version(self, obj, version_id):
        try:
            return history.versions_of(obj).get(pk=int(version_id))
        except (TypeError, ValueError, OverflowError, history.Version.DoesNotExist):
            raise Http404("No such version of this object.") from None

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "title": title,
            "history_url": self._url("history", quote(obj.pk)),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        obj = self._changeable_object(request, object_id)
        versions = list(history.versions_of(obj)[:200])
        for version in versions:
            version.restore_url = self._url("restore", quote(obj.pk), version.pk)
        context = self._context(
            request,
            obj,
            gettext("History: %(object)s") % {"object": obj},
            versions=versions,
            compare_url=self._url("compare", quote(obj.pk)),
        )
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id):
        obj = self._changeable_object(request, object_id)
        first = self._version(obj, request.GET.get("from"))
        second = self._version(obj, request.GET.get("to"))
        older, newer = sorted((first, second), key=lambda v: (v.revision.date_created, v.pk))
        context = self._context(
            request,
            obj,
            gettext("Compare versions: %(object)s") % {"object": obj},
            older=older,
            newer=newer,
            rows=self.compare_rows(older, newer),
            restore_url=self._url("restore", quote(obj.pk), older.pk),
        )
        return TemplateResponse(request, "admin/history/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        obj = self._changeable_object(request, object_id)
        version = self._version(obj, version_id)
        current = history.versions_of(obj).first()
        if request.method == "POST":
            try:
                restored = self.restore_version(request, version)
            except (ValidationError, history.RestoreError) as error:
                messages.error(
                    request,
                    gettext("This version cannot be restored: %(reason)s")
                    % {"reason": _reason(error)},
                )
            else:
                text = gettext("The version of %(date)s is restored.") % {
                    "date": shown_time(version.revision.date_created)
                }
                if restored.left_out:
                    text += " " + gettext("Left out, deleted since: %(names)s.") % {
                        "names": ", ".join(restored.left_out)
                    }
                messages.success(request, text)
                return redirect(self._url("change", quote(obj.pk)))
        context = self._context(
            request,
            obj,
            gettext("Restore this version? %(object)s") % {"object": obj},
            version=version,
            rows=self.compare_rows(current, version) if current else [],
            keeps_note=self.restore_note,
        )
        return TemplateResponse(request, "admin/history/restore.html", context)

    # --- What a version says ---

    restore_note = ""

    def restore_version(self, request, version):
        """Write `version` back as a new revision; apps with a service override this."""
        with reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(
                f"Restored the version of {shown_time(version.revision.date_created)}"
            )
            restored = history.restore(version=version)
            restored.obj.save()
            reversion.add_to_revision(restored.obj)
        return restored

    def history_rows(self, version):
        """[(label, value, kind)] describing `version`: kind "text", "html" or "list"."""
        values = version.field_dict
        rows = []
        for name in self.history_fields:
            model_field = self.model._meta.get_field(name)
            if model_field.many_to_many:
                related = model_field.related_model._base_manager.filter(
                    pk__in=values.get(model_field.attname) or []
                )
                rows.append((model_field.verbose_name, sorted(map(str, related)), "list"))
                continue
            kind = "html" if name in self.history_html_fields else "text"
            raw = values.get(model_field.attname)
            value = raw if kind == "html" else field_value(model_field, raw)
            rows.append((model_field.verbose_name, value, kind))
        return rows

    def compare_rows(self, older, newer):
        new_rows = {label: (value, kind) for label, value, kind in self.history_rows(newer)}
        return [
            history.Row(label=label, old=value, new=new_rows.get(label, ("", kind))[0], kind=kind)
            for label, value, kind in self.history_rows(older)
        ]


def _reason(error):
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
