"""Every public section registers its sitemap here; all of them are built from the public
querysets (`published()`, `active()`), never from `objects.all()`."""

from django.contrib.flatpages.sitemaps import FlatPageSitemap
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from forumasia.forms import MAX_PAGE, NumberParameter, QueryForm
from members.sitemaps import CountrySitemap, MemberSitemap
from publications.sitemaps import PublicationSitemap


class SectionSitemap(Sitemap):
    """The home page and the section pages (publication types, member directory)."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "home",
            "publications:publication-list",
            "publications:statement-list",
            "publications:letter-list",
            "publications:report-list",
            "publications:story-list",
            "members:member-list",
        ]

    def location(self, item):
        return reverse(item)


sitemaps = {
    "sections": SectionSitemap,
    "pages": FlatPageSitemap,
    "members": MemberSitemap,
    "countries": CountrySitemap,
    "publications": PublicationSitemap,
}


class SitemapPageForm(QueryForm):
    """A sitemap section's one parameter: its page `p` (5,000 URLs each)."""

    p = NumberParameter(min_value=1, max_value=MAX_PAGE)

    def clean_p(self):
        return self.cleaned_data["p"] or 1
