"""The mailing lists' names and descriptions in each of the site's languages
(django-modeltranslation: name_en, name_th, name_ind...). Visitors and emails read the one in
their language, the English one where it is empty."""

from modeltranslation.translator import TranslationOptions, register

from .models import MailingList


@register(MailingList)
class MailingListTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    # An empty translation is stored as NULL, not "": names are unique in each language, and
    # NULLs do not collide where empty strings would.
    empty_values = {"name": None, "description": None}
    required_languages = ("en",)
