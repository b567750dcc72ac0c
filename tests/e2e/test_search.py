"""A visitor searches from the header, sees highlighted results and opens one, in Chromium."""

import io

import pytest
from django.db import connection

from publications.models import Publication
from tests.factories import MemberOrganisationFactory, PublicationFactory, country

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_searches_from_the_header_sees_highlights_and_opens_a_result(
    page, live_server, csp_violations, third_party_requests
):
    member = MemberOrganisationFactory(name="Sample Detention Watch", country=country("KH"))
    wanted = PublicationFactory(
        title="Arbitrary detention of land defenders must end",
        standfirst="Sample: the network calls for the release of detained land defenders.",
        countries=[country("KH")],
        signatories=[member],
    )
    PublicationFactory(title="Elections without observers", standfirst="Sample summary.")

    page.goto(live_server.url + "/")
    page.get_by_label("Search the site").fill("detention")
    page.get_by_label("Search the site").press("Enter")

    page.wait_for_url("**/search/?q=detention")
    results = page.locator(".search-result")
    assert results.count() == 1
    assert results.first.locator("mark").first.inner_text().lower() == "detention"
    assert page.get_by_role("link", name="Sample Detention Watch").is_visible()
    # One search box on the search page: its own, holding the words searched for.
    assert page.get_by_role("searchbox").count() == 1
    assert page.locator("#search-q").input_value() == "detention"

    results.first.get_by_role("link").click()
    assert page.locator("h1").inner_text() == wanted.title
    # The page's JSON-LD is a data block: the CSP (no inline script) must not complain.
    assert page.locator('script[type="application/ld+json"]').count() == 1
    assert csp_violations == []
    assert third_party_requests == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Typo tolerance needs pg_trgm")
def test_a_misspelt_country_still_finds_its_publications(page, live_server):
    PublicationFactory(title="Land defenders on trial", countries=[country("KH")])

    page.goto(live_server.url + "/search/?q=Cambodja")

    assert page.get_by_text("Showing results for").is_visible()
    assert page.locator(".search-result").count() == 1


def test_home_and_search_with_demo_content_look_right(
    page, live_server, csp_violations, third_party_requests, screenshot
):
    from members import demo as members_demo
    from publications import demo as publications_demo

    members_demo.load(stdout=io.StringIO())
    publications_demo.load(stdout=io.StringIO())
    assert Publication.objects.published().filter(countries__code="KH").exists()

    page.goto(live_server.url + "/")
    assert page.locator(".home-lead h2").is_visible()
    assert page.locator(".network-map svg").count() == 1
    screenshot("home")

    page.goto(live_server.url + "/search/?q=Cambodia")
    assert page.locator(".search-result mark").count() > 0
    screenshot("search")

    page.goto(live_server.url + "/search/?q=")
    screenshot("search-empty")
    page.goto(live_server.url + "/about/")
    assert page.locator("h1").inner_text() == "About us"
    screenshot("about")
    assert csp_violations == []
    assert third_party_requests == []
