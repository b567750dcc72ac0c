"""The "Editors" group: write and publish publications and maintain the member directory.

No newsletter permission: subscriber data belongs to "Communications staff" (newsletter app).
Permissions are normally created after all migrations ran, so they are created here first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Editors"
APPS = ("publications", "members", "taggit")


def create_editors(apps, schema_editor):
    for app_label in APPS:
        app_config = apps.get_app_config(app_label)
        # create_permissions() skips an app without a models module (as in migrations); the
        # browser tests call this with the real registry, whose module must be put back.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=APPS))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0002_load_asian_countries"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("publications", "0001_publication_attachment_gallery"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
