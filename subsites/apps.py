from django.apps import AppConfig


class SubSitesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "subsites"
    verbose_name = "Sub-sites"
