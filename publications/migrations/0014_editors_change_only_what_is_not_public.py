"""Editors change only what no public page shows; a change to what one shows is a Publisher's.

Member organisations and countries are each shown on a public page of their own (the
directory, member and country pages) and have no review step, nor have the editors' old-address
redirects, which answer at once: Editors keep seeing them (autocompletes, the redirects list)
and lose adding, changing and deleting them, which Publishers keep. Themes and partner
organisations stay the Editors' to add (a new one is on no public page until a publisher
releases an item that carries it); changing or deleting one a released publication shows is
refused in the admin (forumasia/workflow_admin.py, ReleasedRowsAdminMixin). Django's flat pages
gave way to editorial pages with the workflow (the pages app): their permissions go.

Idempotent: the browser tests run it again after each flush (tests/e2e/conftest.py), after the
migrations that made the groups.
"""

from django.db import migrations

from forumasia.permissions import create_app_permissions

PUBLISHERS_ONLY = [
    ("members", "country"),
    ("members", "memberorganisation"),
    ("redirects", "redirect"),
]
WRITES = ("add", "change", "delete")


def restrict_editors(apps, schema_editor):
    create_app_permissions(apps, "members", "redirects")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    writes = [
        Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
        for app_label, model in PUBLISHERS_ONLY
        for action in WRITES
    ]
    flat_pages = Permission.objects.filter(content_type__app_label="flatpages")
    editors, _ = Group.objects.get_or_create(name="Editors")
    publishers, _ = Group.objects.get_or_create(name="Publishers")
    editors.permissions.remove(*writes, *flat_pages)
    publishers.permissions.remove(*flat_pages)
    publishers.permissions.add(*writes)


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0013_publish_dates_help_text"),
        ("members", "0003_logo_validation_and_member_constraints"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(restrict_editors, migrations.RunPython.noop)]
