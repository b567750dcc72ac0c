from datetime import date, datetime

import pytest
from django.utils import timezone

from newsletter import charts
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_chart_counts_confirmations_per_month_including_empty_months():
    now = timezone.make_aware(datetime(2026, 5, 15, 12))
    for when in (datetime(2026, 5, 1, 1), datetime(2026, 5, 14), datetime(2026, 3, 31, 23)):
        SubscriberFactory(confirmed_at=timezone.make_aware(when))
    SubscriberFactory(confirmed_at=timezone.make_aware(datetime(2024, 5, 31)))  # too old
    SubscriberFactory(status="pending")

    data = charts.confirmed_per_month(months=24, now=now)

    assert len(data) == 24
    assert data[0][0] == date(2024, 6, 1)
    assert data[-1] == (date(2026, 5, 1), 2)
    assert data[-2] == (date(2026, 4, 1), 0)
    assert data[-3] == (date(2026, 3, 1), 1)
    assert sum(count for _, count in data) == 3
