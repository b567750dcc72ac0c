"""/healthz's checks, each against the real thing: a cache server that does not answer, a bucket
that does not exist, a queue with waiting tasks."""

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
