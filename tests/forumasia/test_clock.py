"""Dates are the Secretariat's (Asia/Bangkok, UTC+7), whatever the hour in UTC.

Its date changes at 17:00 UTC: each test here puts an event or the clock on either side of that
moment, where a date taken in UTC would be a day (or, on 31 December, a year) off. The whole
suite also runs at two such clocks in CI (tests/conftest.py, FORUMASIA_TEST_CLOCK).
"""

import io
import re
from datetime import UTC, date, datetime
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import clock_start
from tests.factories import MailingListFactory, PublicationFactory, SubscriberFactory

BANGKOK = ZoneInfo("Asia/Bangkok")


def test_the_settings_keep_the_secretariats_time_zone():
    assert str(timezone.get_default_timezone()) == "Asia/Bangkok"


@pytest.mark.parametrize(
    ("value", "today", "expected"),
    [
        ("23:30+00:00", date(2026, 12, 31), datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),
        ("00:30+07:00", date(2027, 1, 1), datetime(2026, 12, 31, 17, 30, tzinfo=UTC)),
        ("2027-01-01T00:30:00+07:00", None, datetime(2026, 12, 31, 17, 30, tzinfo=UTC)),
    ],
)
def test_the_suite_clock_is_a_time_of_day_today_or_a_whole_moment(value, today, expected):
    assert clock_start(value, today=today) == expected


@pytest.mark.parametrize("value", ["23:30", "2026-12-31T23:30"])
def test_the_suite_clock_refuses_a_time_without_an_offset(value):
    with pytest.raises(ValueError, match="needs an offset"):
        clock_start(value)


def test_the_live_server_thread_runs_on_the_moved_clock(live_server):
    """Browser journeys see the moved clock too: the live server answers from another thread,
    and time-machine moves the clock of the whole process."""
    moment = datetime(2031, 12, 31, 23, 30, tzinfo=UTC)
    with time_machine.travel(moment, tick=False), urlopen(live_server.url + "/robots.txt") as page:
        served_at = page.headers["Date"]

    assert served_at == "Wed, 31 Dec 2031 23:30:00 GMT"


def network_figure(response):
    """('2', '2026') from "<strong>2</strong> publications in 2026" on the home page."""
    return re.search(r"<strong>(\d+)</strong> publications in (\d{4})", response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("utc_moment", "expected"),
    [
        # 23:59 in Bangkok on 31 December: both of the year's publications count.
        ("2026-12-31T16:59:00+00:00", ("2", "2026")),
        # 00:00 in Bangkok on 1 January (17:00 UTC, still 2026 in UTC): a new, empty year.
        ("2026-12-31T17:00:00+00:00", ("0", "2027")),
    ],
)
def test_home_counts_this_years_publications_by_the_secretariats_calendar(
    client, utc_moment, expected
):
    # 00:30 on 1 January 2026 in Bangkok is still 2025 in UTC.
    PublicationFactory(publish_at=datetime(2026, 1, 1, 0, 30, tzinfo=BANGKOK))
    PublicationFactory(publish_at=datetime(2026, 12, 31, 23, 0, tzinfo=BANGKOK))
    PublicationFactory(publish_at=datetime(2025, 12, 31, 23, 30, tzinfo=BANGKOK))

    with time_machine.travel(utc_moment, tick=False):
        response = client.get("/")

    assert network_figure(response).groups() == expected


@pytest.mark.django_db
def test_the_year_filter_files_a_late_evening_publication_under_the_secretariats_year(client):
    # 23:30 on 31 December in Bangkok (16:30 UTC) and 00:30 on 1 January (17:30 UTC, still
    # 31 December in UTC).
    PublicationFactory(
        title="Eve statement", publish_at=datetime(2026, 12, 31, 23, 30, tzinfo=BANGKOK)
    )
    PublicationFactory(
        title="Day statement", publish_at=datetime(2027, 1, 1, 0, 30, tzinfo=BANGKOK)
    )

    with time_machine.travel(datetime(2027, 1, 5, 9, tzinfo=BANGKOK), tick=False):
        in_2026 = client.get("/publications/?year=2026").content.decode()
        in_2027 = client.get("/publications/?year=2027").content.decode()

    assert "Eve statement" in in_2026
    assert "Day statement" not in in_2026
    assert "Day statement" in in_2027
    assert "Eve statement" not in in_2027


@pytest.mark.django_db
def test_export_since_a_date_starts_at_midnight_in_bangkok():
    monthly = MailingListFactory(slug="e-newsletter")
    for email, signed_up in [
        ("eve@example.org", datetime(2026, 12, 31, 23, 30, tzinfo=BANGKOK)),
        ("day@example.org", datetime(2027, 1, 1, 0, 30, tzinfo=BANGKOK)),
    ]:
        with time_machine.travel(signed_up, tick=False):
            SubscriberFactory(email=email, lists=[monthly])
    out = io.StringIO()

    call_command("export_subscribers", "--since", "2027-01-01", stdout=out, stderr=io.StringIO())

    assert "day@example.org" in out.getvalue()
    assert "eve@example.org" not in out.getvalue()
