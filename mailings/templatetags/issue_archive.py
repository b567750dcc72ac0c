from django import template

from ..models import Issue
from ..views import in_page_language

register = template.Library()

# The newsletter page lists the latest issues: a year of them.
LATEST_ISSUES = 12


@register.inclusion_tag("mailings/includes/latest_issues.html")
def latest_issues():
    """The latest sent issues in the page's language, and whether there are older ones (the
    archive page has them all). Two queries."""
    issues = list(Issue.objects.archive()[: LATEST_ISSUES + 1])
    return {
        "entries": in_page_language(issues[:LATEST_ISSUES]),
        "has_older": len(issues) > LATEST_ISSUES,
    }
