from django import forms
from django.utils.translation import gettext_lazy as _

from .classify import TypeMap, TypeMapError


class ExportUploadForm(forms.Form):
    export = forms.FileField(
        label=_("WordPress export (WXR)"),
        help_text=_("The .xml file from Tools → Export in WordPress (all content)."),
    )
    type_map = forms.FileField(
        label=_("Type rules (optional)"),
        required=False,
        help_text=_(
            "A CSV of kind,value,type rows, e.g. prefix,Joint Appeal,letter or "
            "category,Briefings,report; added to the built-in rules."
        ),
    )

    def clean_type_map(self):
        upload = self.cleaned_data.get("type_map")
        if not upload:
            return ""
        try:
            text = upload.read().decode("utf-8-sig")
            TypeMap.from_csv(text)
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Save the type rules as UTF-8 CSV.")) from exc
        except TypeMapError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text
