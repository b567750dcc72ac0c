"""Every public section registers its sitemap here; all of them are built from the public
querysets (`published()`, `active()`), never from `objects.all()`."""

from members.sitemaps import CountrySitemap, MemberSitemap
from publications.sitemaps import PublicationSitemap

sitemaps = {
    "members": MemberSitemap,
    "countries": CountrySitemap,
    "publications": PublicationSitemap,
}
