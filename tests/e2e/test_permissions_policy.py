"""Chromium applies the Permissions-Policy as written (no feature it does not know)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAYER = "https://www.youtube-nocookie.com"


def test_chromium_understands_the_policy_and_denies_what_pages_never_use(page, live_server):
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    page.goto(live_server.url + "/")

    def allows(feature, origin=None):
        args = f"'{feature}'" + (f", '{origin}'" if origin else "")
        return page.evaluate(f"document.featurePolicy.allowsFeature({args})")

    assert [m for m in messages if "ermissions" in m and "olicy" in m] == []
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert allows(feature) is False, feature
    for feature in ("autoplay", "fullscreen", "encrypted-media", "picture-in-picture"):
        assert allows(feature) is True, feature
        assert allows(feature, PLAYER) is True, feature
        assert allows(feature, "https://tracker.example") is False, feature
