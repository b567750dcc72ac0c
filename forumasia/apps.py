from urllib.parse import urlsplit

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate, pre_save


def sync_site(using="default", **kwargs):
    """Keep the one Site row equal to SITE_URL (feeds and sitemaps read it)."""
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": settings.SITE_NAME}
    )
    # The row was made with an explicit id (here or by the editorial pages' data migration),
    # which does not move PostgreSQL's sequence: the next site added in the admin would get
    # the same id and fail. As django.contrib.sites does after making its own default site.
    with connections[using].cursor() as cursor:
        for statement in connections[using].ops.sequence_reset_sql(no_style(), [Site]):
            cursor.execute(statement)
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
        from .redirects import refuse_off_site_redirect

        pre_save.connect(
            refuse_off_site_redirect,
            sender=apps.get_model("redirects", "Redirect"),
            dispatch_uid="refuse-off-site-redirect",
        )
        post_migrate.connect(sync_site, sender=apps.get_app_config("sites"), dispatch_uid="site")
        # Sent once for each app with models before a migrate; one of them is enough.
        pre_migrate.connect(
            create_cache_table, sender=apps.get_app_config("sites"), dispatch_uid="cache-table"
        )
