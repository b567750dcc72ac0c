"""The admin's form for a sub-site: choices where the model keeps lists (languages, types), a
colour picker, the publications' rich-text editor, and a host typed any way a person would."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from forumasia.sanitise import RichTextFormMixin, RichTextValidator
from forumasia.widgets import NewsroomEditorWidget
from publications.models import Publication
from publications.uploads import UPLOAD_URL

from .models import SubSite
from .routing import configured_host


class ColourInput(forms.TextInput):
    """The browser's colour picker; it sends #rrggbb in lower case, which the model checks."""

    input_type = "color"


def site_languages():
    return settings.LANGUAGES


def in_order_of(choices, chosen):
    """`chosen` in the order the choices are offered: the same choice stores the same list."""
    return [value for value, _label in choices if value in chosen]


class SubSiteAdminForm(RichTextFormMixin, forms.ModelForm):
    rich_text_fields = {"introduction": RichTextValidator()}

    # Lists in the model (JSON), picked here from the site's own choices; none: all of them.
    languages = forms.MultipleChoiceField(
        label=_("languages"),
        choices=site_languages,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The languages it offers; none chosen: all of the site's."),
    )
    publication_types = forms.MultipleChoiceField(
        label=_("types"),
        choices=Publication.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only these types; none chosen: any."),
    )

    class Meta:
        model = SubSite
        fields = [
            "name",
            "short_name",
            "slug",
            "host",
            "logo",
            "accent_colour",
            "introduction",
            "languages",
            "mailing_list",
            "publication_types",
            "themes",
            "countries",
            "is_archived",
        ]
        widgets = {
            "accent_colour": ColourInput,
            "introduction": NewsroomEditorWidget(config_name="default", upload_url=UPLOAD_URL),
        }

    def clean_host(self):
        # "ASEANrights.example.org " is the same host; a scheme or a path is refused by the
        # model's validator, with its message.
        host = (self.cleaned_data["host"] or "").strip().lower() or None
        # The main site answers every host its settings accept, so a sub-site there would never
        # be served: refused whether the setting names it or a pattern (".example.org") does.
        if host and configured_host(host):
            raise forms.ValidationError(
                _(
                    "The main site answers at %(host)s (DJANGO_ALLOWED_HOSTS), so the sub-site "
                    "would never be served there: choose another host."
                ),
                params={"host": host},
            )
        return host

    def clean_accent_colour(self):
        return self.cleaned_data["accent_colour"].strip().lower()

    def clean_languages(self):
        return in_order_of(settings.LANGUAGES, self.cleaned_data["languages"])

    def clean_publication_types(self):
        return in_order_of(Publication.Type.choices, self.cleaned_data["publication_types"])
