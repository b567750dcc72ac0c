from django import template

from ..search import highlight as highlight_headline

register = template.Library()


@register.filter
def highlight(headline):
    """A search headline, escaped, with the matched words in <mark>."""
    return highlight_headline(headline)
