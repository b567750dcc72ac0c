from django.db.models import Max

from forumasia.locale import LanguagesSitemap

from .models import Issue


class IssueSitemap(LanguagesSitemap):
    """Sent issues' web versions, each in every interface language (pages/sitemaps.py lists
    this section)."""

    changefreq = "yearly"
    priority = 0.4

    def items(self):
        return Issue.objects.sent().order_by("-pk").only("slug", "updated_at")

    def location(self, issue):
        return issue.get_absolute_url()

    def lastmod(self, issue):
        return issue.updated_at

    def get_latest_lastmod(self):
        """The index's date for this section: one MAX(), not every issue loaded (Django's
        default)."""
        return Issue.objects.sent().aggregate(latest=Max("updated_at"))["latest"]
