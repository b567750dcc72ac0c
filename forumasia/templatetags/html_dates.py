"""Times for HTML attributes (`<time datetime>`, `article:published_time`).

Django's `date:"c"` writes microseconds, and HTML accepts at most three digits of a second's
fraction, so `2026-11-28T04:57:56.339215+07:00` is not a valid date string. Pages state times
to the second, in the Secretariat's time zone with its offset.
"""

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value):
    """A valid HTML global date and time string (a date alone for a date); "" for nothing."""
    if not value:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    return value.isoformat()
