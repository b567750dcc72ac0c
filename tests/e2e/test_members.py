import pytest
from django.utils.text import slugify

from members.models import MemberOrganisation
from tests.factories import MemberOrganisationFactory, PublicationFactory, country

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network():
    for code, city, names in [
        ("NP", "Kathmandu", ["Informal Sector Service Centre", "Nepal Law Society"]),
        ("KH", "Phnom Penh", ["Cambodian Human Rights Action", "Khmer Legal Aid", "Mekong Watch"]),
        ("TH", "Bangkok", ["Thai Lawyers for Rights"]),
        ("SG", "Singapore", ["Think Centre Sample"]),
    ]:
        for name in names:
            MemberOrganisationFactory(
                name=name,
                slug=slugify(name),
                country=country(code),
                city=city,
                focus_areas="Civic space, Refugees",
            )
    PublicationFactory(
        title="Joint statement: release detained land-rights defenders",
        signatories=[MemberOrganisation.objects.get(slug="khmer-legal-aid")],
        countries=[country("KH")],
    )


def test_visitor_filters_the_directory_by_country_and_opens_a_member(
    page, live_server, network, third_party_requests, screenshot
):
    page.goto(live_server.url + "/members/")

    assert page.get_by_text("7 members in 4 countries").is_visible()
    assert page.locator(".network-map-svg a[href='/countries/kh/']").count() == 1
    screenshot("members")

    page.get_by_label("Country", exact=True).select_option("kh")
    page.get_by_role("button", name="Show members").click()

    page.wait_for_url("**/members/?**country=kh**")
    headings = page.locator(".country-group h2").all_inner_texts()
    assert headings == ["Cambodia"]
    assert page.locator(".member-card").count() == 3

    page.get_by_role("link", name="Khmer Legal Aid").click()

    page.wait_for_url("**/members/khmer-legal-aid/")
    assert page.locator("h1").inner_text() == "Khmer Legal Aid"
    assert page.get_by_role("link", name="Cambodia").first.is_visible()
    assert page.get_by_role(
        "link", name="Joint statement: release detained land-rights defenders"
    ).is_visible()
    screenshot("member")
    assert third_party_requests == []


def test_map_country_links_open_the_country_page(page, live_server, network, screenshot):
    page.goto(live_server.url + "/members/")

    page.locator(".network-map-svg a[href='/countries/np/'] path").first.click()

    page.wait_for_url("**/countries/np/")
    assert page.locator("h1").inner_text() == "Nepal"
    assert page.locator(".member-card").count() == 2
    screenshot("country")
