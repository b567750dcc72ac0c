"""Tasks that are tried again, later, when they fail for a reason that may pass.

django-tasks (0.12) and its database backend (django-tasks-db 0.13) run a task once: an
exception marks the result FAILED and nothing tries again (Django 6.0's django.tasks is the
same). An SMTP server that is down for ten minutes must not lose a confirmation email, so
`retried_task` wraps a task function: when it raises one of `retry_on`, the same task is
enqueued again with the same arguments, to run after a delay that grows with each attempt
(`backoff_delay`), until `attempts` have been made. When the task will not be tried again
(the last attempt failed, or it failed with an error not worth retrying) `on_give_up(*args,
**kwargs)` is called, once, to undo what only made sense while a retry was coming. The failed
attempt itself is still recorded as FAILED with its traceback (the admin's task results show
it), and logged by the exception's type only (a message may hold an address).

A backend that cannot defer work (the immediate backend of `make run` and the unit tests) runs
the task inside the request that starts it: there is no "later" to retry at, so the first
failure gives up at once rather than keeping the visitor waiting through every attempt.

Use it as `@retried_task(retry_on=(OSError,))` on the task's function; the attempt number
travels in the `retry_attempt` keyword, which the wrapped function never sees.
"""

import functools
import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

ATTEMPT_KEYWORD = "retry_attempt"
# 1, 4, 16, 64 minutes, then at most four hours apart: seven attempts span about nine hours.
FIRST_DELAY = timedelta(minutes=1)
FACTOR = 4
MAX_DELAY = timedelta(hours=4)


def backoff_delay(attempt, *, first=FIRST_DELAY, factor=FACTOR, cap=MAX_DELAY):
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    return min(first * factor ** (attempt - 1), cap)


def retried_task(
    *, retry_on=(Exception,), attempts=7, backoff=backoff_delay, on_give_up=None, **task_options
):
    """Like django-tasks' `@task(**task_options)`, with failures in `retry_on` retried."""

    def decorate(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT_KEYWORD, 1)
            try:
                return function(*args, **kwargs)
            except Exception as exc:
                failure = type(exc).__name__
                retriable = isinstance(exc, retry_on) and defined.get_backend().supports_defer
                if not retriable or attempt >= attempts:
                    logger.error(
                        "Task %s failed for good after %s attempt(s): %s",
                        defined.name,
                        attempt,
                        failure,
                    )
                    if on_give_up is not None:
                        on_give_up(*args, **kwargs)
                    raise
                delay = backoff(attempt)
                logger.warning(
                    "Task %s failed (attempt %s of %s: %s); trying again in %s",
                    defined.name,
                    attempt,
                    attempts,
                    failure,
                    delay,
                )
                defined.using(run_after=timezone.now() + delay).enqueue(
                    *args, **kwargs, **{ATTEMPT_KEYWORD: attempt + 1}
                )
                raise

        defined = task(**task_options)(run)
        return defined

    return decorate
