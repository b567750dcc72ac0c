"""What /healthz reports: can this app host serve, and is background work keeping up?

A load balancer takes a host out of rotation on a 503, so only what every request needs makes
the host unhealthy: the database, the cache (pages, sessions' neighbours, rate limits) and the
storage of uploads. The task queue is reported, not judged: a worker that is behind (or
stopped) must be seen by whoever watches the site, but it is no reason to stop serving pages.

Each check is one cheap round trip and never raises: a failure is reported as "down".

Who asks decides what is done: the load balancer (an address in HEALTH_ALLOWED_IPS, loopback
by default, or a request carrying HEALTH_TOKEN) gets live checks and the details; anyone else
only the status, of a check this process made at most PUBLIC_RESULT_SECONDS ago, so strangers
can neither learn which part is down nor make the host call its database, cache and bucket for
each request they send.
"""

import hashlib
import hmac
import ipaddress
import logging
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from .clients import client_address

logger = logging.getLogger(__name__)

PROBE_KEY = "health-probe"
# Waiting longer than this means no worker is keeping up (README, Tasks).
TASKS_LATE_AFTER_SECONDS = 600
# How old the result a public caller gets may be (per process: it is this host's health).
PUBLIC_RESULT_SECONDS = 10


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


def _digest(value):
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).digest()


def is_trusted_caller(request):
    """The load balancer or a monitor: `Authorization: Bearer <HEALTH_TOKEN>` (compared in
    constant time), or a client address (forumasia/clients.py) in HEALTH_ALLOWED_IPS."""
    token = settings.HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(_digest(given.strip()), _digest(token))
    ):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    # An IPv4 client seen on an IPv6 socket (::ffff:127.0.0.1) is that IPv4 address.
    address = getattr(address, "ipv4_mapped", None) or address
    networks = map(ipaddress.ip_network, settings.HEALTH_ALLOWED_IPS)
    return any(address.version == network.version and address in network for network in networks)


class _RecentResult:
    """The last result of the checks in this process, for public callers."""

    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = None
        self.healthy = False

    def healthy_now(self):
        # One check at a time: callers arriving meanwhile wait for it and share its result.
        with self.lock:
            now = time.monotonic()
            if self.checked_at is None or now - self.checked_at >= PUBLIC_RESULT_SECONDS:
                self.healthy, _body = report()
                self.checked_at = time.monotonic()
            return self.healthy


recent_result = _RecentResult()
