"""The admin index's "Waiting for review": editorial pages submitted for review, beside the
publications' (publications/templatetags/review_queue.py), for those who may publish pages."""

from django import template

from ..models import Page
from ..services import may_publish

register = template.Library()
SHOWN = 10


@register.simple_tag(takes_context=True)
def pages_waiting_for_review(context):
    """Pages in review, oldest change first, or None for users who may not publish pages. One
    query."""
    if not may_publish(context["request"].user):
        return None
    return list(
        Page.objects.in_review()
        .select_related("updated_by")
        .only("pk", "title", "updated_at", "updated_by__username")
        .order_by("updated_at", "pk")[:SHOWN]
    )
