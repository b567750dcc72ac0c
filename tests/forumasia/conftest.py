"""Fixtures shared by the walks over the site's routes."""

import pytest

from mailings.models import Issue
from pages.sitemaps import sitemaps
from tests.factories import IssueFactory, MemberOrganisationFactory, PublicationFactory, country


@pytest.fixture
def existing():
    """Objects whose addresses the generated paths may use."""
    member = MemberOrganisationFactory(country=country("TH"))
    publication = PublicationFactory(
        countries=[country("TH")], tags=["Land rights"], signatories=[member]
    )
    # A sent newsletter issue, whose web version shows the publication.
    issue = IssueFactory(slug="2026-03", items=[publication])
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
    return {
        "slug": [publication.slug, member.slug, issue.slug],
        "code": ["th", "TH", "kp"],
        "section": list(sitemaps),
        "url": ["about/", "our-approach/"],
        "token": ["x"],
        "language": ["th", "id"],
    }
