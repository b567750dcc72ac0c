"""The WordPress import's long steps, on the task queue's "bulk" queue: the dry run of an
uploaded export and the import itself each take minutes for a large site, far longer than a
request may. They are not retried: a failed step is recorded on its ImportRun (state and
error) for the superuser to read, and the same export can be uploaded again."""

from django_tasks import task

from . import services


@task(queue_name="bulk")
def check_export(run_id: int) -> None:
    services.check_run(run_id)


@task(queue_name="bulk")
def import_export(run_id: int) -> None:
    services.import_run(run_id)
