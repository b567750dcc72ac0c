"""Production gunicorn settings: `gunicorn forumasia.wsgi` picks this file up by itself.

Threads let one worker stream a long subscriber export while still answering page views, and
the timeout is long enough for a 1,000,000-row export (about two minutes) to finish.
"""

import multiprocessing
import os

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
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
