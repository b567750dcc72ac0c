"""mailings/sending.py: who an issue goes to, the ledger, starting once, pausing and cancelling,
temporary and permanent refusals, the rate cap's schedule and test sends.

Unit tests: locmem mail (tasks run at once, in-process), and a real SMTP server on loopback
(tests/mailings/mailserver.py) where SMTP replies matter. Killing a real worker, the rate
measured on the wire and pausing a running worker: tests/integration/test_newsletter_worker.py.
"""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from mailings import messages, sending
from mailings.models import Delivery, Issue
from newsletter.models import Subscriber, Subscription
from newsletter.suppressions import is_suppressed, suppress
from tests.factories import (
    IssueFactory,
    IssueVariantFactory,
    MailingListFactory,
    PublicationFactory,
    SubscriberFactory,
    SuppressionFactory,
)
from tests.mailings.mailserver import MailServer, Recorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailing_list():
    return MailingListFactory(slug="monthly")


@pytest.fixture
def issue(mailing_list):
    return IssueFactory(lists=[mailing_list], items=[PublicationFactory()])


def readers(mailing_list, count, **fields):
    return [SubscriberFactory(lists=[mailing_list], **fields) for _ in range(count)]


def outbox_recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def sent_to(subscribers):
    return sorted(subscriber.email for subscriber in subscribers)


# --- the audience and the ledger ----------------------------------------------------------------


def test_the_audience_is_the_confirmed_active_subscribers_of_the_lists_once_each(mailing_list):
    other = MailingListFactory(slug="campaigns")
    issue = IssueFactory(lists=[mailing_list, other], items=[PublicationFactory()])
    on_both = SubscriberFactory(lists=[mailing_list, other])
    on_one = SubscriberFactory(lists=[other])
    SubscriberFactory(lists=[mailing_list], status="pending")
    SubscriberFactory(lists=[mailing_list], status="unsubscribed")
    left = SubscriberFactory(lists=[mailing_list])
    Subscription.objects.filter(subscriber=left).update(unsubscribed_at=timezone.now())
    suppressed = SubscriberFactory(lists=[mailing_list])
    SuppressionFactory(email=suppressed.email, reason="complaint")
    SubscriberFactory(lists=[MailingListFactory(slug="not-chosen")])

    assert sending.recipient_count(issue) == 2
    assert sending.start(issue)

    assert outbox_recipients() == sent_to([on_both, on_one])
    assert issue.recipient_count == 2
    assert set(issue.deliveries.values_list("subscriber", flat=True)) == {on_both.pk, on_one.pk}


def test_the_ledger_is_written_once_and_keeps_its_language(issue, mailing_list):
    thai = SubscriberFactory(lists=[mailing_list], language="th")
    SubscriberFactory(lists=[mailing_list])
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)

    assert sending.write_ledger(issue) == 2
    SubscriberFactory(lists=[mailing_list])  # subscribes after sending started
    assert sending.write_ledger(issue) == 0

    assert issue.deliveries.count() == 2
    assert issue.deliveries.get(subscriber=thai).language == "th"
    assert issue.deliveries.filter(state=Delivery.State.PENDING).count() == 2


def test_a_subscriber_without_a_variant_in_their_language_gets_english(issue, mailing_list):
    IssueVariantFactory(issue=issue, language="th", subject="จดหมายข่าว")
    thai, indonesian = readers(mailing_list, 1, language="th") + readers(
        mailing_list, 1, language="id"
    )

    sending.start(issue)

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[thai.email] == "จดหมายข่าว"
    assert subjects[indonesian.email] == "FORUM-ASIA monthly: human rights in Asia"


# --- starting -------------------------------------------------------------------------------------


def test_start_sends_to_everyone_once_and_marks_the_issue_sent(issue, mailing_list):
    people = readers(mailing_list, 5)

    assert sending.start(issue) is True

    assert outbox_recipients() == sent_to(people)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.started_at is not None and issue.finished_at is not None
    assert set(issue.deliveries.values_list("state", flat=True)) == {Delivery.State.SENT}


