"""A sub-site's lists, publication pages and member and country pages: only its stream, and
each publication's one canonical address on the main site."""

import pytest

from publications.models import Publication
from subsites.routing import directory
from tests.factories import (
    MemberOrganisationFactory,
    PageFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
)

pytestmark = pytest.mark.django_db

MAIN = "http://127.0.0.1:8000"  # SITE_URL in tests
HOST = "aseanrights.example.org"


@pytest.fixture
def asean():
    """A sub-site under /sites/asean/ showing reports."""
    return SubSiteFactory(slug="asean", publication_types=["report"])


def canonical(html):
    start = html.index('<link rel="canonical" href="') + len('<link rel="canonical" href="')
    return html[start : html.index('"', start)]


def test_a_sub_sites_list_shows_its_stream_and_its_picks_only(client, asean):
    report = PublicationFactory(type="report", title="In the stream")
    picked = PublicationFactory(type="statement", title="Picked by hand")
    PickFactory(sub_site=asean, publication=picked, is_pinned=True)
    outside = PublicationFactory(type="statement", title="Not for this sub-site")

    shown = client.get("/sites/asean/publications/").context["publications"]
    on_main_site = client.get("/publications/").context["publications"]

    assert set(shown) == {report, picked}
    assert set(on_main_site) == {report, picked, outside}


def test_a_sub_sites_filters_and_type_pages_keep_working_within_its_stream(client, asean):
    about_thailand = PublicationFactory(type="report", countries=[country("TH")])
    PublicationFactory(type="report", countries=[country("KH")])
    PublicationFactory(type="statement", countries=[country("TH")])
    PickFactory(sub_site=asean, publication=PublicationFactory(type="letter"))

    filtered = client.get("/sites/asean/publications/", {"country": "th"})
    reports = client.get("/sites/asean/reports/", {"country": "th"})
    statements = client.get("/sites/asean/statements/")

    assert list(filtered.context["publications"]) == [about_thailand]
    assert list(reports.context["publications"]) == [about_thailand]
    assert list(statements.context["publications"]) == []
    # The filter offers the countries the sub-site's publications are about, not the network's.
    assert {c.code for c in filtered.context["country_options"]} == {"TH", "KH"}


def test_a_sub_sites_pages_are_cached_apart_from_the_main_sites(client):
    SubSiteFactory(slug="asean", host=HOST, publication_types=["report"])
    PublicationFactory(type="report", title="A report for ASEAN")
    PublicationFactory(type="statement", title="A statement for the network")

    main = client.get("/publications/")
    sub_site = client.get("/publications/", HTTP_HOST=HOST)
    main_again = client.get("/publications/")
    sub_site_again = client.get("/publications/", HTTP_HOST=HOST)

    assert (main.page_cache, sub_site.page_cache) == ("miss", "miss")
    assert (main_again.page_cache, sub_site_again.page_cache) == ("hit", "hit")
    assert "A statement for the network" in main_again.content.decode()
    assert "A statement for the network" not in sub_site_again.content.decode()
    assert "A report for ASEAN" in sub_site_again.content.decode()


def test_a_publication_outside_the_stream_is_not_found_on_the_sub_site(client, asean):
    outside = PublicationFactory(type="statement", slug="not-here")

    assert client.get("/sites/asean/publications/not-here/").status_code == 404
    assert client.get(outside.get_absolute_url()).status_code == 200


def test_a_publication_on_a_sub_site_names_the_main_sites_address_as_canonical(client, asean):
    PublicationFactory(type="report", slug="dams-on-the-mekong")

    html = client.get("/sites/asean/publications/dams-on-the-mekong/").content.decode()
    thai = client.get("/th/sites/asean/publications/dams-on-the-mekong/").content.decode()

    assert canonical(html) == f"{MAIN}/publications/dams-on-the-mekong/"
    assert f'<meta property="og:url" content="{MAIN}/publications/dams-on-the-mekong/">' in html
    assert canonical(thai) == f"{MAIN}/th/publications/dams-on-the-mekong/"
    # Shared, it is shared at its one address.
    shared = "sharer.php?u=http%3A%2F%2F127.0.0.1%3A8000%2Fpublications%2Fdams-on-the-mekong%2F"
    assert shared in html


def test_a_picked_publication_on_a_sub_sites_own_host_is_canonical_on_the_main_site(client):
    sub_site = SubSiteFactory(host=HOST)
    PickFactory(sub_site=sub_site, publication=PublicationFactory(slug="picked"))

    response = client.get("/publications/picked/", HTTP_HOST=HOST)

    assert response.status_code == 200
    assert canonical(response.content.decode()) == f"{MAIN}/publications/picked/"


def test_a_sub_sites_other_pages_are_canonical_at_their_own_address(client, asean):
    SubSiteFactory(slug="mekong", host=HOST)

    on_path = client.get("/sites/asean/reports/", {"country": "th"}).content.decode()
    on_host = client.get("/publications/", HTTP_HOST=HOST).content.decode()

    assert canonical(on_path) == f"{MAIN}/sites/asean/reports/"
    assert canonical(on_host) == f"http://{HOST}/publications/"


