from forumasia.locale import LanguagesSitemap

from .models import Country, MemberOrganisation


class MemberSitemap(LanguagesSitemap):
    changefreq = "monthly"

    def items(self):
        return MemberOrganisation.objects.active().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class CountrySitemap(LanguagesSitemap):
    changefreq = "weekly"

    def items(self):
        return Country.objects.with_members()
