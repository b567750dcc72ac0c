"""Admin list filters that stay fast on large tables."""

from django.contrib import admin
from django.db.models import Exists, OuterRef


class UsedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """Offers the related objects that are used at all, like RelatedOnlyFieldListFilter.

    RelatedOnlyFieldListFilter asks `id IN (SELECT DISTINCT fk FROM <whole table>)`, which
    reads every row: 300-400 ms at 100,000 publications or 1,000,000 subscribers on every
    changelist view. This asks EXISTS per candidate (one index probe each; there are only a
    few dozen countries), whatever the table's size. Unlike RelatedOnly it ignores the other
    active filters, which only ever offers a choice that matches nothing.
    """

    def field_choices(self, field, request, model_admin):
        related_model = field.remote_field.model
        if field.many_to_many:
            through = field.remote_field.through
            used = through.objects.filter(**{field.m2m_reverse_field_name(): OuterRef("pk")})
        else:
            used = field.model._default_manager.filter(**{field.name: OuterRef("pk")})
        choices = related_model._default_manager.filter(Exists(used))
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            choices = choices.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in choices]
