"""What a visitor sees of a sub-site in a real browser: its name and logo, its accent colour on
its links (from its own stylesheet, with no CSP violation), the archive banner, and the main
site's "Explore our sub-sites"; no accessibility violation (axe-core), at phone and desktop
widths (screenshots: SCREENSHOT_DIR=... keeps them)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile

from subsites import demo
from tests.factories import (
    MailingListFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ACCENT = "#1d4e89"
ACCENT_RGB = "rgb(29, 78, 137)"


@pytest.fixture
def asean(settings, live_server):
    # Sub-sites' addresses are absolute, on SITE_URL: the live server's here.
    settings.SITE_URL = live_server.url
    sub_site = SubSiteFactory(
        name="ASEAN advocacy",
        short_name="ASEAN",
        slug="asean",
        accent_colour=ACCENT,
        introduction="<p>The network's advocacy towards ASEAN and its member states.</p>",
        mailing_list=MailingListFactory(name="ASEAN advocacy updates", slug="asean-advocacy"),
        publication_types=["statement"],
        logo=ContentFile(demo.sample_logo(), name="asean.png"),
    )
    sub_site.countries.set([country("KH"), country("TH")])
    for n in range(4):
        PublicationFactory(title=f"Statement on Cambodia {n}", countries=[country("KH")])
    pinned = PublicationFactory(title="A report on the region", type="report")
    PickFactory(sub_site=sub_site, publication=pinned, is_pinned=True)
    PublicationFactory(title="Statement on Nepal", countries=[country("NP")])
    return sub_site


def no_accessibility_violations(page):
    violations = Axe().run(page).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def test_a_sub_sites_home_shows_its_name_colour_and_stream(
    page, live_server, asean, csp_violations, third_party_requests, screenshot
):
    response = page.goto(live_server.url + "/sites/asean/")

    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "ASEAN advocacy"
    assert page.get_by_role("link", name="Part of FORUM-ASIA").is_visible()
    logo = page.get_by_role("banner").get_by_role("img", name="ASEAN advocacy")
    assert logo.evaluate("img => img.complete && img.naturalWidth") > 0
    statements = page.get_by_role("navigation", name="Main").get_by_role("link", name="Statements")
    assert statements.get_attribute("href") == "/sites/asean/statements/"
    # The accent colour, from /sites/asean/accent.css, on a link and a button.
    all_publications = page.get_by_role("link", name="All publications")
    assert all_publications.evaluate("el => getComputedStyle(el).color") == ACCENT_RGB
    subscribe = page.locator("main").get_by_role("button", name="Subscribe")
    assert subscribe.evaluate("el => getComputedStyle(el).backgroundColor") == ACCENT_RGB
    cards = page.locator("main .pub-card h3").all_inner_texts()
    assert cards[0] == "A report on the region"  # pinned first
    assert "Statement on Nepal" not in cards
    assert csp_violations == []
    assert third_party_requests == []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_accessibility_violations(page) == [], width
    screenshot("sub-site-home")


def test_its_sign_up_leads_to_the_full_form_with_its_list_ticked(page, live_server, asean):
    page.goto(live_server.url + "/sites/asean/")

    form = page.locator("main form.newsletter-form")
    form.get_by_label("Email address").fill("reader@example.org")
    form.get_by_role("button", name="Subscribe").click()

    assert page.get_by_role("checkbox", name="ASEAN advocacy updates").is_checked()


def test_an_archived_sub_site_says_so(page, live_server, asean, screenshot):
    asean.is_archived = True
    asean.save()

    page.goto(live_server.url + "/sites/asean/publications/")

    assert page.get_by_text(
        "This campaign has ended; its pages are kept as an archive."
    ).is_visible()
    assert page.locator("form.newsletter-form").count() == 0
    screenshot("sub-site-archived")


def test_the_main_home_invites_readers_to_its_sub_sites(
    page, live_server, asean, csp_violations, screenshot
):
    page.goto(live_server.url + "/")

    section = page.get_by_role("region", name="Explore our sub-sites")
    section.get_by_role("link", name="ASEAN advocacy").click()

    assert page.url == live_server.url + "/sites/asean/"
    assert csp_violations == []
    page.goto(live_server.url + "/")
    page.get_by_role("heading", name="Explore our sub-sites").scroll_into_view_if_needed()
    screenshot("home-sub-sites")
