"""Who may publish: the "Publishers" group; "Editors" draft and submit for review.

- Publishers: everything Editors have, and `publications.publish_publication` (publish,
  schedule, unpublish, change what is published).
- Editors lose that permission if they ever had it (0002 gave Editors every publications
  permission there was; this one did not exist then).
- Both may manage editorial pages (flat pages) and redirects.

Permissions are normally created after all migrations ran, so they are created here first.
Idempotent: the browser tests run it again after each flush (tests/e2e/conftest.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PUBLISHERS = "Publishers"
PUBLISH = ("publications", "publish_publication")
EDITORIAL_APPS = ("flatpages", "redirects")


def set_up_groups(apps, schema_editor):
    for app_label in ("publications", *EDITORIAL_APPS):
        app_config = apps.get_app_config(app_label)
        # create_permissions() skips an app without a models module (as in migrations); the
        # browser tests call this with the real registry, whose module must be put back.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publish = Permission.objects.get(content_type__app_label=PUBLISH[0], codename=PUBLISH[1])
    editorial = Permission.objects.filter(content_type__app_label__in=EDITORIAL_APPS)

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.remove(publish)
    editors.permissions.add(*editorial)
    publishers, _ = Group.objects.get_or_create(name=PUBLISHERS)
    publishers.permissions.add(*editors.permissions.all(), publish)


def remove_publishers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=PUBLISHERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0006_workflow_status_unpublish_at"),
        ("flatpages", "0001_initial"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(set_up_groups, remove_publishers)]
