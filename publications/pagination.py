"""A paginator for an archive that grows for decades: bounded counts, cheap deep pages.

- **Capped count.** `count` counts at most `cap + 1` rows (`COUNT(*)` over a `LIMIT cap + 1`
  subquery), so showing "more than 10,000 publications" costs the same at 100,000 or 10 million
  rows. Below the cap the count is exact and everything behaves like Django's `Paginator`.
- **Stable page URLs.** `?page=N` keeps meaning rows (N-1)·size … N·size-1 in the list's order,
  whatever the count: beyond the cap the page is fetched and an empty one is "out of range"
  (the list view turns that into a 404, never a 500). One extra row is read to know whether an
  "Older" page follows, since the number of pages is then unknown.
- **Numbered pages without the total.** `get_elided_page_range()` is Django's below the cap;
  beyond it, it lists the pages the capped count proves to exist near the current one and ends
  with an ellipsis instead of a last page.
- **Deferred join for deep pages.** From `DEFERRED_JOIN_FROM` rows on, the page's primary keys
  are chosen first (`pk IN (SELECT pk … ORDER BY … LIMIT size OFFSET n)`, which PostgreSQL
  answers from the ordering index alone) and only those rows are read in full: the offset walks
  index entries, not wide table rows.
"""

import math

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
DEFERRED_JOIN_FROM = 200


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, has_more):
        super().__init__(object_list, number, paginator)
        self._has_more = has_more

    def has_next(self):
        return self._has_more

    def end_index(self):
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *args, cap=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def count(self):
        """The number of rows, but at most `cap + 1`: see `is_capped`."""
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def is_capped(self):
        """True when there are more than `cap` rows (their exact number is not counted)."""
        return self.count > self.cap

    @cached_property
    def num_pages(self):
        """Exact below the cap; beyond it, the pages up to the cap (more follow)."""
        if not self.is_capped:
            return super().num_pages
        return math.ceil(self.cap / self.per_page)

    def get_elided_page_range(self, number=1, *, on_each_side=3, on_ends=2):
        if not self.is_capped:
            yield from super().get_elided_page_range(
                number, on_each_side=on_each_side, on_ends=on_ends
            )
            return
        number = self.validate_number(number)
        # The count read cap + 1 rows: the pages holding them exist, what follows is not known.
        counted_pages = self.cap // self.per_page + 1
        if number > 1 + on_each_side + on_ends + 1:
            yield from range(1, on_ends + 1)
            yield self.ELLIPSIS
            yield from range(number - on_each_side, number + 1)
        else:
            yield from range(1, number + 1)
        if number < counted_pages:
            yield from range(number + 1, min(number + on_each_side, counted_pages) + 1)
            yield self.ELLIPSIS

    def validate_number(self, number):
        if not self.is_capped:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        rows = self.rows(bottom, top + 1)
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        has_more = len(rows) > self.per_page
        return CappedPage(rows[: self.per_page], number, self, has_more)

    def rows(self, bottom, top):
        """Rows bottom..top-1 of the list, in its order, as a list."""
        if bottom < DEFERRED_JOIN_FROM:
            return list(self.object_list[bottom:top])
        chosen = self.object_list.values("pk")[bottom:top]
        return list(self.object_list.filter(pk__in=chosen))
