"""Signatories in the admin: the ordered inline of members and partners, the partner
organisations' own admin, and the changelist filter by signatory.

Editors add partners (a new one is on no public page until a publisher releases a publication
it signs) and change or delete those no released publication shows; a partner a released
publication shows is a publisher's (forumasia/workflow_admin.py, ReleasedRowsAdminMixin).

Ordering is ours (publications/static/publications/signature-order.js): a drag handle and
Move up / Move down buttons on every row, new rows included, under the admin's CSP (static
file, no inline script). django-admin-sortable2 was tried and not taken: its inline drags only
rows already saved (not a new statement's, nor a translation's pre-filled ones), its handle is
the row heading this inline leaves out, and its move buttons are not reachable by keyboard.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forumasia import workflow
from forumasia.workflow_admin import ReleasedRowsAdminMixin
from members.models import MemberOrganisation

from . import services
from .admin_translations import prefilled_signatures
from .models import PartnerOrganisation, Publication, Signature


class SignatureForm(forms.ModelForm):
    class Meta:
        model = Signature
        fields = ["member", "partner", "order"]
        # Set by the row's position (signature-order.js) when the form is sent.
        widgets = {"order": forms.HiddenInput(attrs={"class": "signature-order"})}
        labels = {"member": "Member organisation", "partner": "or partner organisation"}


class SignatureInline(admin.TabularInline):
    model = Signature
    form = SignatureForm
    template = "admin/publications/signature/tabular.html"
    autocomplete_fields = ["member", "partner"]
    extra = 0
    verbose_name = "signatory"
    verbose_name_plural = "signatories"
    classes = ["signatory-inline"]

    class Media:
        js = ["publications/signature-order.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        wrapper = getattr(formfield, "widget", None)
        if isinstance(wrapper, RelatedFieldWidgetWrapper):
            # One line a row: no change/view links; "+" only for a partner not yet known
            # (members are added with their full details in their own admin).
            wrapper.can_change_related = wrapper.can_view_related = False
            wrapper.can_delete_related = False
            wrapper.can_add_related = wrapper.can_add_related and db_field.name == "partner"
        return formfield

    def get_extra(self, request, obj=None, **kwargs):
        # The add form of a translation shows the original's signatories as new rows.
        return len(prefilled_signatures(request)) if obj is None else 0


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ReleasedRowsAdminMixin, admin.ModelAdmin):
    publish_permission = workflow.publish_permission(Publication)
    list_display = ["name", "website", "country"]
    list_select_related = ["country"]
    # Required: the signatories inline chooses partners with autocomplete.
    search_fields = ["name"]
    autocomplete_fields = ["country"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def released_rows(self):
        return Publication.objects.released().partners()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A publisher's every save links it, so the lines an editor's new partner left as text
        # on released publications are linked by the next publisher to save it.
        if change and "name" not in form.changed_data and not services.may_publish(request.user):
            return
        result = services.link_co_signers(partner=obj, user=request.user)
        if result.linked:
            self.message_user(
                request,
                gettext(
                    "“%(name)s” was written under Other co-signers on %(count)s "
                    "publication(s): it is now linked there as a partner."
                )
                % {"name": obj.name, "count": result.linked},
                messages.SUCCESS,
            )
        if result.left_for_publishers:
            self.message_user(
                request,
                gettext(
                    "“%(name)s” is also written under Other co-signers on %(count)s published "
                    "publication(s): it stays text there until a publisher saves this partner."
                )
                % {"name": obj.name, "count": result.left_for_publishers},
                messages.INFO,
            )


def signatory_options():
    """{option text: member or partner}: what the signatory filter's box suggests and reads."""
    options = {}
    for member in MemberOrganisation.objects.order_by("name").only("pk", "name", "acronym"):
        label = f"{member.name} ({member.acronym})" if member.acronym else member.name
        options[label] = member
    for partner in PartnerOrganisation.objects.only("pk", "name"):
        options[f"{partner.name} (partner)"] = partner
    return options


def signatories_named(text, options):
    """The signatory whose option is `text` (ignoring case), else every member and partner
    whose name or acronym contains it."""
    wanted = text.strip().lower()
    exact = [item for label, item in options.items() if label.lower() == wanted]
    if exact:
        return exact
    members = MemberOrganisation.objects.filter(
        Q(name__icontains=wanted) | Q(acronym__iexact=wanted)
    )
    return [*members, *PartnerOrganisation.objects.filter(name__icontains=wanted)]


class SignatoryFilter(admin.SimpleListFilter):
    """A box with the names of every member and partner as suggestions (a <datalist>: the
    browser's own autocomplete, no script), not a list of a hundred links."""

    title = _("signatory")
    parameter_name = "signatory"
    template = "admin/publications/publication/signatory_filter.html"

    def lookups(self, request, model_admin):
        self.options = signatory_options()
        return [(label, label) for label in self.options]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        signatories = signatories_named(self.value(), self.options)
        return queryset.signed_by(*signatories) if signatories else queryset.none()

    def choices(self, changelist):
        yield {
            "selected": bool(self.value()),
            "value": self.value() or "",
            "options": list(self.options),
            # The other filters, the search and the ordering are kept when the box is sent.
            "kept": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name != self.parameter_name
                for value in values
            ],
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.value() or "All",
        }
