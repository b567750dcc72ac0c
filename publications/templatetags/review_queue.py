"""The admin index's "Waiting for review" block, for those who may publish."""

from django import template

from ..models import Publication
from ..services import may_publish

register = template.Library()
SHOWN = 10


@register.simple_tag(takes_context=True)
def waiting_for_review(context):
    """Publications submitted for review, oldest change first (it has waited longest), or None
    for users who may not publish. One query."""
    if not may_publish(context["request"].user):
        return None
    return list(
        Publication.objects.in_review()
        .select_related("updated_by")
        .only("pk", "title", "updated_at", "updated_by__username")
        .order_by("updated_at", "pk")[:SHOWN]
    )