def test_a_sent_issue_is_in_the_cached_archive_at_once(
    client, issue, mailing_list, django_capture_on_commit_callbacks
):
    readers(mailing_list, 1)
    assert client.get("/newsletter/archive/").page_cache == "miss"
    assert issue.slug not in client.get("/newsletter/archive/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sending.start(issue)

    assert issue.slug in client.get("/newsletter/archive/").content.decode()


def test_a_double_click_sends_once(issue, mailing_list):
    people = readers(mailing_list, 3)

    assert sending.start(issue) is True
    assert sending.start(Issue.objects.get(pk=issue.pk)) is False

    assert outbox_recipients() == sent_to(people)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_start_one_send(mailing_list):
    if connection.vendor != "postgresql":
        pytest.skip("two threads writing at once: SQLite locks the whole file (PostgreSQL run)")
    issue = IssueFactory(lists=[mailing_list], items=[PublicationFactory()])
    readers(mailing_list, 3)
    barrier = threading.Barrier(2)
    started = []

    def click():
        barrier.wait()
        started.append(sending.start(Issue.objects.get(pk=issue.pk)))
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(started) == [False, True]
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"lists": []}, "Choose at least one mailing list."),
        ({"english": False}, "English variant"),
        ({"items": [], "english__introduction": ""}, "the issue is empty"),
    ],
)
def test_an_issue_that_is_not_ready_is_refused(mailing_list, change, reason):
    fields = {"lists": [mailing_list], "items": [PublicationFactory()], **change}
    issue = IssueFactory(**fields)
    if change.get("english") is False:
        IssueVariantFactory(issue=issue, language="th")

    with pytest.raises(sending.CannotSend, match=reason):
        sending.start(issue)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_an_issue_over_100_kb_is_refused_naming_its_size(issue, mailing_list):
    readers(mailing_list, 1)
    issue.variants.update(introduction="<p>" + "word " * 30_000 + "</p>")

    with pytest.raises(messages.TooLarge, match=r"KB"):
        sending.start(issue)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
    assert not mail.outbox


def test_a_scheduled_issue_waits_for_its_time(issue, mailing_list):
    readers(mailing_list, 2)
    at = timezone.now() + timedelta(hours=2)

    assert sending.start(issue, at=at) is True

    issue.refresh_from_db()
    assert (issue.status, issue.send_at) == (Issue.Status.SCHEDULED, at)
    assert sending.send(issue.pk).status == Issue.Status.SCHEDULED
    assert not mail.outbox
    Issue.objects.filter(pk=issue.pk).update(send_at=timezone.now() - timedelta(seconds=1))
    assert sending.send(issue.pk).status == Issue.Status.SENT
    assert len(mail.outbox) == 2


# --- pausing, resuming, cancelling -------------------------------------------------------------


class PausingBackend(EmailBackend):
    """locmem, and staff press a button after the third message."""

    action = None

    def send_messages(self, messages_):
        sent = super().send_messages(messages_)
        if len(mail.outbox) == 3:
            issue = Issue.objects.get(status=Issue.Status.SENDING)
            type(self).action(issue)
        return sent


