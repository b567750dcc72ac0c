from urllib.parse import urlsplit

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate, pre_migrate


def sync_site(using="default", **kwargs):
    """Keep the one Site row equal to SITE_URL (feeds and sitemaps read it)."""
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    Site.objects.clear_cache()


def create_cache_table(using="default", **kwargs):
    """The table of the cache production shares without Redis (settings.py, Cache), made by
    `migrate` whatever cache is configured now, and before any migration runs: data migrations
    save content, and saving content writes to the cache. Kept if it exists."""
    call_command("createcachetable", settings.DATABASE_CACHE_TABLE, database=using, verbosity=0)


class ForumAsiaConfig(AppConfig):
    name = "forumasia"
    verbose_name = "Site"

    def ready(self):
        post_migrate.connect(sync_site, sender=apps.get_app_config("sites"), dispatch_uid="site")
        # Sent once for each app with models before a migrate; one of them is enough.
        pre_migrate.connect(
            create_cache_table, sender=apps.get_app_config("sites"), dispatch_uid="cache-table"
        )
