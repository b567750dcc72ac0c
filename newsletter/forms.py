from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Country

from .addresses import normalise_email
from .models import MailingList

CONSENT_REQUIRED = _("Please tick the box to agree, so that we may email you.")
CONSENT_TEXT = _(
    "I agree that FORUM-ASIA may email me the lists I chose and keep my details for that "
    "purpose only. I can unsubscribe at any time with the link in every email."
)

EMAIL_ERRORS = {
    "required": _("Enter your email address."),
    "invalid": _("Enter a valid email address, like name@example.org."),
    "max_length": _("An email address has at most 254 characters; please check it."),
}


class ListChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=MailingList.objects.public(),
            to_field_name="slug",
            error_messages={
                "invalid_choice": _(
                    "One of the chosen lists does not exist any more; "
                    "please choose from the lists shown."
                ),
                "invalid_pk_value": _("Please choose from the lists shown."),
            },
            **kwargs,
        )

    def label_from_instance(self, obj):
        return obj.name


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, error_messages=EMAIL_ERRORS)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    country = forms.ModelChoiceField(
        queryset=Country.objects.all(),
        label=_("Country"),
        required=False,
        to_field_name="code",
        empty_label=_("Choose a country (optional)"),
        error_messages={"invalid_choice": _("Please choose a country from the list.")},
    )
    lists = ListChoiceField(
        required=False,
        help_text=_("If you choose none, you get the monthly e-newsletter."),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": CONSENT_REQUIRED},
    )
    # Honeypot: hidden from people (CSS and aria-hidden), filled by naive bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    source = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["max_length"] = _(
            "Please shorten your name to at most 200 characters."
        )
        self.fields["organisation"].error_messages["max_length"] = _(
            "Please shorten your organisation to at most 200 characters."
        )
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["name"].widget.attrs.update(autocomplete="name")
        self.fields["organisation"].widget.attrs.update(autocomplete="organization")
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")

    @property
    def is_bot(self):
        return bool(self.data.get("website"))

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def clean_source(self):
        # Only a path of our own site is kept, never a full URL or a query string; and never a
        # newsletter link's path, which holds someone's signed token.
        source = self.cleaned_data["source"].split("?")[0]
        if not source.startswith("/") or source.startswith("//"):
            return ""
        return "/newsletter/" if source.startswith("/newsletter/") else source


class PreferencesForm(forms.Form):
    lists = ListChoiceField(required=False)

    def __init__(self, *args, needs_consent=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_consent:
            self.fields["consent"] = forms.BooleanField(
                label=CONSENT_TEXT,
                error_messages={"required": CONSENT_REQUIRED},
            )

    def clean(self):
        cleaned = super().clean()
        if "consent" in self.fields and not cleaned.get("lists"):
            self.add_error("lists", _("Choose at least one list to subscribe again."))
        return cleaned
