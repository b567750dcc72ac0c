from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max
from django.urls import reverse

from .models import Publication


class PublicationSitemap(Sitemap):
    """Public publications only: built from `published()`, like every public surface.

    At 100,000 publications a section page lists 5,000 of them, so each item is a
    (slug, updated_at) row, not a model instance, read from one covering index (pub_sitemap),
    and its address is the detail URL's prefix plus the slug (what `get_absolute_url()`
    returns, without a reverse() per item). A page is one query: no count first (a page past the
    end is found empty, as Django's paginator says it). The index's lastmod is one MAX() on the
    updated_at index, not a walk over every item (Django's default). The result is Django's,
    address for address (tests/pages/test_sitemaps.py)."""

    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Publication.objects.published()
            .order_by("-publish_at", "-pk")
            .values_list("slug", "updated_at")
        )

    def location(self, item):
        # The URL's <slug:...> converter admits letters, digits, hyphens and underscores only:
        # nothing reverse() would quote.
        return self.prefix + item[0] + "/"

    def lastmod(self, item):
        return item[1]

    def get_urls(self, page=1, site=None, protocol=None):
        """Sitemap.get_urls() for these (slug, updated_at) rows, built in one pass."""
        try:
            number = int(page)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        start = (number - 1) * self.limit
        rows = list(self.items()[start : start + self.limit])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        priority = str(self.priority)
        urls = [
            {
                "item": row,
                "location": base + self.location(row),
                "lastmod": row[1],
                "changefreq": self.changefreq,
                "priority": priority,
                "alternates": [],
            }
            for row in rows
        ]
        if rows:
            self.latest_lastmod = max(row[1] for row in rows)
        return urls

    def get_latest_lastmod(self):
        return Publication.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    @property
    def prefix(self):
        """The detail URL up to the slug: /publications/."""
        try:
            return self._prefix
        except AttributeError:
            path = reverse("publications:publication-detail", kwargs={"slug": "-"})
            self._prefix = path[: -len("-/")]
            return self._prefix
