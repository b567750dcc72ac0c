"""The newsletter's background work (django-tasks, queue "newsletter"): sending an issue.

A send runs in slices of SLICE_SECONDS: each task sends for that long, then enqueues the next,
so that a worker told to stop (systemd's SIGTERM on a deploy) finishes within a slice rather than
after the whole issue, and a send left with only deferred rows (4xx) waits in the queue for
their time instead of in a sleeping worker. Only one process sends an issue at a time
(sending.sending_lock), so an extra task (a double resume) steps aside and ends the chain it
started.
"""

from django_tasks import task

from . import sending
from .models import Issue

SLICE_SECONDS = 60


@task(queue_name="newsletter")
def send_issue(issue_id: int) -> dict:
    outcome = sending.send(issue_id, seconds=SLICE_SECONDS)
    more = outcome.status == Issue.Status.SENDING and not outcome.busy and outcome.continue_at
    # The in-process backend (development, unit tests) cannot enqueue for later: what is left
    # there is sent by `manage.py send_newsletter ID`.
    if more and send_issue.get_backend().supports_defer:
        send_issue.using(run_after=outcome.continue_at).enqueue(issue_id)
    return {"status": outcome.status, "sent": outcome.sent}
