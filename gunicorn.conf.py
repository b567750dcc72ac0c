"""Production gunicorn settings: `gunicorn forumasia.wsgi` picks this file up by itself.

Threads let one worker stream a long subscriber export while still answering page views, and
the timeout is long enough for a 1,000,000-row export (about two minutes) to finish.
"""

import multiprocessing
import os

from gunicorn.glogging import Logger

from newsletter.redaction import redact

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# No client addresses and no query strings in the access log: some visitors read from places
# where that is risky, and a query string can carry an email address.
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class TokenRedactingLogger(Logger):
    """Newsletter links carry signed tokens in their paths (keys to someone's subscription):
    every value the access log could print, whatever the format, has them redacted."""

    def atoms(self, resp, req, environ, request_time):
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = TokenRedactingLogger
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
