import logging

from django.apps import AppConfig

# The loggers that write request paths (the 4xx/5xx request log, CSRF refusals, runserver):
# a refused POST to a manage link would otherwise log its token.
PATH_LOGGERS = ("django.request", "django.security.csrf", "django.server")


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = "Newsletter"

    def ready(self):
        from .redaction import RedactTokens

        for name in PATH_LOGGERS:
            path_logger = logging.getLogger(name)
            if not any(isinstance(f, RedactTokens) for f in path_logger.filters):
                path_logger.addFilter(RedactTokens())
