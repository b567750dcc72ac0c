"""The newsletter's background work (django-tasks): every email a visitor's request asks for,
so that no answer waits on the mail server, and the large subscriber exports.

An email that fails because the mail server could not be reached is tried again with a growing
delay (forumasia/retries.py); the sign-up stays saved, pending, meanwhile. A recipient the
server refuses for good (a 5xx answer) is not retried. Either way, what the failure leaves
behind says which subscriber (by id) and which SMTP code, never the address.
"""

from django_tasks import task

from forumasia.retries import retried_task

from . import exports, subscriptions


@retried_task(retry_on=(OSError,), on_give_up=subscriptions.signup_email_abandoned)
def send_signup_email(**email) -> None:
    """subscriptions.send_signup_email, with its keyword arguments (ids and ISO times)."""
    subscriptions.send_signup_email(**email)


@retried_task(retry_on=(OSError,), on_give_up=subscriptions.manage_link_abandoned)
def send_manage_link(*, subscriber_id: int) -> None:
    subscriptions.send_manage_link(subscriber_id=subscriber_id)


@task(queue_name="bulk")
def write_export_file(*, export_id: int) -> None:
    """Not retried: a failed export is marked failed, and staff ask for it again."""
    from .admin import subscribers_matching

    exports.write_export_file(
        export_id=export_id,
        select=lambda export: subscribers_matching(export.pending_query, user=export.user),
    )
