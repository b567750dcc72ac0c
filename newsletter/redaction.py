"""Signed tokens out of logs: a token in a path is a key to someone's subscription.

Used by gunicorn's access log (gunicorn.conf.py) and by Django's request and security loggers
(NewsletterConfig.ready()). Imports nothing from Django, so gunicorn can load it before the
application.
"""

import logging
import re

REDACTED = "[token]"

# Whatever follows a newsletter link's prefix, genuine, tampered with or cut short.
_TOKEN_ROUTE = re.compile(r"(/newsletter/(?:confirm|manage|unsubscribe)/)[^/?#\s\"]+")
# Anything else in django.core.signing's form, wherever it appears: value:timestamp:signature
# (or value:signature), the signature being 43 URL-safe base64 characters for SHA-256.
_SIGNED_VALUE = re.compile(r"[\w.\-]+(?::[\w\-]+)*:[\w\-]{27,}(?![\w\-])")


def redact(text: str) -> str:
    """`text` (a path, a request line, a URL, a header) with every signed token replaced."""
    return _SIGNED_VALUE.sub(REDACTED, _TOKEN_ROUTE.sub(r"\1" + REDACTED, text))


class RedactTokens(logging.Filter):
    """A logging filter that redacts tokens in a record's message and its arguments."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True
