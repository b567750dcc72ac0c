"""The "Communications staff" group: the people who manage subscribers and export them.

Permissions are normally created after all migrations have run (post_migrate); we create the
newsletter ones here first so the group can be given them in the same `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Communications staff"
PERMISSIONS = [
    "view_mailinglist",
    "add_mailinglist",
    "change_mailinglist",
    "delete_mailinglist",
    "view_subscriber",
    "delete_subscriber",  # exercised as "erase", never as a plain delete
    "export_subscribers",
    "view_subscriberexport",
    "view_erasure",
    "view_subscription",
]


def create_group(apps, schema_editor):
    app_config = apps.get_app_config("newsletter")
    # create_permissions() skips an app without a models module (as in migrations); the
    # browser tests call this with the real registry, whose module must be put back.
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


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
