"""Who may run sub-sites: Publishers add, change and delete them (with their picks); Editors
see them. A sub-site's settings are public at once (no review step: a new host is served as
soon as it is saved), so writing them is a publisher's. Editors of one sub-site only are a later
step.

Idempotent: the browser tests run it again after each flush, after the migrations that made
the groups.
"""

from django.db import migrations

from forumasia.permissions import create_app_permissions


def give_sub_site_rights(apps, schema_editor):
    create_app_permissions(apps, "subsites")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    sub_sites = Permission.objects.filter(content_type__app_label="subsites")
    editors, _ = Group.objects.get_or_create(name="Editors")
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    editors.permissions.add(*sub_sites.filter(codename__startswith="view_"))
    publishers.permissions.add(*sub_sites)


class Migration(migrations.Migration):
    dependencies = [
        ("subsites", "0001_sub_sites"),
        ("publications", "0014_editors_change_only_what_is_not_public"),
    ]

    operations = [migrations.RunPython(give_sub_site_rights, migrations.RunPython.noop)]
