"""Fixtures shared by the walks over the site's routes."""

import pytest

from pages.sitemaps import sitemaps
from tests.factories import MemberOrganisationFactory, PublicationFactory, country


@pytest.fixture
def existing():
    """Objects whose addresses the generated paths may use."""
    member = MemberOrganisationFactory(country=country("TH"))
    publication = PublicationFactory(
        countries=[country("TH")], tags=["Land rights"], signatories=[member]
    )
    return {
        "slug": [publication.slug, member.slug],
        "code": ["th", "TH", "kp"],
        "section": list(sitemaps),
        "url": ["about/", "our-approach/"],
        "token": ["x"],
    }
