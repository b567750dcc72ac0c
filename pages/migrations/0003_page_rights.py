"""Who may do what with editorial pages: Editors write and submit them (view, add, change,
delete: the workflow keeps a released page the publishers'); Publishers also publish, schedule
and unpublish them (`pages.publish_page`).

Idempotent: the browser tests run it again after each flush, after the migrations that made
the groups.
"""

from django.db import migrations

from forumasia.permissions import create_app_permissions


def give_page_rights(apps, schema_editor):
    create_app_permissions(apps, "pages")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    pages = Permission.objects.filter(content_type__app_label="pages")
    editors, _ = Group.objects.get_or_create(name="Editors")
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    editors.permissions.add(*pages.exclude(codename="publish_page"))
    publishers.permissions.add(*pages)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_editorial_pages"),
        ("publications", "0014_editors_change_only_what_is_not_public"),
    ]

    operations = [migrations.RunPython(give_page_rights, migrations.RunPython.noop)]
