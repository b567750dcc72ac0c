"""`manage.py read_bounces`: the bounce mailbox read, each report acted on, every message
deleted, and a summary that names no address.

The whole command runs on a real Maildir (Python's mailbox module, as Postfix writes one) holding
real report bytes; the IMAP reader is the same loop over imaplib's list, fetch and delete, and
is tested here only for refusing a bad URL and for a server that cannot be reached (no IMAP
server runs on loopback in the test machines)."""

import mailbox
import socket

import pytest
from django.core.management import CommandError, call_command

from mailings import bounces
from mailings.bounces import Outcome
from mailings.models import Delivery
from newsletter.models import Subscriber, Suppression
from tests.factories import IssueFactory, MailingListFactory, SubscriberFactory
from tests.mailings.bounce_reports import BOUNCE_ADDRESS, report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def bounce_address(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = BOUNCE_ADDRESS
    settings.NEWSLETTER_BOUNCE_IMAP_URL = ""


@pytest.fixture
def deliveries():
    """Four subscribers of one issue, each with their delivery."""
    monthly = MailingListFactory(slug="e-newsletter")
    issue = IssueFactory(lists=[monthly])
    return {
        name: Delivery.objects.create(
            issue=issue,
            subscriber=SubscriberFactory(email=f"{name}@example.org", lists=[monthly]),
            language="en",
            state=Delivery.State.SENT,
        )
        for name in ("bounced", "complained", "delayed", "away")
    }


def the_mailbox_of(deliveries):
    return [
        report(name, delivery_id=deliveries[who].pk, recipient=f"{who}@example.org", **extra)
        for name, who, extra in [
            ("postfix-hard-bounce", "bounced", {}),
            ("arf-complaint", "complained", {}),
            ("postfix-delayed", "delayed", {}),
            ("out-of-office", "away", {}),
            # A forged bounce naming the complainer's delivery: its signature is wrong.
            ("postfix-hard-bounce", "complained", {"signature": "0123456789ab"}),
        ]
    ]


def test_read_bounces_acts_on_every_report_in_a_maildir_and_empties_it(tmp_path, deliveries):
    maildir = mailbox.Maildir(tmp_path / "bounces")
    for raw in the_mailbox_of(deliveries):
        maildir.add(raw)

    call_command("read_bounces", maildir=str(tmp_path / "bounces"))

    states = {name: Delivery.objects.get(pk=d.pk).state for name, d in deliveries.items()}
    assert states == {
        "bounced": "bounced",
        "complained": "complained",
        "delayed": "sent",
        "away": "sent",
    }
    assert dict(Suppression.objects.values_list("email", "reason")) == {
        "bounced@example.org": "bounce",
        "complained@example.org": "complaint",
    }
    assert Subscriber.objects.get(email="complained@example.org").status == "unsubscribed"
    assert len(mailbox.Maildir(tmp_path / "bounces")) == 0


def test_the_summary_counts_what_was_done_and_names_no_address(tmp_path, deliveries, capsys):
    maildir = mailbox.Maildir(tmp_path / "bounces")
    for raw in the_mailbox_of(deliveries):
        maildir.add(raw)

    call_command("read_bounces", maildir=str(tmp_path / "bounces"))

    said = capsys.readouterr().out
    assert said.startswith("Read 5 messages: ")
    for part in [
        f"1 {Outcome.SUPPRESSED}",
        f"1 {Outcome.COMPLAINED}",
        f"1 {Outcome.LOGGED}",
        f"1 {Outcome.NOT_A_REPORT}",
        f"1 {Outcome.UNKNOWN}",
    ]:
        assert part in said
    assert "@" not in said


def test_an_empty_mailbox_reads_nothing(tmp_path, capsys):
    mailbox.Maildir(tmp_path / "bounces")

    call_command("read_bounces", maildir=str(tmp_path / "bounces"))

    assert capsys.readouterr().out == "Read 0 messages.\n"


class ListMailbox:
    """A mailbox in memory, for the loop read_bounces runs over any mailbox."""

    def __init__(self, messages):
        self.kept = dict(enumerate(messages))

    def messages(self):
        yield from list(self.kept.items())

    def delete(self, key):
        del self.kept[key]


def test_a_message_whose_action_fails_stays_for_the_next_run(deliveries, monkeypatch):
    messages = the_mailbox_of(deliveries)[:2]
    mailbox_in_memory = ListMailbox(messages)

    def database_down(**kwargs):
        raise ConnectionError("the database is down")

    monkeypatch.setattr(bounces, "suppress", database_down)
    with pytest.raises(ConnectionError):
        bounces.read_mailbox(mailbox_in_memory)
    assert list(mailbox_in_memory.kept.values()) == messages

    monkeypatch.undo()
    assert bounces.read_mailbox(mailbox_in_memory) == {
        Outcome.SUPPRESSED: 1,
        Outcome.COMPLAINED: 1,
    }
    assert mailbox_in_memory.kept == {}


def test_reading_the_same_report_twice_counts_it_once(deliveries):
    raw = the_mailbox_of(deliveries)[0]

    bounces.read_mailbox(ListMailbox([raw, raw]))

    assert Suppression.objects.count() == 1


def test_without_a_mailbox_configured_the_command_says_what_to_set():
    with pytest.raises(CommandError, match="NEWSLETTER_BOUNCE_IMAP_URL"):
        call_command("read_bounces")


@pytest.mark.parametrize(
    "url",
    ["pop3://user:pw@mail.example/INBOX", "imaps://mail.example/INBOX", "imaps:///INBOX"],
)
def test_an_imap_url_that_is_not_one_is_refused(settings, url):
    settings.NEWSLETTER_BOUNCE_IMAP_URL = url

    with pytest.raises(CommandError, match="imaps://user:password@host/INBOX"):
        call_command("read_bounces")


@pytest.mark.parametrize("scheme", ["imap", "imaps"])
def test_an_unreachable_imap_server_is_a_clear_error_without_the_password(settings, scheme):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.NEWSLETTER_BOUNCE_IMAP_URL = f"{scheme}://bounces:s3cret-pw@127.0.0.1:{port}/INBOX"

    with pytest.raises(CommandError) as raised:
        call_command("read_bounces")

    assert "Could not read the bounce mailbox: ConnectionRefusedError" in str(raised.value)
    assert "s3cret" not in str(raised.value)
