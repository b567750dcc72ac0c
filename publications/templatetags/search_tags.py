from django import template

from ..search import highlight as highlight_headline
from ..search import mark_words as mark_query_words

register = template.Library()


@register.filter
def highlight(headline):
    """A search headline (PostgreSQL), escaped, with the matched words in <mark>."""
    return highlight_headline(headline)


@register.filter
def mark_words(text, query):
    """Plain text, escaped, with the words of `query` in <mark> (the SQLite fallback)."""
    return mark_query_words(text, query)
