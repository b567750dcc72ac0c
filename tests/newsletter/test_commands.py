import csv
import io
import stat
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from newsletter import exports
from newsletter.models import Subscriber, SubscriberExport
from tests.factories import SubscriberFactory, SuperUserFactory, country

pytestmark = pytest.mark.django_db


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_subscribers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def emails(csv_text):
    return [row[0] for row in csv.reader(io.StringIO(csv_text.removeprefix("\ufeff")))][1:]


def test_export_command_defaults_to_confirmed_subscribers_on_a_list_as_plain_csv(monthly):
    SubscriberFactory(email="yes@example.org", lists=[monthly])
    SubscriberFactory(email="wait@example.org", status="pending")
    SubscriberFactory(email="on-no-list@example.org")
    SubscriberFactory(email="left@example.org", status="unsubscribed", lists=[monthly])

    out, err = export()

    assert not out.startswith("\ufeff")
    assert emails(out) == ["yes@example.org"]
    assert "Exported 1 subscribers" in err
    log = SubscriberExport.objects.get()
    assert (log.via, log.user, log.row_count, log.filters) == (
        "command",
        None,
        1,
        {"status": "confirmed"},
    )


def test_export_command_filters_by_list_status_and_signup_date(monthly, urgent):
    old = SubscriberFactory(email="old@example.org", status="pending", lists=[urgent])
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    SubscriberFactory(email="new@example.org", status="pending", lists=[urgent])
    SubscriberFactory(email="monthly@example.org", status="pending", lists=[monthly])
    since = (timezone.localdate() - timedelta(days=7)).isoformat()

    out, _ = export("--list", "urgent-appeals", "--status", "pending", "--since", since)

    assert emails(out) == ["new@example.org"]
    assert SubscriberExport.objects.get().filters == {
        "status": "pending",
        "lists": 1,
        "sign-up date": True,
        exports.EVERYONE_KIND: True,
    }


def test_export_command_writes_a_spreadsheet_file_with_bom(monthly, tmp_path):
    SubscriberFactory(email="a@example.org", name="ស្រីពៅ ម៉ៅ", lists=[monthly])
    target = tmp_path / "subscribers.csv"

    out, err = export("--format", "csv-bom", "-o", str(target))

    text = target.read_text(encoding="utf-8")
    assert out == ""
    assert text.startswith("\ufeff")
    assert "ស្រីពៅ ម៉ៅ" in text
    assert str(target) in err


def test_export_command_file_is_readable_by_its_owner_only_whatever_the_umask(
    monthly, tmp_path, permissive_umask
):
    SubscriberFactory(email="private@example.org", lists=[monthly])
    fresh = tmp_path / "fresh.csv"
    existing = tmp_path / "existing.csv"
    existing.write_text("old")
    existing.chmod(0o644)

    export("-o", str(fresh))
    export("-o", str(existing))

    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert "private@example.org" in existing.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--list", "nope"], "No list with slug 'nope'"),
        (["--since", "31/01/2025"], "--since must be a date"),
        (["--since", "2025-02-30"], "--since must be a date"),
    ],
)
def test_export_command_explains_bad_options(monthly, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)
    assert not SubscriberExport.objects.exists()


def test_export_command_shows_progress_only_on_a_terminal(monthly, settings):
    for n in range(3):
        SubscriberFactory(email=f"p{n}@example.org", lists=[monthly])
    terminal = FakeTerminal()

    call_command("export_subscribers", stdout=io.StringIO(), stderr=terminal)
    _, plain = export()

    assert "[##############################] 3/3" in terminal.getvalue()
    assert "[" not in plain


def test_export_command_counts_its_rows_once(monthly, django_assert_max_num_queries):
    for n in range(3):
        SubscriberFactory(email=f"c{n}@example.org", lists=[monthly])

    # the count, the log, the rows (their lists in the same query on PostgreSQL, in one more
    # query elsewhere)
    budget = 3 if connection.vendor == "postgresql" else 4
    with django_assert_max_num_queries(budget) as captured:
        _, err = export()

    counts = [query for query in captured.captured_queries if "COUNT(" in query["sql"].upper()]
    assert len(counts) == 1
    assert "Exported 3 subscribers" in err
    assert SubscriberExport.objects.get().row_count == 3


@pytest.mark.parametrize("fmt", ["csv", "csv-bom"])
def test_the_command_writes_the_same_bytes_the_admin_downloads(
    client, monthly, urgent, tmp_path, fmt
):
    SubscriberFactory(
        email="a@example.org",
        name='=HYPERLINK("http://x"), "quoted"',
        organisation="Line one\nline two",
        country=country("KH"),
        lists=[monthly, urgent],
    )
    SubscriberFactory(email="b@example.org", name="ស្រីពៅ ម៉ៅ", organisation="@org", lists=[urgent])
    SubscriberFactory(email="c@example.org", name="นภาพร", country=country("TH"), lists=[monthly])
    SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])
    client.force_login(SuperUserFactory(username="root"))
    target = tmp_path / "subscribers.csv"

    export("--format", fmt, "-o", str(target))
    response = client.post(
        reverse("admin:newsletter_subscriber_export", args=[fmt]) + "?status__exact=confirmed"
    )

    downloaded = b"".join(response.streaming_content)
    assert downloaded == target.read_bytes()
    assert downloaded.decode("utf-8").startswith("\ufeff") == (fmt == "csv-bom")
    assert emails(downloaded.decode("utf-8")) == ["a@example.org", "b@example.org", "c@example.org"]


def test_resend_confirmations_command_reports_what_it_queued(waiting_signup, mailoutbox):
    waiting_signup(requested_ago=timedelta(hours=30))
    out = io.StringIO()

    call_command("resend_confirmations", "--older-than", "24", stdout=out)

    assert "Queued 1 confirmation reminder(s)." in out.getvalue()
    assert len(mailoutbox) == 1  # the immediate task backend of the tests sends it at once
