"""For data migrations that give groups permissions: the permissions of an app exist only after
every migration has run (post_migrate), so a migration that hands them out creates them first."""

from django.contrib.auth.management import create_permissions


def create_app_permissions(apps, *app_labels):
    """Create the permissions of `app_labels` now, in the migration's `apps` (historical models)
    or in the real registry (the browser tests run the data migrations again after a flush)."""
    for app_label in app_labels:
        app_config = apps.get_app_config(app_label)
        # create_permissions() skips an app without a models module (as in migrations); the
        # real registry's module is put back afterwards.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
