from django.contrib.sitemaps import Sitemap

from .models import Country, MemberOrganisation


class MemberSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return MemberOrganisation.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CountrySitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Country.objects.with_members()
