"""Search on a sub-site: the publications of its stream only, and no members (the directory is
the main site's)."""

import pytest

from subsites.routing import directory
from tests.factories import (
    MemberOrganisationFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
)

pytestmark = pytest.mark.django_db

HOST = "aseanrights.example.org"


@pytest.fixture
def asean():
    return SubSiteFactory(slug="asean", publication_types=["report"])


def test_search_on_a_sub_site_finds_its_stream_only(client, asean):
    report = PublicationFactory(type="report", title="Torture in detention: a report")
    picked = PublicationFactory(type="statement", title="Torture must end")
    PickFactory(sub_site=asean, publication=picked)
    PublicationFactory(type="statement", title="Torture on the main site only")

    found = client.get("/sites/asean/search/", {"q": "torture"}).context["publications"]
    on_main_site = client.get("/search/", {"q": "torture"}).context["publications"]

    assert set(found) == {report, picked}
    assert len(on_main_site) == 3


def test_search_on_a_sub_site_shows_no_members(client, asean):
    PublicationFactory(type="report", title="Torture in detention")
    MemberOrganisationFactory(name="Centre against Torture")

    sub_site = client.get("/sites/asean/search/", {"q": "torture"})
    main_site = client.get("/search/", {"q": "torture"})

    assert sub_site.context["members"] == []
    assert "Centre against Torture" not in sub_site.content.decode()
    assert "Centre against Torture" in main_site.content.decode()


def test_search_at_a_sub_sites_own_host_keeps_the_filters(client):
    SubSiteFactory(host=HOST, publication_types=["report", "statement"])
    in_thailand = PublicationFactory(type="report", title="Land grabs", countries=[country("TH")])
    PublicationFactory(type="report", title="Land grabs", countries=[country("KH")])
    PublicationFactory(type="story", title="Land grabs", countries=[country("TH")])

    response = client.get("/search/", {"q": "land", "country": "th"}, HTTP_HOST=HOST)

    assert list(response.context["publications"]) == [in_thailand]
    assert 'action="/search/"' in response.content.decode()


def test_search_on_a_sub_site_holds_the_search_query_budget(
    client, asean, django_assert_max_num_queries
):
    asean.themes.add(*PublicationFactory(tags=["Detention"]).tags.all())
    asean.countries.add(country("TH"))
    for n in range(25):
        PublicationFactory(
            type="report",
            title=f"Detention report {n}",
            tags=["Detention"],
            countries=[country("TH")],
        )
    # The routing reads the sub-sites once per content version in each process, not per page.
    directory.current()

    with django_assert_max_num_queries(8):
        response = client.get("/sites/asean/search/", {"q": "detention"})

    assert response.status_code == 200
    assert len(response.context["publications"]) == 20
