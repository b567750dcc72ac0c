"""Sending an issue with real processes: `manage.py send_newsletter` and `manage.py db_worker`
(production settings) against this test's PostgreSQL database and a real SMTP server on
loopback (tests/mailings/mailserver.py) that records each message's recipients and arrival.

- A sender killed with SIGKILL at several moments and restarted sends every recipient exactly
  one message: 0 duplicates, 0 missing.
- Pausing through the service while a worker sends stops it within 5 s; resuming finishes.
- NEWSLETTER_SEND_RATE=50 is never exceeded by more than 5 % as the server measures it over
  more than 10 s.
- Messages the server refuses for now (451) are all delivered later, once.

PostgreSQL only (several processes share the database; tests/integration/conftest.py skips the
folder on SQLite). The database is the test's own, committed (transactional_db), so the
processes see what the test wrote.
"""

import collections
import random
import signal
import subprocess
import time

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from mailings import sending
from mailings.models import Delivery, Issue
from newsletter.models import MailingList, Subscriber, Subscription
from tests.deploy.test_backup import database_url
from tests.factories import IssueFactory, PublicationFactory
from tests.integration.hosts import PYTHON, ROOT, Process, site_environment
from tests.mailings.mailserver import MailServer, Recorder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server():
    with MailServer(Recorder()) as server:
        yield server


@pytest.fixture
def environment(collected_static, mail_server):
    def make(**overrides):
        return site_environment(
            DATABASE_URL=database_url(django_settings.DATABASES["default"]["NAME"]),
            DJANGO_TASKS_BACKEND="database",
            STATIC_ROOT=str(collected_static),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail_server.port),
            SITE_URL="http://127.0.0.1",
            **overrides,
        )

    return make


def issue_for(count):
    """A draft issue to `count` confirmed subscribers, written in a few statements."""
    mailing_list = MailingList.objects.create(slug="monthly", name="Monthly")
    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{n}@example.org",
            status=Subscriber.Status.CONFIRMED,
            consented_at=now,
            confirmed_at=now,
        )
        for n in range(count)
    )
    Subscription.objects.bulk_create(
        Subscription(subscriber=s, mailing_list=mailing_list, subscribed_at=now)
        for s in subscribers
    )
    issue = IssueFactory(lists=[mailing_list], items=[PublicationFactory()])
    return issue, sorted(s.email for s in subscribers)


def send_command(issue, environment, log_dir, name="sender"):
    command = [PYTHON, "manage.py", "send_newsletter", str(issue.pk)]
    return Process(name, command, environment, log_dir).start()


def wait_for(condition, timeout, explain):
    """Wait until `condition()`; after `timeout` seconds fail with what `explain()` says."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(explain())
        time.sleep(0.01)


def exactly_once(recorder, expected):
    counts = collections.Counter(recorder.recipients())
    duplicates = {address: n for address, n in counts.items() if n > 1}
    missing = sorted(set(expected) - set(counts))
    assert (duplicates, missing[:10], len(missing)) == ({}, [], 0)
    assert sorted(counts) == expected


def test_a_sender_killed_again_and_again_sends_everyone_exactly_once(
    environment, mail_server, tmp_path
):
    issue, expected = issue_for(2_000)
    env = environment(NEWSLETTER_SEND_RATE="0")
    rng = random.Random(23)
    kills = []

    for kill_after in (150, 600, 1_000, 1_400):
        sender = send_command(issue, env, tmp_path)
        wait_for(
            lambda n=kill_after, p=sender: len(mail_server.recorder.messages) >= n or not p.running,
            120,
            lambda p=sender: f"the sender stalled:\n{p.log()[-3000:]}",
        )
        assert sender.running, sender.log()[-3000:]
        # At a moment of its own, not just after a message arrived.
        time.sleep(rng.uniform(0, 0.05))
        sender.stop(signal.SIGKILL)
        kills.append(len(mail_server.recorder.messages))

    # The last run, to the end; a lock a dead process held may take a moment to go.
    for _attempt in range(20):
        finished = subprocess.run(
            [PYTHON, "manage.py", "send_newsletter", str(issue.pk)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if "being sent by another process" not in finished.stderr:
            break
        time.sleep(0.5)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert f"Issue {issue.pk}: sent" in finished.stdout

    assert len(set(kills)) == 4 and kills[-1] < len(expected), kills
    exactly_once(mail_server.recorder, expected)
    assert issue.deliveries.filter(state=Delivery.State.SENT).count() == 2_000
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT


def test_pausing_a_running_worker_stops_it_within_five_seconds_and_resume_finishes(
    environment, mail_server, tmp_path, settings
):
    issue, expected = issue_for(600)
    # The test enqueues into the database queue, as the admin on a server does.
    settings.TASKS = {
        "default": {
            "BACKEND": settings.TASK_BACKENDS["database"],
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    command = [PYTHON, "manage.py", "db_worker", "--queue-name", "newsletter", "--interval", "0.2"]
    command += ["--no-startup-delay", "--no-reload"]
    worker = Process("worker", command, environment(NEWSLETTER_SEND_RATE="50"), tmp_path).start()
    try:
        assert sending.start(issue) is True
        received = mail_server.recorder.messages
        wait_for(lambda: len(received) >= 100, 60, lambda: f"no sending:\n{worker.log()[-3000:]}")

        assert sending.pause(issue) is True
        paused_at = time.monotonic()
        time.sleep(6)

        late = [message for message in received if message.at > paused_at + 5]
        assert late == []
        count = len(received)
        assert count < len(expected)
        time.sleep(1)
        assert len(received) == count  # stopped, not slowed

        assert sending.resume(issue) is True
        wait_for(
            lambda: Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT,
            60,
            lambda: f"not finished:\n{worker.log()[-3000:]}",
        )
    finally:
        worker.stop()
    exactly_once(mail_server.recorder, expected)


def test_the_rate_cap_is_never_exceeded_by_more_than_five_percent(
    environment, mail_server, tmp_path
):
    issue, expected = issue_for(650)

    sender = send_command(issue, environment(NEWSLETTER_SEND_RATE="50"), tmp_path)
    try:
        sender.process.wait(timeout=120)
    finally:
        sender.stop()

    arrivals = sorted(message.at for message in mail_server.recorder.messages)
    exactly_once(mail_server.recorder, expected)
    # The first 50 messages are left out: the window starts once sending is under way.
    window = arrivals[50:]
    seconds = window[-1] - window[0]
    rate = (len(window) - 1) / seconds
    assert seconds >= 10
    # The cap is the promise: never above it. Below it only by as much as the machine is busy
    # (CI's, running browsers beside, once sent 45/s); bench/newsletter_send.py measures the
    # rate held on a quiet machine.
    assert rate <= 52.5, f"{rate:.2f} messages/s over {seconds:.1f} s"
    assert rate >= 25, f"{rate:.2f} messages/s over {seconds:.1f} s: the pace holds back"


def test_messages_refused_for_now_are_all_delivered_later_once(environment, mail_server, tmp_path):
    issue, expected = issue_for(200)
    for address in expected[::10]:
        mail_server.recorder.defer[address] = 2  # 451 twice, then accepted

    finished = subprocess.run(
        [PYTHON, "manage.py", "send_newsletter", str(issue.pk)],
        cwd=ROOT,
        env=environment(NEWSLETTER_SEND_RATE="0", NEWSLETTER_FIRST_RETRY_SECONDS="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    exactly_once(mail_server.recorder, expected)
    retried = issue.deliveries.filter(subscriber__email__in=expected[::10])
    assert set(retried.values_list("attempts", flat=True)) == {3}
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT
