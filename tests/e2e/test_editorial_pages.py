"""Editorial pages in real Chromium: an editor writes a page under About us (with an image, its
GPS position removed) and submits it; until a publisher publishes it, visitors get a 404 and the
editor a marked preview; the publisher finds it waiting on the admin's home and publishes it;
a visitor reads it, with no request to another host. Screenshots of the page at 390 and
1280 px (SCREENSHOT_DIR keeps them)."""

import pytest

from pages.models import Page
from tests.e2e.editor_session import photo_with_gps
from tests.e2e.test_editorial_workflow import message, signed_in, type_in_body
from tests.factories import editor, publisher

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "/about/our-history/"


def test_an_editor_writes_a_page_a_publisher_publishes_it_and_a_visitor_reads_it(
    browser, live_server, page, third_party_requests, screenshot
):
    writer = signed_in(browser, live_server, editor(username="writer"))
    writer.goto(live_server.url + "/admin/pages/page/add/")
    writer.fill("#id_title", "Our history")
    writer.fill("#id_path", ADDRESS)
    writer.click("#id_parent + .select2 .select2-selection")
    writer.keyboard.type("About")
    writer.click(".select2-results__option:has-text('About us')")
    writer.fill("#id_introduction", "From a meeting of a few organisations to a network.")
    type_in_body(writer, "The network began in Bangkok in 1991.")
    writer.set_input_files(
        "#id_hero_image",
        files=[{"name": "meeting.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps("teal")}],
    )
    writer.fill("#id_hero_image_alt", "Members at the network's first meeting")
    writer.click("button[value=review] >> nth=-1")
    assert "is saved: In review" in message(writer)
    assert page.goto(live_server.url + ADDRESS).status == 404
    writer.goto(live_server.url + ADDRESS)
    assert "Preview — not public: In review" in writer.locator(".preview-banner").inner_text()

    reviewer = signed_in(browser, live_server, publisher(username="reviewer"))
    reviewer.locator("#waiting-for-review").get_by_role("link", name="Our history").click()
    reviewer.click("button[value=publish] >> nth=-1")
    assert "is saved: Published" in message(reviewer)

    response = page.goto(live_server.url + ADDRESS)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Our history"
    assert page.locator(".page-hero__eyebrow a").text_content() == "About us"
    assert "began in Bangkok" in page.locator(".prose").inner_text()
    image = page.locator(".page-image img")
    assert image.get_attribute("alt") == "Members at the network's first meeting"
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert not page.locator(".preview-banner").count()
    assert third_party_requests == []
    assert Page.objects.get(path=ADDRESS).created_by.username == "writer"
    screenshot("editorial-page")
