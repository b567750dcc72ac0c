"""The main site's home: "Explore our sub-sites" (pages/views.py HomeView, home.html)."""

import pytest
from django.conf import settings

from tests.factories import MemberOrganisationFactory, PublicationFactory, SubSiteFactory, country

pytestmark = pytest.mark.django_db


def test_the_home_invites_readers_to_the_listed_sub_sites_and_not_archived_ones(client):
    SubSiteFactory(
        name="ASEAN advocacy",
        slug="asean",
        introduction="<p>Holding ASEAN &amp; its members to their word on human rights.</p>",
    )
    SubSiteFactory(name="An old campaign", slug="old", is_archived=True)

    page = client.get("/").content.decode()

    assert "Explore our sub-sites" in page
    assert ">ASEAN advocacy</a>" in page
    assert f'href="{settings.SITE_URL}/sites/asean/"' in page
    assert "Holding ASEAN &amp; its members" in page  # the text, escaped once
    assert "An old campaign" not in page


def test_without_a_listed_sub_site_the_section_is_absent(client):
    SubSiteFactory(is_archived=True)

    assert "Explore our sub-sites" not in client.get("/").content.decode()


def test_the_sub_sites_cost_the_home_one_query(client, django_assert_max_num_queries):
    member = MemberOrganisationFactory()
    for _ in range(6):
        for kind in ("statement", "report", "story", "letter"):
            PublicationFactory(
                type=kind, countries=[country("TH")], tags=["Civic space"], signatories=[member]
            )
    SubSiteFactory.create_batch(5)

    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert len(response.context["sub_sites"]) == 5
