"""The language switcher in Chromium: on every page, reached and followed with the keyboard
alone, fitting at phone and desktop widths, without accessibility violations in Thai and
Indonesian; the choice lives in the address only (no cookie)."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import PublicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_a_reader_switches_language_with_the_keyboard_and_no_cookie_is_set(
    page, live_server, width, screenshot
):
    publication = PublicationFactory(title="Joint statement on land defenders")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + publication.get_absolute_url())

    switcher = page.locator(".language-switcher a")
    assert switcher.all_inner_texts() == ["English", "ไทย", "Bahasa Indonesia"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for _ in range(40):  # Tab from the top of the page until the Thai link has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('hreflang')") == "th":
            break
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/th{publication.get_absolute_url()}")

    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator('.language-switcher a[aria-current="true"]').inner_text() == "ไทย"
    assert page.context.cookies() == []
    screenshot(f"language-switcher-{width}")


@pytest.mark.parametrize("path", ["/th/", "/id/publications/"])
def test_thai_and_indonesian_pages_have_no_accessibility_violations(page, live_server, path):
    PublicationFactory()
    page.goto(live_server.url + path)

    assert [violation["id"] for violation in Axe().run(page).response["violations"]] == []
