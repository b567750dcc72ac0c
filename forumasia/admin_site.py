"""The default admin site (settings.INSTALLED_APPS names `AdminConfig` instead of
django.contrib.admin): Django's own, with one repair applied to every model admin registered on
it, ours and other packages' alike.

A date-hierarchy filter Django cannot turn into a date — `?publish_at__year=99999999999999999999`
(OverflowError) or `?publish_at__year=9999` (the year after it does not exist) — made the
changelist answer 500 (Django ticket #37357, fixed after 5.2). Here it is an invalid filter,
which the changelist answers as it does any other: back to the list, "?e=1".
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class BoundedDateChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class BoundedDateHierarchy:
    """Mixed into every model admin by the site below."""

    def get_changelist(self, request, **kwargs):
        return BoundedDateChangeList


class SiteAdmin(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedDateHierarchy):
            admin_class = type(
                admin_class.__name__,
                (BoundedDateHierarchy, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class AdminConfig(DjangoAdminConfig):
    default_site = "forumasia.admin_site.SiteAdmin"
