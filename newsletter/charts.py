"""The "subscribers over time" chart on the admin changelist, drawn as SVG on the server."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format

from .models import Subscriber

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 16, 28


@dataclass(frozen=True)
class Bar:
    month: date
    count: int
    x: float
    y: float
    width: float
    height: float
    show_label: bool

    @property
    def label(self):
        # Django's month names, in the admin's language.
        return date_format(self.month, "M Y" if self.month.month == 1 else "M")

    @property
    def centre(self):
        return self.x + self.width / 2


def _month_starts(months, today):
    year, month = today.year, today.month
    starts = []
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(starts))


def confirmed_per_month(*, months=24, now=None):
    """[(first day of month, confirmations that month)] for the last `months` months, oldest
    first, months without any included as 0. Months are the Secretariat's (TIME_ZONE)."""
    today = timezone.localdate(now or timezone.now())
    starts = _month_starts(months, today)
    first = timezone.make_aware(timezone.datetime(starts[0].year, starts[0].month, 1))
    counts = (
        Subscriber.objects.filter(confirmed_at__gte=first)
        .annotate(month=TruncMonth("confirmed_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    by_month = {timezone.localdate(month): n for month, n in counts}
    return [(start, by_month.get(start, 0)) for start in starts]


def _nice_ceiling(value):
    """The smallest of 1, 2, 5 x 10^n at or above value, so axis labels are round numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor:
                return step * factor
        step *= 10


def chart(*, months=24, now=None):
    data = confirmed_per_month(months=months, now=now)
    top = _nice_ceiling(max([count for _, count in data] + [1]))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(data)
    bars = []
    for index, (month, count) in enumerate(data):
        height = plot_height * count / top
        bars.append(
            Bar(
                month=month,
                count=count,
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                show_label=index % 3 == 0 or index == len(data) - 1,
            )
        )
    gridlines = [
        {"value": value, "y": round(TOP + plot_height - plot_height * value / top, 1)}
        for value in sorted({0, top // 2, top})
    ]
    return {
        "bars": bars,
        "gridlines": gridlines,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_height,
        "label_y": HEIGHT - 8,
        "total": sum(count for _, count in data),
        "months": months,
    }