def test_related_publications_on_a_sub_site_come_from_its_stream(client, asean):
    PublicationFactory(type="report", slug="main", tags=["Dams"])
    related_report = PublicationFactory(type="report", tags=["Dams"])
    related_statement = PublicationFactory(type="statement", tags=["Dams"])

    on_sub_site = client.get("/sites/asean/publications/main/").context["related"]
    on_main_site = client.get("/publications/main/").context["related"]

    assert on_sub_site == [related_report]
    assert set(on_main_site) == {related_report, related_statement}


def test_cards_and_articles_link_within_the_site_that_shows_them(client, asean):
    member = MemberOrganisationFactory(slug="insec")
    report = PublicationFactory(type="report", slug="a-report", signatories=[member])

    # The main site's pages first: their cached fragments must not reach the sub-site's.
    client.get("/publications/")
    client.get(report.get_absolute_url())
    sub_list = client.get("/sites/asean/publications/").content.decode()
    sub_detail = client.get("/sites/asean/publications/a-report/").content.decode()
    main_list = client.get("/publications/").content.decode()

    assert 'href="/sites/asean/publications/a-report/"' in sub_list
    assert 'href="/sites/asean/members/insec/"' in sub_detail
    assert 'href="/publications/a-report/"' in main_list
    assert "/sites/asean/" not in main_list


def test_member_and_country_pages_on_a_sub_site_list_its_stream_and_are_canonical_on_the_main_site(
    client, asean
):
    member = MemberOrganisationFactory(slug="insec", country=country("NP"))
    report = PublicationFactory(type="report", signatories=[member], countries=[country("NP")])
    PublicationFactory(type="statement", signatories=[member], countries=[country("NP")])

    member_page = client.get("/sites/asean/members/insec/")
    country_page = client.get("/sites/asean/countries/np/")

    assert list(member_page.context["page_obj"]) == [report]
    assert list(country_page.context["page_obj"]) == [report]
    assert canonical(member_page.content.decode()) == f"{MAIN}/members/insec/"
    assert canonical(country_page.content.decode()) == f"{MAIN}/countries/np/"


def test_editorial_pages_are_not_found_on_a_sub_site(client, asean):
    PageFactory(path="/our-work/")

    assert client.get("/our-work/").status_code == 200
    assert client.get("/sites/asean/our-work/").status_code == 404


# --- Query budgets: the main site's (tests/publications/test_views.py, tests/pages) ----------


@pytest.fixture
def themed_sub_site():
    """A sub-site setting every criterion (types, themes, countries) and picks, and enough
    content in its stream to fill a page."""
    sub_site = SubSiteFactory(slug="asean", publication_types=["report", "statement"])
    sub_site.themes.add(*PublicationFactory(tags=["Civic space"]).tags.all())
    sub_site.countries.add(country("TH"), country("KH"))
    member = MemberOrganisationFactory(slug="insec", country=country("TH"))
    for _ in range(25):
        PublicationFactory(
            type="report",
            countries=[country("TH")],
            tags=["Civic space", "Elections"],
            signatories=[member],
        )
    PickFactory(sub_site=sub_site, publication=PublicationFactory(type="story"), is_pinned=True)
    # The routing reads the sub-sites once per content version in each process, not per page.
    directory.current()
    return sub_site


def test_a_sub_sites_list_holds_the_lists_query_budget(
    client, themed_sub_site, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(
            "/sites/asean/publications/", {"country": "th", "tag": "civic-space", "year": "2026"}
        )
    with django_assert_max_num_queries(8):
        reports = client.get("/sites/asean/reports/?q=civic&page=1")
    with django_assert_max_num_queries(8):
        unfiltered = client.get("/sites/asean/publications/")

    assert response.status_code == reports.status_code == 200
    assert len(unfiltered.context["publications"]) == 20


def test_a_sub_sites_publication_page_holds_the_detail_query_budget(
    client, themed_sub_site, django_assert_max_num_queries
):
    publication = Publication.objects.filter(type="report").first()

    with django_assert_max_num_queries(10):
        response = client.get(f"/sites/asean/publications/{publication.slug}/")

    assert response.status_code == 200
    assert len(response.context["related"]) == 3


def test_a_sub_sites_member_and_country_pages_hold_their_query_budget(
    client, themed_sub_site, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        member_page = client.get("/sites/asean/members/insec/")
    with django_assert_max_num_queries(8):
        country_page = client.get("/sites/asean/countries/th/")

    assert len(member_page.context["page_obj"]) == len(country_page.context["page_obj"]) == 10


def test_a_sub_sites_themes_and_countries_narrow_its_list_to_what_matches_both(client):
    sub_site = SubSiteFactory(slug="mekong")
    both = PublicationFactory(tags=["Dams"], countries=[country("KH")])
    sub_site.themes.add(*both.tags.all())
    sub_site.countries.add(country("KH"), country("TH"))
    PublicationFactory(tags=["Dams"], countries=[country("NP")])
    PublicationFactory(tags=["Elections"], countries=[country("TH")])

    shown = client.get("/sites/mekong/publications/").context["publications"]

    assert list(shown) == [both]


def test_a_sub_site_without_criteria_lists_its_picks_only(client):
    sub_site = SubSiteFactory(slug="picks")
    picked = PublicationFactory()
    PickFactory(sub_site=sub_site, publication=picked)
    PublicationFactory()

    assert list(client.get("/sites/picks/publications/").context["publications"]) == [picked]
