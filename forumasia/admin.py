"""The editors' redirects (django.contrib.redirects) in the admin: both addresses are paths on
this site, checked when saved (forumasia/redirects.py; checked again when answered)."""

from django import forms
from django.contrib import admin
from django.contrib.redirects.admin import RedirectAdmin as DjangoRedirectAdmin
from django.contrib.redirects.models import Redirect

from .redirects import validate_local_path


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["site", "old_path", "new_path"]
        help_texts = {
            "old_path": "A path on this site that is not a page, e.g. /old-campaign/.",
            "new_path": "A path on this site, e.g. /publications/new-name/ (never another "
            "site). Empty: the old address answers “gone” (410).",
        }

    def clean_old_path(self):
        validate_local_path(self.cleaned_data["old_path"])
        return self.cleaned_data["old_path"]

    def clean_new_path(self):
        if self.cleaned_data["new_path"]:
            validate_local_path(self.cleaned_data["new_path"])
        return self.cleaned_data["new_path"]


class RedirectAdmin(DjangoRedirectAdmin):
    form = RedirectForm


admin.site.unregister(Redirect)
admin.site.register(Redirect, RedirectAdmin)
