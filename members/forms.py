from django import forms
from django.utils.translation import gettext_lazy as _

from forumasia.forms import QueryForm, TextParameter
from forumasia.sanitise import RichTextFormMixin, RichTextValidator

from .models import SubRegion
from .services import COLUMNS, REQUIRED_COLUMNS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class MemberOrganisationAdminForm(RichTextFormMixin, forms.ModelForm):
    """The description is HTML on the member's page, typed in a plain text box: refused with a
    message when cleaning it would lose something (forumasia/sanitise.py)."""

    rich_text_fields = {"description": RichTextValidator(in_editor=False)}


class MemberImportForm(forms.Form):
    COLUMNS_HELP = {"required": REQUIRED_COLUMNS, "all": COLUMNS}

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8 CSV (Excel: “CSV UTF-8”), first row = column names, at most 2 MB."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and show the report without saving anything"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class MemberFilterForm(QueryForm):
    """The directory's GET filters, the only reader of its query string. Anything invalid is
    ignored, never an error page; a well-formed code of a country without current members is
    ignored by the view."""

    q = TextParameter(label=_("Search"), max_length=100)
    country = forms.RegexField(label=_("Country"), required=False, regex=r"\A[A-Za-z]{2}\Z")
    region = forms.ChoiceField(
        label=_("Sub-region"),
        required=False,
        choices=[("", _("All sub-regions")), *SubRegion.choices],
    )

    def clean_country(self):
        return self.cleaned_data["country"].lower()

    def filters(self):
        """The valid filters only: {"q": str, "country": code or "", "region": str}."""
        return {name: self.canonical.get(name, "") for name in ("q", "country", "region")}
