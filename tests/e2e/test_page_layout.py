"""What a visitor sees at phone and desktop widths, in Chromium: a main nav that fits and shows a
whole focus ring, a publication whose headline and body share a left edge, one search box on
the search page, numbered pages, gallery images that open at their largest size."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.base import ContentFile

from publications.services import refresh_featured_renditions, refresh_gallery_renditions
from tests.factories import GalleryImageFactory, MemberOrganisationFactory, PublicationFactory
from tests.publications.conftest import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]

# The elements between `element` and the page that cut off what overflows them (a focus ring
# drawn outside a link is cut off by a scrolling list around it).
CLIPPING_ANCESTORS = """element => {
    const clipping = [];
    for (let node = element.parentElement; node; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.overflowX !== "visible" || style.overflowY !== "visible") {
            clipping.push(node.tagName + "." + node.className);
        }
    }
    return clipping;
}"""
BOX = "element => { const r = element.getBoundingClientRect(); return [r.left, r.right]; }"


def accessibility_violations(page):
    return [violation["id"] for violation in Axe().run(page).response["violations"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_nav_fits_the_screen_and_every_item_shows_a_whole_focus_ring(
    page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/publications/")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    links = page.locator(".site-nav a")
    assert links.count() == 7
    for index in range(links.count()):
        link = links.nth(index)
        link.focus()
        left, right = link.evaluate(BOX)
        assert left >= 0 and right <= width, link.inner_text()
        assert link.evaluate(CLIPPING_ANCESTORS) == [], link.inner_text()
        assert link.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"


@pytest.fixture
def statement_with_image():
    publication = PublicationFactory(
        title="Joint statement on the arbitrary detention of land defenders",
        body="<p>We, the undersigned organisations, call for their release.</p>",
        signatories=[MemberOrganisationFactory()],
    )
    publication.featured_image.save("hero.jpg", ContentFile(image_bytes(size=(1200, 675))))
    publication.featured_image_alt = "Defenders outside the court"
    publication.save()
    refresh_featured_renditions(publication)
    return publication


@pytest.mark.parametrize("width", WIDTHS)
def test_a_statement_s_headline_image_and_body_share_a_left_edge(
    page, live_server, statement_with_image, width, screenshot
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + statement_with_image.get_absolute_url())

    edges = {
        selector: page.locator(selector).evaluate(BOX)[0]
        for selector in (".pub-header h1", ".pub-hero-image", ".pub-body")
    }
    assert max(edges.values()) - min(edges.values()) < 1, edges
    screenshot("statement")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_search_page_shows_one_search_box_holding_the_words(page, live_server, width):
    PublicationFactory(title="Detention of defenders")
    page.set_viewport_size({"width": width, "height": 900})

    page.goto(live_server.url + "/search/?q=detention")

    boxes = page.get_by_role("searchbox")
    assert boxes.count() == 1
    assert boxes.first.input_value() == "detention"


def test_numbered_pages_lead_to_their_page_and_mark_it_current(page, live_server):
    for number in range(45):
        PublicationFactory(title=f"Sample statement {number:02d}")
    page.goto(live_server.url + "/publications/")

    page.locator(".pagination").get_by_role("link", name="Page 3").click()

    page.wait_for_url("**/publications/?page=3")
    assert page.locator('.pagination [aria-current="page"]').inner_text() == "3"
    assert page.locator(".pub-card").count() == 5
    assert accessibility_violations(page) == []


def test_a_gallery_image_opens_at_its_largest_size(page, live_server, third_party_requests):
    story = PublicationFactory(type="story", title="Voices from the vigil")
    image = GalleryImageFactory(
        publication=story, image=ContentFile(image_bytes(size=(1200, 900)), name="vigil.jpg")
    )
    refresh_gallery_renditions(image)
    largest = image.renditions[-1]

    page.goto(live_server.url + story.get_absolute_url())
    assert accessibility_violations(page) == []
    page.locator(".gallery a").first.click()

    page.wait_for_url(f"**/{largest['jpeg']}")
    assert page.evaluate("document.images[0].naturalWidth") == largest["width"] == 1200
    assert third_party_requests == []
