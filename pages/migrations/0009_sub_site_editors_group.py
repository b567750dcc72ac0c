"""The "Sub-site editors" group: the people who run a sub-site (its `editors`) write and submit
its editorial pages (view, add, change, delete: a publisher publishes them, as the main site's),
and change its introduction and picks (view and change a sub-site; view, add, change and delete
picks; view publications, to find one to pick). Which sub-sites: subsites/editors.py.

Idempotent: the browser tests run it again after each flush, after the migrations that made
the groups.
"""

from django.db import migrations
from django.db.models import Q

from forumasia.permissions import create_app_permissions


def give_sub_site_editors_rights(apps, schema_editor):
    create_app_permissions(apps, "pages", "subsites", "publications")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    rights = Permission.objects.filter(
        Q(content_type__app_label="pages", content_type__model="page") & ~Q(codename="publish_page")
        | Q(content_type__app_label="subsites", codename__in=["view_subsite", "change_subsite"])
        | Q(content_type__app_label="subsites", content_type__model="pick")
        | Q(content_type__app_label="publications", codename="view_publication")
    )
    group, _ = Group.objects.get_or_create(name="Sub-site editors")
    group.permissions.add(*rights)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0008_pages_per_sub_site"),
        ("subsites", "0003_sub_site_editors"),
        ("publications", "0014_editors_change_only_what_is_not_public"),
    ]

    operations = [migrations.RunPython(give_sub_site_editors_rights, migrations.RunPython.noop)]
