"""Browser journeys in Debian's Chromium, driven by pytest-playwright.

No browser is ever downloaded: we point Playwright at the system `chromium`. Without one the
journeys skip with a reason, unless REQUIRE_BROWSER=1 (CI), when a missing browser fails.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Stops Chromium's own background look-ups of Google hosts; the site must make none.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def pytest_collection_modifyitems(config, items):
    # With REQUIRE_BROWSER=1 nothing is skipped: the launch fixture below fails instead.
    if CHROMIUM or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason="No chromium on PATH (apt-get install -y chromium)")
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        pytest.fail("REQUIRE_BROWSER=1 but no chromium on PATH")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def third_party_requests(page, live_server):
    """Every request the page makes to a host other than the live server."""
    ours = urlsplit(live_server.url).netloc
    seen = []

    def record(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != ours:
            seen.append(request.url)

    page.on("request", record)
    return seen


@pytest.fixture
def screenshot(page, tmp_path):
    """Save full-page screenshots at phone and desktop widths; returns the paths."""

    def take(name):
        paths = []
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            path = tmp_path / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            if os.environ.get("SCREENSHOT_DIR"):
                shutil.copy(path, os.path.join(os.environ["SCREENSHOT_DIR"], path.name))
            paths.append(path)
        return paths

    return take
