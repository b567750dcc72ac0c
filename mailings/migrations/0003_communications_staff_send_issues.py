"""Communications staff compose, test and send the newsletter's issues: they may add and change
issues (with their language versions and items), see the sending ledger, send (`send_issue`),
and see publications, to choose them as items."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Communications staff"
PERMISSIONS = {
    "mailings": [
        "view_issue",
        "add_issue",
        "change_issue",
        "delete_issue",
        "send_issue",
        "view_issuevariant",
        "add_issuevariant",
        "change_issuevariant",
        "delete_issuevariant",
        "view_issueitem",
        "add_issueitem",
        "change_issueitem",
        "delete_issueitem",
        "view_delivery",
    ],
    "publications": ["view_publication"],
}


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    for app_label, codenames in PERMISSIONS.items():
        yield from Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )


def grant(apps, schema_editor):
    for app_label in PERMISSIONS:
        app_config = apps.get_app_config(app_label)
        # As newsletter 0002: permissions are otherwise made after every migration has run.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("mailings", "0002_communications_staff_manage_suppressions"),
        ("publications", "0022_unspaced_text"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
