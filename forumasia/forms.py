"""Forms over a query string, whose cleaned data is what a public view reads.

A query string is hostile input: parameters repeat, values carry NUL and control characters,
digits come in other scripts (`int()` reads "٢٠٢٤" as 2024; the regex `\\d` matches it too). A
`QueryForm` reads each parameter once, by its last value (as `QueryDict.get` and Django's own
views do), removes what no page can carry, and validates. Its `canonical` values are the
only thing the view reads, so the page cache keys a page on exactly them
(forumasia/cache.py) and links built from them never echo a parameter the view ignores.
"""

import re
from urllib.parse import urlencode

from django import forms
from django.utils.functional import cached_property
from django.utils.translation import gettext

from .text import clean_text

ASCII_DIGITS = re.compile(r"[0-9]+\Z")
# Far beyond any list (100,000 publications are 5,000 pages) and far below what a database's
# OFFSET can hold.
MAX_PAGE = 1_000_000


class TextParameter(forms.CharField):
    """Free text: whitespace collapsed, a long value cut (not refused: the visitor still gets
    a page)."""

    def __init__(self, *, max_length, **kwargs):
        self.cut_at = max_length
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        return " ".join(super().to_python(value).split())[: self.cut_at]


class NumberParameter(forms.Field):
    """A whole number written in ASCII digits, between `min_value` and `max_value`."""

    def __init__(self, *, min_value, max_value, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        if not ASCII_DIGITS.match(value) or len(value) > len(str(self.max_value)):
            raise forms.ValidationError(
                gettext("Enter a number from %(low)s to %(high)s.")
                % {"low": self.min_value, "high": self.max_value}
            )
        number = int(value)
        if not self.min_value <= number <= self.max_value:
            raise forms.ValidationError(
                gettext("Enter a number from %(low)s to %(high)s.")
                % {"low": self.min_value, "high": self.max_value}
            )
        return number


class QueryForm(forms.Form):
    """Validates a request's GET. An invalid value counts as not given (`canonical` leaves it
    out); a form may say otherwise for a field (e.g. a page number that is not one is a 404)."""

    def __init__(self, query):
        super().__init__(
            {name: clean_text(query[name]) for name in self.base_fields if name in query}
        )

    @cached_property
    def canonical(self):
        """{name: value} of the valid, non-empty parameters, in field order: what the view
        reads, and so what the page cache keys the page on."""
        self.is_valid()
        return {
            name: self.cleaned_data[name]
            for name in self.fields
            if self.cleaned_data.get(name) not in (None, "")
        }

    def query_string(self, *, exclude=()):
        """The canonical parameters as a query string (for links), without `exclude`."""
        return urlencode(
            [(name, value) for name, value in self.link_values().items() if name not in exclude]
        )

    def link_values(self):
        return self.canonical


class PageForm(QueryForm):
    """Pages whose only parameter is the page number (member and country pages)."""

    page = NumberParameter(min_value=1, max_value=MAX_PAGE)
