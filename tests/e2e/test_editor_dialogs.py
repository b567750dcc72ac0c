"""CKEditor's Format list, Link dialog and Image dialog under the admin's Content-Security-Policy
(script-src 'self': no inline handlers, no javascript: URLs, no eval), in real Chromium.

CKEditor 4 writes its UI with inline handlers; forumasia/static/forumasia/ckeditor-csp.js
maps them to listeners. Nothing may be refused by the policy while an editor uses the toolbar,
and no inline handler may be left in any document of the editor (a handler nobody triggered in
this test would be refused the first time an editor does).
"""

import pytest

from tests.e2e.editor_session import CSPReports, open_new_publication

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = "iframe.cke_wysiwyg_frame"

# Attributes a browser would run as script: inline handlers and javascript: frame sources.
INLINE_SCRIPT = """() => [...document.querySelectorAll("*")].flatMap((element) =>
    [...element.attributes]
        .filter((a) => /^on/i.test(a.name)
            || (a.name === "src" && /^\\s*javascript:/i.test(a.value)))
        .map((a) => `${element.tagName.toLowerCase()}[${a.name}=${a.value}]`)
)"""


def inline_script_in_frames(page):
    return {
        frame.url or frame.name: found
        for frame in page.frames
        if (found := frame.evaluate(INLINE_SCRIPT))
    }


def editor_data(page):
    return page.evaluate("() => CKEDITOR.instances.id_body.getData()")


@pytest.fixture
def reports(page):
    return CSPReports(page)


@pytest.fixture
def editor(page, live_server, reports):
    return open_new_publication(page, live_server, "Defenders at risk")


def test_format_list_link_and_image_dialogs_run_without_a_csp_violation(editor, reports):
    page = editor
    dialog = page.locator(".cke_dialog_body").filter(visible=True)

    page.locator(".cke_combo__format a.cke_combo_button").click()
    panel = page.frame_locator("iframe.cke_panel_frame")
    panel.get_by_text("Heading 2").hover()
    assert inline_script_in_frames(page) == {}
    panel.get_by_text("Heading 2").click()
    assert editor_data(page).startswith("<h2>Defenders at risk</h2>")
    # The panel's frame told the editor it had loaded (its body's onload, mapped).
    assert page.evaluate(
        "() => CKEDITOR.instances.id_body.ui.instances.Format._.panel._.panel.isLoaded"
    )

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("Read the report")
    page.keyboard.press("Shift+Home")
    page.locator("a.cke_button__link").click()
    for tab in ("Target", "Advanced", "Link Info"):
        dialog.get_by_role("tab", name=tab).click()
    assert inline_script_in_frames(page) == {}
    dialog.get_by_role("textbox", name="URL", exact=True).filter(visible=True).fill(
        "https://example.org/report"
    )
    dialog.get_by_role("button", name="OK").click()
    assert '<a href="https://example.org/report">Read the report</a>' in editor_data(page)

    page.keyboard.press("End")
    page.locator("a.cke_button__image").click()
    dialog.get_by_role("tab", name="Upload").click()
    assert page.frame_locator("iframe.cke_dialog_ui_input_file").locator("input[type=file]")
    dialog.get_by_role("tab", name="Image Info").click()
    assert inline_script_in_frames(page) == {}
    dialog.get_by_role("textbox", name="URL", exact=True).filter(visible=True).fill(
        "/static/img/og-default.png"
    )
    dialog.get_by_role("textbox", name="Alternative Text").filter(visible=True).fill(
        "The network's logo"
    )
    dialog.locator("a.cke_btn_locked, a.cke_btn_unlocked").first.click()
    dialog.get_by_role("button", name="OK").click()
    assert '<img alt="The network\'s logo"' in editor_data(page)

    assert reports.none(), reports.all()


def test_closing_dialogs_and_panels_and_the_other_dialogs_run_without_a_csp_violation(
    editor, reports
):
    page = editor
    dialog = page.locator(".cke_dialog_body").filter(visible=True)

    page.locator(".cke_combo__format a.cke_combo_button").click()
    page.keyboard.press("Escape")
    page.locator("a.cke_button__link").click()
    dialog.locator("a.cke_dialog_close_button").click()
    page.locator("a.cke_button__image").click()
    dialog.get_by_role("button", name="Cancel").click()
    page.locator("a.cke_button__table").click()
    assert inline_script_in_frames(page) == {}
    dialog.get_by_role("button", name="OK").click()
    page.frame_locator(BODY).locator("td").first.click(button="right")
    page.locator("iframe.cke_panel_frame").filter(visible=True).wait_for()
    assert inline_script_in_frames(page) == {}
    page.keyboard.press("Escape")

    assert dialog.count() == 0
    assert "<table" in editor_data(page)
    assert reports.none(), reports.all()


def test_the_reports_do_see_a_refused_inline_handler(editor, reports):
    # The shim maps only CKEditor's own handlers; anything else is refused, and reported.
    editor.evaluate(
        """() => document.body.insertAdjacentHTML(
            "beforeend", '<img src="/static/img/favicon.svg" onload="window.ran = 1">'
        )"""
    )
    editor.wait_for_function("() => document.querySelector('img[onload]').complete")

    seen = reports.all()
    assert seen["events"] and seen["console"] and seen["issues"], seen
    assert editor.evaluate("() => window.ran") is None
