from django import template

from ..map import legend, network_map_svg
from ..models import Country

register = template.Library()


@register.inclusion_tag("members/includes/network_map.html")
def network_map(countries=None):
    """The network map with its legend. Pass `countries` (every country with `member_count`)
    when the page has loaded them already; otherwise the tag loads them on a cache miss."""
    if countries is None:
        countries = Country.objects.with_member_counts()  # lazy: read on a cache miss only
    return {"svg": network_map_svg(countries), "legend": legend()}
