from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Max
from django.urls import reverse
from django.utils import translation

from forumasia.locale import LanguagesSitemap

from .models import Publication


class LanguageRows:
    """(row, language) for each of `rows` (a queryset) in each of `languages`, the order
    Django's i18n sitemap lists them in, read a slice at a time: Django's own makes the whole
    list first (100,000 publications, three times over, for each page and for the index)."""

    def __init__(self, rows, languages):
        self.rows, self.languages = rows, languages

    def count(self):
        return self.rows.count() * len(self.languages)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        """Slices only (what a paginator asks for)."""
        per_row = len(self.languages)
        first, last = index.start // per_row, -(-index.stop // per_row)
        pairs = [(row, code) for row in self.rows[first:last] for code in self.languages]
        start = index.start - first * per_row
        return pairs[start : start + index.stop - index.start]


class PublicationSitemap(LanguagesSitemap):
    """Public publications only: built from `published()`, like every public surface; each in
    every interface language with its alternates (LanguagesSitemap).

    At 100,000 publications a section page lists 5,000 addresses, so each item is a
    (slug, updated_at) row, not a model instance, read from one covering index (pub_sitemap),
    and its address is the detail URL's prefix in that language plus the slug (what
    `get_absolute_url()` returns, without a reverse() per item). A page is one query: no count
    first (a page past the end is found empty, as Django's paginator says it). The index's
    lastmod is one MAX() on the updated_at index, not a walk over every item (Django's
    default). The result is Django's, address for address (tests/pages/test_sitemaps.py)."""

    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return (
            Publication.objects.published()
            .order_by("-publish_at", "-pk")
            .values_list("slug", "updated_at")
        )

    def _items(self):
        return LanguageRows(self.items(), self._languages())

    @property
    def paginator(self):
        return Paginator(self._items(), self.limit)

    def location(self, item):
        # The URL's <slug:...> converter admits letters, digits, hyphens and underscores only:
        # nothing reverse() would quote.
        return self.prefix_in(translation.get_language()) + item[0] + "/"

    def lastmod(self, item):
        return item[1]

    def get_urls(self, page=1, site=None, protocol=None):
        """Sitemap.get_urls() for these (slug, updated_at) rows in each language, built in one
        pass."""
        try:
            number = int(page)
        except (TypeError, ValueError) as error:
            raise PageNotAnInteger("That page number is not an integer") from error
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        start = (number - 1) * self.limit
        entries = self._items()[start : start + self.limit]
        if not entries and number > 1:
            raise EmptyPage("That page contains no results")
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        languages = self._languages()
        prefixes = {code: base + self.prefix_in(code) for code in languages}
        default = settings.LANGUAGE_CODE
        priority = str(self.priority)
        urls = []
        for row, code in entries:
            slug = row[0] + "/"
            alternates = [
                {"location": prefixes[code] + slug, "lang_code": code} for code in languages
            ]
            if default in languages:
                # As Django writes it: the default language's address, any "/en/" dropped.
                x_default = (prefixes[default] + slug).replace(f"/{default}/", "/", 1)
                alternates.append({"location": x_default, "lang_code": "x-default"})
            urls.append(
                {
                    "item": (row, code),
                    "location": prefixes[code] + slug,
                    "lastmod": row[1],
                    "changefreq": self.changefreq,
                    "priority": priority,
                    "alternates": alternates,
                }
            )
        if entries:
            self.latest_lastmod = max(row[1] for row, _code in entries)
        return urls

    def get_latest_lastmod(self):
        return Publication.objects.published().aggregate(latest=Max("updated_at"))["latest"]

    def prefix_in(self, language):
        """The detail URL up to the slug in `language`: /th/publications/."""
        prefixes = self.__dict__.setdefault("_prefixes", {})
        if language not in prefixes:
            with translation.override(language):
                path = reverse("publications:publication-detail", kwargs={"slug": "-"})
            prefixes[language] = path[: -len("-/")]
        return prefixes[language]
