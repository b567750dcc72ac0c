"""The default admin site (settings.INSTALLED_APPS names `AdminConfig` instead of
django.contrib.admin): Django's own, with one repair applied to every model admin registered on
it, ours and other packages' alike: a changelist filter the database cannot take is an invalid
filter, which the changelist answers as it does any other (back to the list, "?e=1"), not a 500:

- a date-hierarchy year Django cannot turn into a date: `?publish_at__year=99999999999999999999`
  (OverflowError) or `?publish_at__year=9999` (the year after it does not exist; Django ticket
  #37357, fixed after 5.2);
- a filter value with a NUL character (`?status__exact=%00`), which PostgreSQL refuses.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class CheckedChangeList(ChangeList):
    def get_filters(self, request):
        if any("\x00" in value for _name, values in request.GET.lists() for value in values):
            raise IncorrectLookupParameters("A filter value holds a NUL character.")
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class CheckedFilters:
    """Mixed into every model admin by the site below."""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList


class SiteAdmin(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CheckedFilters):
            admin_class = type(
                admin_class.__name__,
                (CheckedFilters, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "forumasia.admin_site.SiteAdmin"