@pytest.fixture
def staff_press(settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.PausingBackend"
    monkeypatch.setattr(sending, "STATUS_CHECK_MESSAGES", 1)

    def press(action):
        monkeypatch.setattr(PausingBackend, "action", staticmethod(action))

    return press


def test_pause_stops_and_resume_carries_on_from_the_ledger(issue, mailing_list, staff_press):
    people = readers(mailing_list, 8)
    staff_press(sending.pause)

    sending.start(issue)

    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    assert issue.deliveries.filter(state=Delivery.State.PENDING).count() == 5

    staff_press(lambda issue: None)
    assert sending.resume(issue) is True

    assert outbox_recipients() == sent_to(people)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_cancel_stops_for_good(issue, mailing_list, staff_press):
    readers(mailing_list, 8)
    staff_press(sending.cancel)

    sending.start(issue)

    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANCELLED
    assert sending.resume(issue) is False
    assert sending.send(issue.pk).status == Issue.Status.CANCELLED
    assert len(mail.outbox) == 3
    assert issue.deliveries.filter(state=Delivery.State.PENDING).count() == 5


def test_pausing_a_scheduled_issue_returns_it_to_draft(issue):
    sending.start(issue, at=timezone.now() + timedelta(days=1))

    assert sending.pause(issue) is True
    assert (issue.status, issue.send_at) == (Issue.Status.DRAFT, None)


def test_someone_who_unsubscribes_after_the_ledger_is_written_is_skipped(issue, mailing_list):
    stays, leaves, bounced = readers(mailing_list, 3)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    sending.write_ledger(issue)
    Subscriber.objects.filter(pk=leaves.pk).update(status="unsubscribed")
    suppress(email=bounced.email, reason="bounce")

    sending.send(issue.pk)

    assert outbox_recipients() == [stays.email]
    skipped = issue.deliveries.filter(error=sending.LEFT_BEFORE_SENDING)
    assert set(skipped.values_list("subscriber", flat=True)) == {leaves.pk, bounced.pk}
    assert set(skipped.values_list("state", flat=True)) == {Delivery.State.FAILED}
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


# --- refusals over real SMTP ---------------------------------------------------------------------


@pytest.fixture
def smtp_server(settings):
    with MailServer(Recorder()) as server:
        server.use(settings)
        yield server


def test_over_smtp_every_recipient_gets_one_message_on_one_connection(
    issue, mailing_list, smtp_server
):
    people = readers(mailing_list, 4)

    sending.start(issue)

    assert sorted(smtp_server.recorder.recipients()) == sent_to(people)
    connections = {message.connection for message in smtp_server.recorder.messages}
    assert len(connections) == 1
    body = smtp_server.recorder.messages[0].data
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in body


def test_a_temporary_refusal_is_retried_later_and_delivered_once(
    issue, mailing_list, smtp_server, time_machine
):
    first, deferred = readers(mailing_list, 2)
    smtp_server.recorder.defer[deferred.email] = 2

    assert sending.start(issue)
    row = issue.deliveries.get(subscriber=deferred)
    assert (row.state, row.attempts) == (Delivery.State.PENDING, 1)
    assert row.error.startswith("451")
    assert row.next_attempt_at > timezone.now()
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING

    time_machine.move_to(timezone.now() + timedelta(minutes=1, seconds=5))
    assert sending.send(issue.pk, seconds=10).status == Issue.Status.SENDING
    assert issue.deliveries.get(subscriber=deferred).attempts == 2

    time_machine.move_to(timezone.now() + timedelta(minutes=2, seconds=5))
    assert sending.send(issue.pk, seconds=10).status == Issue.Status.SENT
    assert sorted(smtp_server.recorder.recipients()) == sent_to([first, deferred])
    row.refresh_from_db()
    assert (row.state, row.attempts, row.error) == (Delivery.State.SENT, 3, "")


def test_a_permanent_refusal_fails_the_row_and_an_unknown_address_is_suppressed(
    issue, mailing_list, smtp_server
):
    fine, unknown, policy = readers(mailing_list, 3)
    smtp_server.recorder.refuse[unknown.email] = "550 5.1.1 No such user here"
    smtp_server.recorder.refuse[policy.email] = "550 5.7.1 Message refused by policy"

    sending.start(issue)

    assert smtp_server.recorder.recipients() == [fine.email]
    failed = {row.subscriber_id: row for row in issue.deliveries.filter(state="failed")}
    assert failed[unknown.pk].error == "550 5.1.1 No such user here"
    assert failed[policy.pk].error.startswith("550 5.7.1")
    assert is_suppressed(unknown.email)
    assert not is_suppressed(policy.email)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


@pytest.mark.parametrize(
    ("reply", "unknown"),
    [
        ("550 5.1.1 User unknown", True),
        ("550 Mailbox not found", True),
        ("553 sorry, that domain isn't in my list", True),
        ("554 5.1.10 Null MX", True),
        ("550 5.7.1 Spam", False),
        ("552 5.2.2 Mailbox full", False),
        ("451 4.1.1 Try later", False),
    ],
)
def test_which_refusals_say_the_address_does_not_exist(reply, unknown):
    code, text = reply.split(" ", 1)
    assert sending.address_unknown(sending.smtp.Reply(int(code), text)) is unknown


def test_a_mail_server_that_is_down_leaves_every_row_waiting(issue, mailing_list, settings):
    from tests.s3 import free_port

    readers(mailing_list, 2)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)

    outcome = sending.send(issue.pk, seconds=1.5)

    assert outcome.sent == 0
    assert issue.deliveries.filter(state=Delivery.State.PENDING).count() == 2
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENDING


