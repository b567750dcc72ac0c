"""The admin's change forms fit a 1280 px desktop and a 390 px phone without scrolling sideways,
in real Chromium: the publication form with signatories, attachments and gallery rows, the
member form and the editorial page form. A wide inline table may scroll inside its own box;
the page itself never does."""

import pytest

from pages.models import Page
from tests.e2e.editor_session import PASSWORD, log_in_as_editor, wait_for_editor
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MemberOrganisationFactory,
    PublicationFactory,
    SuperUserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 1280]
# Elements wider than the viewport's right edge, outside any box that scrolls them itself.
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (element) => {
        for (let node = element.parentElement; node; node = node.parentElement) {
            const overflow = getComputedStyle(node).overflowX;
            if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") return true;
        }
        return false;
    };
    return [...document.body.querySelectorAll("*")]
        .filter((element) => element.getBoundingClientRect().right > width + 1)
        .filter((element) => !scrolls(element))
        .map((element) => element.tagName.toLowerCase() + "." + element.className)
        .slice(0, 10);
}"""


@pytest.fixture
def statement_with_everything():
    publication = PublicationFactory(
        title="Joint statement on the arbitrary detention of land defenders in the provinces",
        type="story",
        # A draft: an Editor may change it (a released item is read-only to Editors).
        status="draft",
        signatories=[
            MemberOrganisationFactory(name="Informal Sector Service Centre (INSEC), Nepal"),
            MemberOrganisationFactory(name="Cambodian League for the Promotion and Defense"),
        ],
    )
    AttachmentFactory(
        publication=publication, title="Full report: land conflicts and detention, 2025"
    )
    GalleryImageFactory(publication=publication, caption="Defenders outside the court")
    return publication


# Editors whose box runs past the form row that clips it (their right border cut off).
CLIPPED_EDITORS = """() => [...document.querySelectorAll(".cke_chrome")]
    .filter((editor) => editor.getBoundingClientRect().right
        > editor.closest(".form-row").getBoundingClientRect().right + 0.5)
    .map((editor) => editor.id)"""


def sideways_scroll(page):
    """At each width: the page's scroll width against the window's, what runs past the right
    edge outside a scrolling box, and editors cut off by their row. Empty when it all fits."""
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll_width, inner_width = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        found = {
            "wider than the window": scroll_width > inner_width,
            "past the right edge": page.evaluate(OVERFLOWING),
            "editors cut off": page.evaluate(CLIPPED_EDITORS),
        }
        if any(found.values()):
            problems[width] = found
    return problems


def test_the_publication_change_form_with_every_inline_fits(
    page, live_server, statement_with_everything, screenshot
):
    log_in_as_editor(page, live_server)
    page.goto(
        f"{live_server.url}/admin/publications/publication/{statement_with_everything.pk}/change/"
    )
    wait_for_editor(page)

    assert sideways_scroll(page) == {}
    # On a phone the signatories' order and delete boxes are in view, not scrolled away.
    page.set_viewport_size({"width": 390, "height": 900})
    assert page.locator("#signatures-group").evaluate("g => g.scrollWidth <= g.clientWidth")
    screenshot("admin-publication-change")


def test_the_publication_add_form_with_a_new_row_in_every_inline_fits(page, live_server):
    log_in_as_editor(page, live_server)
    page.goto(f"{live_server.url}/admin/publications/publication/add/")
    wait_for_editor(page)
    for link in page.locator(".add-row a").all():
        link.click()

    assert page.locator(".dynamic-signatures, .dynamic-attachments").count() == 2
    assert sideways_scroll(page) == {}


def log_in_as_superuser(page, live_server):
    SuperUserFactory(username="chief")
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_the_member_change_form_fits(page, live_server, screenshot):
    member = MemberOrganisationFactory(name="Informal Sector Service Centre")
    log_in_as_superuser(page, live_server)
    page.goto(f"{live_server.url}/admin/members/memberorganisation/{member.pk}/change/")

    assert sideways_scroll(page) == {}
    screenshot("admin-member-change")


def test_the_editorial_page_form_fits(page, live_server, screenshot):
    log_in_as_superuser(page, live_server)
    about = Page.objects.get(path="/about/")
    page.goto(f"{live_server.url}/admin/pages/page/{about.pk}/change/")
    wait_for_editor(page)

    assert sideways_scroll(page) == {}
    screenshot("admin-editorial-page")
