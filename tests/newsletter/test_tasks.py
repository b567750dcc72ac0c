"""The newsletter on the production task queue (the database backend and its db_worker): no
visitor's answer waits on the mail server, a failed email is tried again later, and large
exports become files staff download when they are ready."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import data_protection
from newsletter.models import Subscriber, SubscriberExport
from tests.factories import StaffUserFactory, SubscriberFactory
from tests.forumasia.test_retries import DATABASE_QUEUE, run_worker, run_worker_when_due
from tests.newsletter.test_views import sign_up, tokens_sent_days_ago

pytestmark = pytest.mark.django_db(transaction=True)

ON_ITS_WAY = "A message is on its way to"


@pytest.fixture(autouse=True)
def database_queue(settings, migration_data):
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_BACKEND = "database"


@pytest.fixture
def monthly(migration_data):
    from tests.factories import MailingListFactory

    return MailingListFactory(
        slug="e-newsletter", name="Monthly e-newsletter", is_default=True, position=0
    )


def test_a_signup_answers_before_any_email_is_sent_and_a_worker_sends_it(client, monthly):
    response = sign_up(client, email="reader@example.org")

    assert response.status_code == 200 and ON_ITS_WAY in response.content.decode()
    assert mail.outbox == []  # nothing sent inside the request
    assert DBTaskResult.objects.ready().count() == 1

    run_worker()

    assert [message.to for message in mail.outbox] == [["reader@example.org"]]
    link = re.search(r"/newsletter/confirm/[^/\s]+/", mail.outbox[0].body).group(0)
    assert client.post(link).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_every_address_state_gets_the_same_answer(monthly):
    SubscriberFactory(email="pending@example.org", status="pending", lists=[monthly])
    SubscriberFactory(email="confirmed@example.org", lists=[monthly])
    SubscriberFactory(email="left@example.org", status="unsubscribed", lists=[monthly])

    answers = set()
    for email in ("new@example.org", "pending@example.org", "confirmed@example.org"):
        response = sign_up(Client(), email=email)
        answers.add((response.status_code, response.content.decode().replace(email, "ADDRESS")))
    response = sign_up(Client(), email="left@example.org")
    answers.add(
        (response.status_code, response.content.decode().replace("left@example.org", "ADDRESS"))
    )

    assert len(answers) == 1 and next(iter(answers))[0] == 200


def test_a_mail_server_that_is_down_is_tried_again_later_and_the_email_arrives(
    client, monthly, settings, closed_port, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    response = sign_up(client, email="patient.reader@example.org")
    assert ON_ITS_WAY in response.content.decode()
    sent_at = Subscriber.objects.get().confirmation_sent_at

    run_worker()

    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED" and retry.status == "READY"
    assert retry.run_after >= failed.started_at + timedelta(minutes=1)
    # While the retry waits, a second sign-up of the address sends nothing more.
    assert Subscriber.objects.get().confirmation_sent_at == sent_at
    # Nothing the failure left names the address: not the log, not the stored traceback.
    assert "patient.reader" not in caplog.text
    assert "patient.reader" not in failed.traceback and "ConnectionRefused" in failed.traceback

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_worker_when_due()

    assert [message.to for message in mail.outbox] == [["patient.reader@example.org"]]
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_recipient_refused_for_good_is_not_retried_and_frees_the_address(
    client, monthly, refusing_smtp
):
    sign_up(client, email="no.such.person@example.org")

    run_worker()

    (result,) = DBTaskResult.objects.all()
    assert result.status == "FAILED" and "EmailRefused" in result.traceback
    assert "no.such.person" not in result.traceback
    assert Subscriber.objects.get().confirmation_sent_at is None


def test_a_fresh_manage_link_is_queued_and_sent_by_the_worker(monthly):
    subscriber = SubscriberFactory(email="owner@example.org", lists=[monthly])
    manage, _ = tokens_sent_days_ago(subscriber, 31)

    response = Client().post(manage, {"action": "send-fresh-link"})

    assert response.status_code == 200 and mail.outbox == []
    run_worker()
    assert [message.to for message in mail.outbox] == [["owner@example.org"]]


def test_reminders_are_queued_and_sent_by_the_worker(monthly):
    subscriber = SubscriberFactory(email="slow@example.org", status="pending")
    subscriber.signup_requests.create(
        round=1, consent_text="yes", requested_at=timezone.now() - timedelta(hours=30)
    )
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_round=1)
    out = io.StringIO()

    call_command("resend_confirmations", stdout=out)

    assert "Queued 1" in out.getvalue() and mail.outbox == []
    run_worker()
    assert [message.to for message in mail.outbox] == [["slow@example.org"]]


# --- Exports prepared as files ------------------------------------------------------------------


def prepare_file(client, query="?status__exact=confirmed", fmt="csv-bom"):
    url = reverse("admin:newsletter_subscriber_export_file", args=[fmt]) + query
    return client.post(url)


def test_a_large_export_is_prepared_by_the_worker_and_downloaded_when_ready(
    client, comms, monthly, media_root, settings
):
    SubscriberFactory(email="lan@example.org", name="Nguyễn Thị Lan", lists=[monthly])
    SubscriberFactory(email="somsri@example.org", name="สมศรี ใจดี", lists=[monthly])
    SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])

    response = prepare_file(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:newsletter_subscriberexport_changelist")
    export = SubscriberExport.objects.get()
    assert export.file_state == "preparing" and export.user == comms
    waiting = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in waiting
    assert "is being prepared" in waiting

    run_worker()

    export.refresh_from_db()
    assert (export.file_state, export.row_count) == ("ready", 2)
    listing = client.get(response["Location"]).content.decode()
    download = reverse("admin:newsletter_subscriberexport_download", args=[export.pk])
    assert f'form="export-download" formaction="{download}"' in listing
    assert '<form id="export-download" method="post">' in listing
    assert "http-equiv" not in listing
    file_response = client.post(download)
    assert file_response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in file_response["Cache-Control"]
    body = b"".join(file_response.streaming_content).decode("utf-8")
    streamed = client.post(
        reverse("admin:newsletter_subscriber_export", args=["csv-bom"]) + "?status__exact=confirmed"
    )
    assert body == b"".join(streamed.streaming_content).decode("utf-8")  # the same rows
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert sorted(row[1] for row in rows[1:]) == ["Nguyễn Thị Lan", "สมศรี ใจดี"]
    # Kept privately: never under MEDIA_ROOT, so no URL serves it.
    assert not export.stored_name.startswith(str(media_root))
    assert (settings.PRIVATE_ROOT / export.stored_name).is_file()


def test_only_staff_who_may_export_download_the_file(client, comms, monthly):
    SubscriberFactory(lists=[monthly])
    prepare_file(client)
    run_worker()
    download = reverse(
        "admin:newsletter_subscriberexport_download", args=[SubscriberExport.objects.get().pk]
    )
    viewer = StaffUserFactory(username="viewer")
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_subscriberexport"))
    other = Client()
    other.force_login(viewer)

    assert other.post(download).status_code == 403
    assert Client().post(download).status_code == 302  # to the login page
    assert prepare_file(other).status_code == 403


def test_an_export_whose_requester_lost_the_permission_fails_without_a_file(client, comms, monthly):
    SubscriberFactory(lists=[monthly])
    prepare_file(client)
    comms.groups.clear()

    run_worker()

    export = SubscriberExport.objects.get()
    assert export.file_state == "failed" and not export.stored_name


def test_the_file_is_deleted_after_its_hours_and_the_log_stays(client, comms, monthly, settings):
    SubscriberFactory(lists=[monthly])
    prepare_file(client)
    run_worker()
    export = SubscriberExport.objects.get()
    path = settings.PRIVATE_ROOT / export.stored_name

    call_command("delete_expired_exports", stdout=io.StringIO())
    assert path.is_file()  # not yet
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        out = io.StringIO()
        call_command("delete_expired_exports", stdout=out)

    assert "Deleted 1 export file(s)" in out.getvalue()
    assert not path.exists()
    export.refresh_from_db()
    assert (export.file_state, export.row_count) == ("deleted", 1)
    download = reverse("admin:newsletter_subscriberexport_download", args=[export.pk])
    assert client.post(download).status_code == 404


def test_the_file_goes_to_the_buckets_private_part(client, comms, monthly, s3_server, s3_bucket):
    SubscriberFactory(lists=[monthly])
    prepare_file(client)

    run_worker()

    export = SubscriberExport.objects.get()
    assert s3_server.keys(s3_bucket, prefix="private/") == [f"private/{export.stored_name}"]
    download = reverse("admin:newsletter_subscriberexport_download", args=[export.pk])
    assert b"".join(client.post(download).streaming_content).count(b"\n") == 2


def test_erasing_a_subscriber_rewrites_the_file_in_the_bucket_without_them(
    client, comms, monthly, s3_server, s3_bucket
):
    SubscriberFactory(email="stays@example.org", lists=[monthly])
    leaving = SubscriberFactory(email="leaving@example.org", lists=[monthly])
    prepare_file(client)
    run_worker()
    first_name = SubscriberExport.objects.get().stored_name

    data_protection.erase(subscriber=leaving)

    export = SubscriberExport.objects.get()
    assert export.file_state == "ready" and export.stored_name != first_name
    assert s3_server.keys(s3_bucket, prefix="private/") == [f"private/{export.stored_name}"]
    download = reverse("admin:newsletter_subscriberexport_download", args=[export.pk])
    response = client.post(download)
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(body))] == ["email", "stays@example.org"]
    assert (
        f"subscribers-{timezone.localtime(export.created_at):%Y%m%d-%H%M}-{export.pk}.csv"
        in (response["Content-Disposition"])
    )
