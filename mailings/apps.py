from django.apps import AppConfig


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = "Newsletter issues"

    def ready(self):
        from . import signals

        signals.connect()
