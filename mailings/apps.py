from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = "Newsletter issues"

    def ready(self):
        # Registers the check of the DKIM key (mailings.E001-E003).
        from . import dkim, signals  # noqa: F401

        signals.connect()
