"""Browser journeys in Debian's Chromium, driven by pytest-playwright.

Every module marks itself `django_db(transaction=True)`: the live server needs committed data.
The flush after each such test also empties what data migrations created; `migration_data`
(tests/conftest.py) puts it back with the migrations' own (idempotent) functions.

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
    """Every request the page makes to a host other than the live server and the configured
    media origin (object storage or its CDN: the site's own files, on another host)."""
    from django.conf import settings

    site = urlsplit(live_server.url).netloc
    seen = []

    def record(request):
        parts = urlsplit(request.url)
        ours = {site, urlsplit(settings.MEDIA_ORIGIN).netloc} - {""}
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc not in ours:
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


@pytest.fixture(autouse=True)
def _migration_data(migration_data):
    """Every journey starts with what the data migrations made (tests/conftest.py)."""


@pytest.fixture
def csp_violations(page):
    """Console messages about Content-Security-Policy violations on the page."""
    seen = []

    def record(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", record)
    return seen


@pytest.fixture(autouse=True)
def serve_media(settings, media_root):
    """Uploaded files, served to the browser from the test's MEDIA_ROOT by the app itself
    (DJANGO_SERVE_MEDIA, forumasia/media.py), as on a small install without a web server for
    /media/; the live server would serve nothing there otherwise."""
    settings.SERVE_MEDIA = True


@pytest.fixture
def editor_page(page, live_server):
    """An editor logged in, on a new publication with some body text."""
    from tests.e2e.editor_session import open_new_publication

    return open_new_publication(
        page, live_server, "The network calls for the release of the defenders."
    )


@pytest.fixture
def publisher_page(page, live_server):
    """A publisher logged in, on a new publication with some body text."""
    from tests.e2e.editor_session import open_new_publication

    return open_new_publication(
        page, live_server, "The network calls for the release of the defenders.", "Publishers"
    )
