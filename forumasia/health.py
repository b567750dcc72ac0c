"""What /healthz reports: can this app host serve, and is background work keeping up?

A load balancer takes a host out of rotation on a 503, so only what every request needs makes
the host unhealthy: the database, the cache (pages, sessions' neighbours, rate limits) and the
storage of uploads. The task queue is reported, not judged: a worker that is behind (or
stopped) must be seen by whoever watches the site, but it is no reason to stop serving pages.

Each check is one cheap round trip and never raises: a failure is reported as "down".
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)

PROBE_KEY = "health-probe"
# Waiting longer than this means no worker is keeping up (README, Tasks).
TASKS_LATE_AFTER_SECONDS = 600


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    token = uuid.uuid4().hex
    cache.set(PROBE_KEY, token, timeout=30)
    if cache.get(PROBE_KEY) != token:
        raise RuntimeError("the cache did not return what was just stored")


def _storage():
    """List the top folder of each storage: a missing bucket, wrong credentials or a folder the
    app may not read all fail here. A local folder not made yet is fine: the first upload
    makes it."""
    for alias in ("default", "private"):
        try:
            storages[alias].listdir("")
        except FileNotFoundError:
            if settings.MEDIA_STORAGE != "local":
                raise


def tasks_waiting(now=None):
    """How many tasks are due and not yet taken, and for how long the oldest has waited."""
    if settings.TASKS_BACKEND != "database":
        # Tasks run inside the request that starts them: nothing ever waits.
        return {
            "backend": settings.TASKS_BACKEND,
            "waiting": 0,
            "oldest_waiting_seconds": 0,
            "late": False,
        }
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = now or timezone.now()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    age = 0
    if oldest:
        enqueued_at, run_after = oldest
        due = enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)
        age = max(0, round((now - due).total_seconds()))
    return {
        "backend": settings.TASKS_BACKEND,
        "waiting": ready.count(),
        "oldest_waiting_seconds": age,
        "late": age > TASKS_LATE_AFTER_SECONDS,
    }


CHECKS = {"database": _database, "cache": _cache, "storage": _storage}


def report():
    """(healthy, the JSON body): `status` as before, one entry per check, the task queue."""
    body = {"status": "ok"}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            # Whatever the backend raises (a driver error, a timeout, a ClientError), the host
            # cannot serve: the log keeps the reason, the answer says which part is down.
            logger.exception("Health check %s failed", name)
            body[name] = "down"
            body["status"] = "unavailable"
        else:
            body[name] = "ok"
    if body["database"] == "ok":
        try:
            body["tasks"] = tasks_waiting()
        except Exception:
            logger.exception("Health check of the task queue failed")
            body["tasks"] = "unknown"
    return body["status"] == "ok", body
