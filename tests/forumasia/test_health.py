"""/healthz's checks, each against the real thing: a cache server that does not answer, a bucket
that does not exist, a queue with waiting tasks; and who gets what: the load balancer (its
addresses, or a token) live checks and details, anyone else the status of a recent check."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone

from forumasia import health
from tests.forumasia.test_retries import DATABASE_QUEUE, flaky_delivery
from tests.s3 import free_port, use_bucket

pytestmark = pytest.mark.django_db


def test_a_host_with_everything_up_is_healthy():
    healthy, body = health.report()

    assert healthy
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "tasks": {
            "backend": "immediate",
            "waiting": 0,
            "oldest_waiting_seconds": 0,
            "late": False,
        },
    }


def test_a_database_that_does_not_answer_makes_the_host_unavailable(monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refused(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refused)

    healthy, body = health.report()

    assert not healthy
    assert body["status"] == "unavailable" and body["database"] == "down"
    assert "tasks" not in body


def test_a_cache_server_that_does_not_answer_makes_the_host_unavailable(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        }
    }

    healthy, body = health.report()

    assert not healthy
    assert body["cache"] == "down" and body["database"] == "ok"


def test_a_missing_bucket_makes_the_host_unavailable(settings, s3_server):
    use_bucket(settings, s3_server, "no-such-bucket")
    settings.MEDIA_STORAGE = "s3"

    healthy, body = health.report()

    assert not healthy
    assert body["storage"] == "down"


def test_a_bucket_that_answers_is_healthy(settings, s3_server, s3_bucket):
    settings.MEDIA_STORAGE = "s3"

    healthy, body = health.report()

    assert healthy and body["storage"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_the_oldest_waiting_task_is_reported_and_a_late_queue_does_not_fail_the_host(settings):
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_BACKEND = "database"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        flaky_delivery.enqueue("ana@example.org", failures=0)
        flaky_delivery.using(run_after=start + timedelta(hours=1)).enqueue(
            "bo@example.org", failures=0
        )

    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        healthy, body = health.report()

    assert healthy  # a stopped worker is reported, not a reason to stop serving pages
    assert body["tasks"] == {
        "backend": "database",
        "waiting": 1,  # the deferred one is not due yet
        "oldest_waiting_seconds": 1200,
        "late": True,
    }


# --- who asks: the load balancer gets the details, anyone else a recent status -----------------

VISITOR = "203.0.113.9"
DETAILS = {"database", "cache", "storage", "tasks"}


@pytest.fixture
def recent(monkeypatch):
    """A process that has not checked yet (the result is kept per process, between requests)."""
    fresh = health._RecentResult()
    monkeypatch.setattr(health, "recent_result", fresh)
    return fresh


def ask(client, address=VISITOR, **headers):
    response = client.get("/healthz", REMOTE_ADDR=address, headers=headers)
    return response.status_code, json.loads(response.content)


def test_a_stranger_gets_the_status_only_of_a_check_made_seconds_ago(
    client, recent, django_assert_num_queries
):
    assert ask(client) == (200, {"status": "ok"})
    with django_assert_num_queries(0):  # no database, cache or storage call for this one
        assert ask(client) == (200, {"status": "ok"})


def test_a_stranger_learns_that_the_host_is_down_but_not_which_part(client, recent, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refused(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refused)

    assert ask(client) == (503, {"status": "unavailable"})


def test_the_recent_result_is_checked_again_after_a_few_seconds(client, recent, monkeypatch):
    assert ask(client) == (200, {"status": "ok"})
    monkeypatch.setattr(health, "CHECKS", {**health.CHECKS, "cache": broken_check})

    assert ask(client) == (200, {"status": "ok"})  # the result of a moment ago
    recent.checked_at -= health.PUBLIC_RESULT_SECONDS
    assert ask(client) == (503, {"status": "unavailable"})


def broken_check():
    raise ConnectionError("the cache does not answer")


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_the_load_balancer_on_loopback_gets_live_checks_and_the_details(client, recent, address):
    status, body = ask(client, address)

    assert status == 200 and set(body) >= DETAILS
    assert recent.checked_at is None  # its own live check, not the strangers' result


def test_the_load_balancers_network_is_a_setting(client, recent, settings):
    settings.HEALTH_ALLOWED_IPS = ["10.20.0.0/16", "2001:db8::/32"]

    assert set(ask(client, "10.20.3.4")[1]) >= DETAILS
    assert set(ask(client, "2001:db8::7")[1]) >= DETAILS
    assert ask(client, "10.21.0.1")[1] == {"status": "ok"}
    assert ask(client, "127.0.0.1")[1] == {"status": "ok"}  # no longer listed


def test_a_monitor_with_the_token_gets_the_details_from_anywhere(client, recent, settings):
    settings.HEALTH_TOKEN = "s3cret-health-token-with-enough-entropy"

    assert set(ask(client, Authorization=f"Bearer {settings.HEALTH_TOKEN}")[1]) >= DETAILS
    assert set(ask(client, Authorization=f"bearer  {settings.HEALTH_TOKEN} ")[1]) >= DETAILS
    for wrong in ("Bearer wrong", "Bearer ", "Basic " + settings.HEALTH_TOKEN, "", "Bearer\x00"):
        assert ask(client, Authorization=wrong)[1] == {"status": "ok"}, wrong


def test_without_a_token_set_no_authorization_header_opens_the_details(client, recent, settings):
    settings.HEALTH_TOKEN = ""

    for given in ("Bearer ", "Bearer", "Bearer x"):
        assert ask(client, Authorization=given)[1] == {"status": "ok"}


def test_an_address_is_read_as_the_proxies_vouch_for_it(client, recent, settings):
    """Behind nginx on the same host every request comes from loopback: the visitor's own
    address (X-Forwarded-For as nginx wrote it) is what counts, and a forged one is not."""
    settings.TRUSTED_PROXIES = 1
    assert ask(client, "127.0.0.1", X_Forwarded_For=VISITOR)[1] == {"status": "ok"}
    assert set(ask(client, "127.0.0.1", X_Forwarded_For="127.0.0.1")[1]) >= DETAILS

    settings.TRUSTED_PROXIES = 0
    assert ask(client, VISITOR, X_Forwarded_For="127.0.0.1")[1] == {"status": "ok"}
