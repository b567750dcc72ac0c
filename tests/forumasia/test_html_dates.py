"""Times in HTML attributes are valid HTML date strings whatever the instant or its zone."""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from django.conf import settings
from django.utils import timezone as django_timezone
from hypothesis import given
from hypothesis import strategies as st

from forumasia.templatetags.html_dates import html_datetime

# HTML's valid global date and time string: at most three digits of a second's fraction.
GLOBAL_DATE_AND_TIME = re.compile(
    r"^\d{4,}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:?\d\d)$"
)
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# `<time datetime="{{ … }}">` and `<meta property="article:…_time" content="{{ … }}">`.
TIME_VALUE = re.compile(r'(?:datetime|_time" content)="{{([^}]*)}}"')

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    moment=st.datetimes(
        min_value=datetime(1991, 1, 1), max_value=datetime(2200, 1, 1), timezones=offsets
    )
)
def test_any_aware_moment_is_a_valid_html_time_of_the_same_second(moment):
    text = html_datetime(moment)

    assert GLOBAL_DATE_AND_TIME.match(text), text
    assert datetime.fromisoformat(text) == moment.replace(microsecond=0)
    assert datetime.fromisoformat(text).utcoffset() == django_timezone.localtime(moment).utcoffset()


def test_microseconds_are_dropped_and_the_secretariats_offset_is_shown():
    moment = datetime(2026, 11, 27, 21, 57, 56, 339215, tzinfo=UTC)

    assert html_datetime(moment) == "2026-11-28T04:57:56+07:00"


def test_a_date_is_a_date_and_nothing_is_empty():
    assert html_datetime(date(2026, 11, 28)) == "2026-11-28"
    assert html_datetime(None) == ""


def test_every_time_attribute_in_the_templates_goes_through_the_filter():
    unfiltered = [
        f"{path.relative_to(TEMPLATES)}: {expression.strip()}"
        for path in TEMPLATES.rglob("*.html")
        for expression in TIME_VALUE.findall(path.read_text())
        if "html_datetime" not in expression
    ]

    assert unfiltered == []
