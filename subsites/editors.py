"""Who runs which sub-site: a sub-site's editors (`SubSite.editors`, in the "Sub-site editors"
group) write its editorial pages and choose its picks in the admin, and see nothing of another
sub-site's there (its pages, their files, its settings: 403, or 404 for a file).

Publishers (who may add sub-sites) and superusers see every sub-site's, and so does staff who
runs no sub-site (the main site's Editors): the limit is for the people a sub-site brings in.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from .models import SubSite

# Whoever may make sub-sites runs them all.
RUNS_EVERY_SUB_SITE = "subsites.add_subsite"


def sub_sites_run_by(user):
    """The ids of the only sub-sites `user` may work on in the admin, or None when not limited
    to some. Read once per request (kept on the user object)."""
    if not user.is_authenticated or user.is_superuser or user.has_perm(RUNS_EVERY_SUB_SITE):
        return None
    if not hasattr(user, "_sub_sites_run"):
        ids = list(SubSite.objects.filter(editors=user).values_list("pk", flat=True))
        user._sub_sites_run = ids or None
    return user._sub_sites_run


class SubSiteScopedAdminMixin:
    """A ModelAdmin whose rows belong to a sub-site (`sub_site_lookup` names the sub-site's id
    from the row): an editor of some sub-sites lists only theirs, and any URL of another's row
    (change, history, compare, restore, delete, and the autocomplete, which lists the same
    queryset) answers 403 rather than "does not exist"."""

    sub_site_lookup = "sub_site"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = sub_sites_run_by(request.user)
        if scope is None:
            return queryset
        return queryset.filter(**{f"{self.sub_site_lookup}__in": scope})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        scoped = sub_sites_run_by(request.user) is not None
        if obj is None and scoped and self._exists(object_id, from_field):
            raise PermissionDenied
        return obj

    def has_change_permission(self, request, obj=None):
        # An archived campaign is read-only to the people it brought in: they may still look.
        if obj is not None and self._archived(obj) and sub_sites_run_by(request.user) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._archived(obj) and sub_sites_run_by(request.user) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def _archived(self, obj):
        sub_site = obj if isinstance(obj, SubSite) else getattr(obj, "sub_site", None)
        return sub_site is not None and sub_site.is_archived

    def _exists(self, object_id, from_field):
        opts = self.model._meta
        field = opts.pk if from_field is None else opts.get_field(from_field)
        try:
            value = field.to_python(object_id)
            return self.model._default_manager.filter(**{field.name: value}).exists()
        except (ValidationError, ValueError, OverflowError):
            return False
