from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

# Each app with sample content has a `demo` module with `load(stdout=...)`.
DEMO_MODULE = "demo"


class Command(BaseCommand):
    help = (
        "Load fictional sample content (clearly marked as sample). Idempotent: running it again "
        "creates nothing new."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        # In INSTALLED_APPS order, where an app comes after the apps it depends on: members'
        # sample organisations exist before the publications they sign.
        for app_config in apps.get_app_configs():
            if module_has_submodule(app_config.module, DEMO_MODULE):
                import_module(f"{app_config.name}.{DEMO_MODULE}").load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is loaded."))
