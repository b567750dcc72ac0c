"""The admin's forms for composing, testing and sending an issue."""

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils import timezone

from forumasia.widgets import NewsroomEditorWidget
from publications.uploads import UPLOAD_URL

from .models import Issue, IssueItem, IssueVariant
from .urls import ISSUE_SLUGS_TAKEN

MAX_TEST_ADDRESSES = 10


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["slug", "mailing_lists"]

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in ISSUE_SLUGS_TAKEN:
            raise forms.ValidationError(
                "“%(slug)s” is the address of another newsletter page; choose another.",
                params={"slug": slug},
            )
        return slug


class IssueVariantForm(forms.ModelForm):
    class Meta:
        model = IssueVariant
        fields = ["language", "subject", "preheader", "introduction"]
        widgets = {
            "introduction": NewsroomEditorWidget(config_name="default", upload_url=UPLOAD_URL)
        }


class IssueItemForm(forms.ModelForm):
    class Meta:
        model = IssueItem
        fields = ["publication", "position"]
        # mailings/static/mailings/issue-items.js renumbers these when rows are moved; without
        # script, staff type the numbers.
        widgets = {"position": forms.NumberInput(attrs={"class": "item-position", "min": 0})}


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=(
            f"Up to {MAX_TEST_ADDRESSES} addresses, separated by commas, spaces or new lines. "
            "The message is filled in as for a subscriber; its unsubscribe link affects nobody."
        ),
    )
    language = forms.ChoiceField(required=False)

    def __init__(self, *args, languages, **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [("", "Every language of this issue")] + [
            (code, names.get(code, code)) for code in languages
        ]

    def clean_addresses(self):
        addresses = list(
            dict.fromkeys(
                word.strip().lower()
                for word in self.cleaned_data["addresses"].replace(",", " ").split()
            )
        )
        if not addresses:
            raise forms.ValidationError("Type at least one address.")
        if len(addresses) > MAX_TEST_ADDRESSES:
            raise forms.ValidationError(
                f"At most {MAX_TEST_ADDRESSES} addresses ({len(addresses)} typed)."
            )
        invalid = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError(f"Not an email address: {', '.join(invalid)}.")
        return addresses


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label="Schedule for",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In Asia/Bangkok time (UTC+7), the Secretariat's.",
    )

    def clean_send_at(self):
        send_at = self.cleaned_data["send_at"]
        if send_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or use “Send now”.")
        return send_at


class FillForm(forms.Form):
    month = forms.DateField(input_formats=["%Y-%m"], widget=forms.DateInput(format="%Y-%m"))
