"""An editor adds images to a body in real Chromium: pasted, dropped, and from the Image dialog.

Every image goes to the project's own upload view under the admin's Content-Security-Policy,
with the CSRF token, and is stored without EXIF or GPS. Word text still pastes.
"""

import base64
import io
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image

from publications.models import Publication
from tests.e2e.editor_session import (
    GPS_IFD,
    SEND_FILE,
    photo_with_gps,
    wait_for_uploaded_images,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY = "iframe.cke_wysiwyg_frame"

PASTE_HTML = """(html) => {
    const frame = document.querySelector("iframe.cke_wysiwyg_frame");
    const win = frame.contentWindow, doc = frame.contentDocument;
    const transfer = new win.DataTransfer();
    transfer.setData("text/html", html);
    transfer.setData("text/plain", "Joint statement on civic space");
    doc.body.focus();
    doc.body.dispatchEvent(
        new win.ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true})
    );
}"""

WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">
<style>p.MsoNormal {margin:0cm; font-family:"Calibri",sans-serif;}</style></head>
<body lang=EN-GB style='tab-interval:36.0pt'><!--StartFragment-->
<p class=MsoNormal><b><span style='font-size:14.0pt'>Joint statement</span></b> on civic
space<o:p></o:p></p>
<p class=MsoListParagraph style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>
<span style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;</span></span>
<![endif]>Release the defenders<o:p></o:p></p>
<!--EndFragment--></body></html>"""


def stored_without_metadata(media_root, url):
    data = (media_root / urlsplit(url).path.removeprefix("/media/")).read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert len(exif) == 0 and not exif.get_ifd(GPS_IFD) and "exif" not in image.info
    assert b"PhoneMaker" not in data and b"Exif" not in data
    return data


@pytest.fixture
def console(page):
    """Every console message and page error, as text."""
    seen = []
    page.on("console", lambda message: seen.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


@pytest.fixture
def uploads(page):
    """Each request to the upload view: its CSRF header and its answer."""
    seen = []

    def record(response):
        if urlsplit(response.url).path.startswith("/ckeditor/"):
            seen.append(
                {
                    "url": response.url,
                    "csrf": response.request.headers.get("x-csrftoken"),
                    "status": response.status,
                    "type": response.headers.get("content-type"),
                }
            )

    page.on("response", record)
    return seen


def body_images(page):
    return page.frame_locator(BODY).locator("img")


def test_pasted_and_dropped_photos_upload_stripped_and_appear_in_the_body(
    editor_page, media_root, console, uploads, csp_violations, live_server, screenshot
):
    page = editor_page

    pasted = photo_with_gps("#8a1c2b")
    page.evaluate(
        SEND_FILE, ["paste", "pasted.jpg", "image/jpeg", base64.b64encode(pasted).decode()]
    )
    wait_for_uploaded_images(page, 1)
    dropped = photo_with_gps("#0b5d6b")
    page.evaluate(
        SEND_FILE, ["drop", "march.jpg", "image/jpeg", base64.b64encode(dropped).decode()]
    )
    wait_for_uploaded_images(page, 2)

    sources = [img.get_attribute("src") for img in body_images(page).all()]
    assert all(re.fullmatch(r"/media/uploads/[0-9a-f]{32}\.jpg", src) for src in sources)
    for src in sources:
        stored_without_metadata(media_root, src)
    assert len(uploads) == 2
    assert all(
        u["csrf"] and u["status"] == 200 and u["type"] == "application/json" for u in uploads
    )
    assert all(urlsplit(u["url"]).path == "/ckeditor/upload/" for u in uploads)
    screenshot("editor-pasted-images")

    # The images are kept in the saved body.
    page.fill("#id_title", "Release the defenders")
    page.locator("button[value=draft]").first.click()
    assert "is saved: Draft" in page.locator(".messagelist").inner_text()
    body = Publication.objects.get().body
    assert all(f'src="{src}"' in body for src in sources)

    assert csp_violations == []
    assert not [line for line in console if "clipboard-image-handling-disabled" in line]
    assert not [line for line in console if line.startswith(("error", "pageerror"))]


def test_image_dialog_upload_tab_uploads_by_xhr_and_inserts_the_image(
    editor_page, media_root, console, uploads, csp_violations
):
    page = editor_page
    path = media_root.parent / "dialog.jpg"
    path.write_bytes(photo_with_gps("#eeeeee"))

    page.locator("a.cke_button__image").click()
    dialog = page.locator(".cke_dialog_body")
    dialog.get_by_role("tab", name="Upload").click()
    page.frame_locator("iframe.cke_dialog_ui_input_file").locator(
        "input[type=file]"
    ).set_input_files(path)
    dialog.get_by_role("button", name=re.compile("Send it to the Server", re.I)).click()
    page.wait_for_function(
        "() => CKEDITOR.dialog.getCurrent().getValueOf('info', 'txtUrl').startsWith('/media/')",
        timeout=15_000,
    )
    dialog.locator("input.cke_dialog_ui_input_text").nth(1).fill("Marchers at dusk")
    dialog.get_by_role("button", name="OK").click()
    wait_for_uploaded_images(page, 1)

    src = body_images(page).first.get_attribute("src")
    stored_without_metadata(media_root, src)
    assert [(u["status"], u["type"]) for u in uploads] == [(200, "application/json")]
    assert uploads[0]["csrf"]
    assert csp_violations == []
    assert not [line for line in console if line.startswith(("error", "pageerror"))]


def test_a_refused_paste_tells_the_editor_why_and_adds_nothing(
    editor_page, uploads, csp_violations
):
    page = editor_page
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

    page.evaluate(SEND_FILE, ["paste", "logo.png", "image/png", base64.b64encode(svg).decode()])

    notice = page.locator(".cke_notification_warning")
    notice.wait_for(timeout=15_000)
    assert "not an image we can read" in notice.inner_text()
    assert body_images(page).count() == 0
    assert [u["status"] for u in uploads] == [200]
    assert csp_violations == []


def test_text_pasted_from_word_still_pastes_cleaned(editor_page, console, csp_violations):
    page = editor_page

    page.evaluate(PASTE_HTML, WORD_HTML)
    page.wait_for_function(
        "() => CKEDITOR.instances.id_body.getData().includes('Release the defenders')",
        timeout=15_000,
    )

    data = page.evaluate("() => CKEDITOR.instances.id_body.getData()")
    assert "<strong>Joint statement</strong>" in data
    assert "Mso" not in data and "mso-" not in data and "o:p" not in data
    assert csp_violations == []
    assert not [line for line in console if line.startswith(("error", "pageerror"))]
