"""A fresh install with debug off (the live server's settings) and the demo content, as a
visitor's browser sees it: every image shows, nothing the pages ask for fails, and the console
stays clean (what Lighthouse's "Browser errors were logged to the console" and broken-image
audits look at), on the pages a visitor reaches first."""

import io

import pytest
from django.core.management import call_command

from members.models import MemberOrganisation
from publications.models import Publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_pages_show_every_image_and_log_nothing_to_the_console(page, live_server):
    call_command("load_demo", stdout=io.StringIO())
    with_image = Publication.objects.published().exclude(featured_image="").first()
    member = MemberOrganisation.objects.exclude(logo="").filter(is_active=True).first()
    paths = [
        "/",
        "/publications/",
        with_image.get_absolute_url(),
        "/members/",
        member.get_absolute_url(),
        "/search/?q=Cambodia",
        "/newsletter/",
        "/no-such-page/",
    ]
    logged, failed = [], []
    page.on(
        "console",
        lambda message: message.type in ("error", "warning") and logged.append(message.text),
    )
    page.on("pageerror", lambda error: logged.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/no-such-page/")
            and failed.append(f"{response.status} {response.url}")
        ),
    )
    page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))

    for path in paths:
        page.goto(live_server.url + path)
        # Lazy images load as a visitor scrolls to them; ask for all of them at once.
        page.evaluate(
            "() => document.querySelectorAll('img[loading=lazy]')"
            ".forEach(img => { img.loading = 'eager'; })"
        )
        page.wait_for_load_state("networkidle")
        images = page.eval_on_selector_all(
            "img",
            "images => images.map(img => [img.currentSrc || img.src, img.complete, "
            "img.naturalWidth])",
        )
        broken = [src for src, complete, width in images if not complete or width == 0]
        assert broken == [], path
        if path == with_image.get_absolute_url():
            assert any("/files/publications/" in src for src, _, _ in images)

    # The 404 page is answered with its status, which Chromium logs as a failed resource; that
    # one line is the page's own status, not a fault.
    logged = [line for line in logged if "404" not in line]
    assert logged == []
    assert failed == []
