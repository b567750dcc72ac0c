import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_and_makes_no_third_party_request(
    page, live_server, third_party_requests, screenshot
):
    response = page.goto(live_server.url + "/")

    assert response.status == 200
    assert page.locator("h1").first.is_visible()
    assert page.get_by_role("navigation", name="Main").is_visible()
    shots = screenshot("home")
    assert all(path.stat().st_size > 10_000 for path in shots)
    assert third_party_requests == []


def test_skip_link_moves_focus_to_main_content(page, live_server):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
