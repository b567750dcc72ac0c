"""Communications staff see the suppression list, add an address to it and lift one (the
newsletter's Suppression; its admin is newsletter/admin.py). Here, not in newsletter: the
suppression list came with the sending of issues."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Communications staff"
PERMISSIONS = ["view_suppression", "add_suppression", "delete_suppression"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("newsletter")
    # As newsletter 0002: permissions are otherwise made after every migration has run.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="newsletter", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="newsletter", codename__in=PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mailings", "0001_newsletter_issues_and_ledger"),
        ("newsletter", "0010_suppression_list"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
