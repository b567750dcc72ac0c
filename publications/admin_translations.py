"""Translations in the admin: "Add translation" on a publication's change form opens the add
form with `?translation_of=<id>`, pre-filled from the original (services.translation_initial):
type, countries, themes, image texts, signatories and partners in their order, other
co-signers, contact and video, and the language still to choose. The featured image and the
gallery are reused on save when their boxes stay ticked (files cannot be pre-filled in a form).
"""

import re

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from . import services
from .models import LANGUAGES, Publication, Signature

TRANSLATION_PARAMETER = "translation_of"
PUBLICATION_ID = re.compile(r"[0-9]{1,18}\Z")


def original_to_translate(request):
    """The publication an add form translates (`?translation_of=<id>`; a translation's own
    original when it names a translation), or None. Looked up once per request."""
    if not hasattr(request, "_original_to_translate"):
        value = request.GET.get(TRANSLATION_PARAMETER, "")
        found = None
        if PUBLICATION_ID.match(value):
            found = Publication.objects.select_related("translation_of").filter(pk=value).first()
        request._original_to_translate = found and (found.translation_of or found)
    return request._original_to_translate


def prefilled_signatures(request):
    """The signature rows the add form of a translation starts with (shown, not yet sent)."""
    original = original_to_translate(request)
    if original is None or request.method != "GET":
        return []
    return services.translation_signatures(original)


def translation_form(base_form, original):
    class TranslationForm(base_form):
        reuse_featured_image = forms.BooleanField(
            required=False,
            initial=bool(original.featured_image),
            label=_("Use the original's featured image"),
            help_text=_(
                "Its alt text, caption and credit are above, to translate. An image "
                "uploaded here replaces it."
            ),
        )
        copy_gallery = forms.BooleanField(
            required=False,
            initial=True,
            label=f"Copy the original's gallery ({original.gallery_images.count()} images)",
            help_text="Translate their alt texts and captions after saving.",
        )

    return TranslationForm


class TranslationAdminMixin:
    """For PublicationAdmin: the add form of a translation, and the translations of an
    original on its change form."""

    def get_changeform_initial_data(self, request):
        original = original_to_translate(request)
        if original is None:
            initial = super().get_changeform_initial_data(request)
            # Not a publication's id: a plain add form (the widget would look the value up).
            initial.pop(TRANSLATION_PARAMETER, None)
            return initial
        return services.translation_initial(original)

    def get_form(self, request, obj=None, change=False, **kwargs):
        original = None if change else original_to_translate(request)
        if original is not None:
            kwargs["form"] = translation_form(self.form, original)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            return fieldsets
        # A new publication has no translations to list yet.
        fieldsets = [
            (
                name,
                {**options, "fields": [f for f in options["fields"] if f != "translation_links"]},
            )
            for name, options in fieldsets
        ]
        if original_to_translate(request) is not None:
            # Beside the featured image's own fields.
            position = next(
                (
                    index + 1
                    for index, (_, options) in enumerate(fieldsets)
                    if "featured_image" in options["fields"]
                ),
                len(fieldsets),
            )
            fieldsets.insert(
                position,
                ("From the original", {"fields": ["reuse_featured_image", "copy_gallery"]}),
            )
        return fieldsets

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        original = original_to_translate(request)
        if db_field.name == "language" and original is not None:
            taken = {original.language, *original.translations.values_list("language", flat=True)}
            kwargs["choices"] = [("", "— the translation's language —")] + [
                (code, label) for code, label in LANGUAGES if code not in taken
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # Shown on the form only: sent back, the rows are new data like any other, and saved.
        if inline.model is Signature and obj.pk is None:
            kwargs["initial"] = prefilled_signatures(request)
        return kwargs

    def save_model(self, request, obj, form, change):
        if not change and form.cleaned_data.get("reuse_featured_image") and obj.translation_of:
            services.reuse_featured_image(obj, obj.translation_of)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        translation = form.instance
        if not change and form.cleaned_data.get("copy_gallery") and translation.translation_of:
            services.copy_gallery(original=translation.translation_of, translation=translation)

    @admin.display(description=_("translations"))
    def translation_links(self, obj):
        """The group's other languages, each linked to its change form, and "Add translation"."""
        original = obj.translation_of or obj
        members = [original, *original.translations.order_by("language")]
        others = [member for member in members if member.pk != obj.pk]
        add_url = reverse("admin:publications_publication_add")
        links = format_html_join(
            " · ",
            '<a href="{}" lang="{}">{}</a>{}',
            (
                (
                    reverse("admin:publications_publication_change", args=[member.pk]),
                    member.language,
                    member.get_language_display(),
                    " (original)" if member.pk == original.pk else "",
                )
                for member in others
            ),
        )
        return format_html(
            '{}{}<a class="addlink" href="{}?{}={}">Add translation</a>',
            links or "None yet.",
            " — " if links else " ",
            add_url,
            TRANSLATION_PARAMETER,
            original.pk,
        )
