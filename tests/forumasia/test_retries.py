"""A task that fails for a passing reason is tried again later, with a growing delay, on the
production queue (the database backend and its db_worker), not only in theory."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forumasia.retries import ATTEMPT_KEYWORD, backoff_delay, retried_task

# The worker closes connections between tasks as it does in production (close_old_connections),
# which a test wrapped in one transaction would not survive.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "bulk"]}
}


def remember_giving_up(address, *, failures):
    cache.set("gave-up-on", address)


@retried_task(retry_on=(OSError,), attempts=3, on_give_up=remember_giving_up)
def flaky_delivery(address, *, failures):
    """Fails `failures` times with a connection error, then "delivers" to `address`."""
    tries = cache.get_or_set("flaky-tries", 0)
    cache.set("flaky-tries", tries + 1)
    if tries < failures:
        raise ConnectionRefusedError("SMTP server down")
    cache.set("delivered-to", address)
    return address


@retried_task(retry_on=(OSError,), attempts=3)
def broken_task():
    raise ValueError("a bug, not an outage")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_QUEUE


def run_worker():
    """What `manage.py db_worker --queue-name '*'` does, until nothing is ready to run."""
    call_command(
        "db_worker", batch=True, queue_name="*", startup_delay=False, interval=0, verbosity=0
    )


def test_the_delay_grows_fourfold_from_a_minute_up_to_four_hours():
    delays = [backoff_delay(attempt) for attempt in range(1, 8)]

    assert delays[:4] == [timedelta(minutes=m) for m in (1, 4, 16, 64)]
    assert delays[4:] == [timedelta(hours=4)] * 3


def test_a_failed_attempt_is_queued_again_after_the_backoff_and_then_succeeds(database_queue):
    start = timezone.now()
    flaky_delivery.enqueue("ana@example.org", failures=1)

    run_worker()

    first, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == "FAILED" and "SMTP server down" in first.traceback
    assert cache.get("gave-up-on") is None
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"] == {"failures": 1, ATTEMPT_KEYWORD: 2}
    assert start + timedelta(minutes=1) <= retry.run_after <= timezone.now() + timedelta(minutes=1)
    assert cache.get("delivered-to") is None

    run_worker()  # too early: the retry waits for its time
    assert DBTaskResult.objects.get(pk=retry.pk).status == "READY"

    run_worker_when_due()

    assert DBTaskResult.objects.get(pk=retry.pk).status == "SUCCESSFUL"
    assert cache.get("delivered-to") == "ana@example.org"


def run_worker_when_due():
    """Move the clock to the waiting task's time (if it has one), then run the worker."""
    waiting = DBTaskResult.objects.get(status="READY")
    deferred = waiting.run_after.year < 9999  # the backend's "no delay" is year 9999
    moment = waiting.run_after + timedelta(seconds=1) if deferred else timezone.now()
    with time_machine.travel(moment, tick=False):
        run_worker()


def test_after_the_last_attempt_the_task_stays_failed(database_queue):
    flaky_delivery.enqueue("ana@example.org", failures=10)

    for attempt in range(1, 4):
        run_worker_when_due()
        assert DBTaskResult.objects.filter(status="FAILED").count() == attempt

    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert cache.get("flaky-tries") == 3
    assert cache.get("delivered-to") is None
    assert cache.get("gave-up-on") == "ana@example.org"  # once, after the last attempt


def test_an_error_that_is_not_an_outage_is_not_retried(database_queue):
    broken_task.enqueue()

    run_worker()

    (result,) = DBTaskResult.objects.all()
    assert result.status == "FAILED" and "a bug, not an outage" in result.traceback


def test_without_a_queue_a_failure_gives_up_at_once_and_says_so(caplog):
    result = flaky_delivery.enqueue("ana@example.org", failures=2)

    assert result.status == "FAILED"
    assert cache.get("flaky-tries") == 1  # no visitor waits through seven attempts
    assert cache.get("gave-up-on") == "ana@example.org"
    assert "failed for good after 1 attempt(s): ConnectionRefusedError" in caplog.text


def test_a_queued_task_waits_for_a_worker_and_survives_its_restart(database_queue):
    """The queue is rows in the database: nothing is lost when no worker (or a new one) runs."""
    flaky_delivery.enqueue("bo@example.org", failures=0)
    assert DBTaskResult.objects.get().status == "READY"
    assert cache.get("delivered-to") is None

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert cache.get("delivered-to") == "bo@example.org"
