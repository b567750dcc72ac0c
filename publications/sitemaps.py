from django.contrib.sitemaps import Sitemap

from .models import Publication


class PublicationSitemap(Sitemap):
    """Public publications only: built from `published()`, like every public surface."""

    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Publication.objects.published().only("slug", "updated_at", "publish_at")

    def lastmod(self, publication):
        return publication.updated_at
