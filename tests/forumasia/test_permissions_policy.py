"""Every response switches off the browser features no page of ours uses (Permissions-Policy)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DENIED = [
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "interest-cohort",
    "browsing-topics",
    "display-capture",
]
PLAYERS = '(self "https://www.youtube-nocookie.com" "https://player.vimeo.com" "https://w.soundcloud.com")'


def policy(response):
    """{feature: allow-list} from the Permissions-Policy header."""
    features = {}
    for item in response["Permissions-Policy"].split(","):
        feature, _, allow = item.strip().partition("=")
        features[feature] = allow
    return features


def assert_restrictive(response):
    features = policy(response)
    assert {feature: features.get(feature) for feature in DENIED} == dict.fromkeys(DENIED, "()")
    # What a player the visitor chose to load needs, for our pages and those players only.
    for feature in ("autoplay", "encrypted-media", "fullscreen", "picture-in-picture"):
        assert features[feature] == PLAYERS


def test_public_pages_carry_the_policy(client):
    assert_restrictive(client.get("/"))
    assert_restrictive(client.get("/publications/"))


def test_cached_public_pages_carry_the_policy(client):
    client.get("/")

    assert_restrictive(client.get("/"))


def test_admin_pages_carry_the_policy(client, admin_client):
    assert_restrictive(client.get("/admin/login/"))
    assert_restrictive(admin_client.get("/admin/"))


def test_errors_and_redirects_carry_the_policy(client):
    assert_restrictive(client.get("/no-such-page/"))
    assert_restrictive(client.get("/admin/"))


def test_static_files_served_by_whitenoise_carry_the_policy(settings):
    # WhiteNoise reads its settings when the middleware is built: a fresh client builds it.
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get("/static/js/publications.js")

    assert response.status_code == 200
    assert response.__class__.__module__.startswith("whitenoise")
    assert_restrictive(response)
