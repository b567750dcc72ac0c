from django import forms

from .models import SubRegion
from .services import COLUMNS, REQUIRED_COLUMNS

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class MemberImportForm(forms.Form):
    COLUMNS_HELP = {"required": REQUIRED_COLUMNS, "all": COLUMNS}

    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV (Excel: “CSV UTF-8”), first row = column names, at most 2 MB.",
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and show the report without saving anything",
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


class MemberFilterForm(forms.Form):
    """The directory's GET filters. Anything invalid is ignored, never an error page."""

    q = forms.CharField(label="Search", required=False, strip=True)
    country = forms.ChoiceField(label="Country", required=False)
    region = forms.ChoiceField(
        label="Sub-region",
        required=False,
        choices=[("", "All sub-regions"), *SubRegion.choices],
    )

    def __init__(self, data=None, *, countries=(), **kwargs):
        if data is not None and "country" in data:
            data = data.copy()
            data["country"] = data["country"].lower()
        super().__init__(data, **kwargs)
        self.fields["country"].choices = [("", "All countries")] + [
            (country.code.lower(), f"{country.name} ({country.member_count})")
            for country in countries
        ]

    def clean_q(self):
        # A very long query is cut, not refused: the visitor still gets a results page.
        return self.cleaned_data["q"][:100]

    def filters(self):
        """The valid filters only: {"q": str, "country": code or "", "region": str}."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q", ""),
            "country": data.get("country", ""),
            "region": data.get("region", ""),
        }