def test_the_retry_delay_doubles_up_to_an_hour():
    assert [sending.retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 30)] == [
        1,
        2,
        4,
        60,
        60,
    ]


# --- the rate cap's schedule ---------------------------------------------------------------------


def test_the_pace_spaces_messages_by_the_tighter_cap():
    assert sending.Pace(per_second=50, per_hour=0).interval == pytest.approx(0.02)
    assert sending.Pace(per_second=50, per_hour=3600).interval == pytest.approx(1.0)
    assert sending.Pace(per_second=0, per_hour=0).interval == 0


def test_the_pace_keeps_a_fixed_schedule_without_bursting_after_a_stall(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(sending.time, "monotonic", lambda: clock[0])
    pace = sending.Pace(per_second=10, per_hour=0)

    assert pace.delay() == 0
    pace.sent()
    clock[0] += 0.03  # the message took 30 ms: wait the rest of the 100 ms
    assert pace.delay() == pytest.approx(0.07)
    clock[0] += 0.07
    pace.sent()
    clock[0] += 5  # a long stall: start again from now rather than send 50 at once
    assert pace.delay() == 0
    pace.sent()
    assert pace.delay() == pytest.approx(0.1)


# --- test sends ----------------------------------------------------------------------------------


def test_a_test_send_goes_to_the_typed_addresses_with_a_real_subscribers_data(
    issue, mailing_list, client
):
    real = SubscriberFactory(lists=[mailing_list], name="Somchai Example")
    before = list(Subscriber.objects.values_list("pk", "status", "updated_at"))

    sent = sending.send_test(issue, addresses=["editor@forum-asia.org", "Chief@Forum-Asia.org"])

    assert sent == 2
    assert outbox_recipients() == ["chief@forum-asia.org", "editor@forum-asia.org"]
    message = mail.outbox[0]
    assert message.subject == "[Test] FORUM-ASIA monthly: human rights in Asia"
    assert real.email not in message.message().as_string()
    assert not Delivery.objects.exists()
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT

    # Its unsubscribe and manage links open a page saying so, and change nobody.
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    assert "This link is from a test message" in page.content.decode()
    one_click = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert "This link is from a test message" in one_click.content.decode()
    manage = client.get(path.replace("/unsubscribe/", "/manage/"))
    assert "This link is from a test message" in manage.content.decode()
    assert list(Subscriber.objects.values_list("pk", "status", "updated_at")) == before


def test_a_test_send_works_without_any_subscriber(issue):
    assert sending.send_test(issue, addresses=["editor@forum-asia.org"], language="th") == 1
    assert mail.outbox[0].subject.startswith("[Test] ")


def test_a_test_send_over_smtp_is_what_subscribers_get(issue, smtp_server):
    sending.send_test(issue, addresses=["editor@forum-asia.org"])

    (received,) = smtp_server.recorder.messages
    assert received.recipients == ["editor@forum-asia.org"]
    assert b"Subject: [Test] FORUM-ASIA monthly" in received.data
    assert not Delivery.objects.exists()
