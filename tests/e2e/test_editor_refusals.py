"""What the body editor cannot publish is named to the editor, never dropped silently, in real
Chromium: a pasted player or form gets a warning in the editor; an image from another site
pasted into the text is refused at save by its address, and nothing the editor wrote is lost."""

import pytest

from publications.models import Publication
from tests.e2e.editor_session import CSPReports, open_new_publication
from tests.e2e.test_editor_uploads import PASTE_HTML, WORD_HTML

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PLAYER = "https://www.youtube.com/embed/aqz-KE-bpKQ"
OUTSIDE_IMAGE = "https://news.example.org/photo.jpg"


def body_html(page):
    return page.evaluate("() => CKEDITOR.instances.id_body.getData()")


def warnings(page):
    return page.locator(".cke_notification_warning").all_inner_texts()


@pytest.fixture
def editor(page, live_server):
    reports = CSPReports(page)
    open_new_publication(page, live_server, "The network calls for their release.")
    return page, reports


def test_a_pasted_player_and_form_are_named_in_a_warning_with_where_a_video_goes(
    editor, screenshot
):
    page, reports = editor

    page.evaluate(
        PASTE_HTML,
        f'<p>Watch the film</p><iframe src="{PLAYER}" width="560"></iframe>'
        '<form action="https://example.org/"><input name="email"></form><p>Sign up</p>',
    )
    page.locator(".cke_notification_warning").wait_for()

    assert warnings(page) == [
        f"Left out of the text: <iframe> from {PLAYER}, <form>, <input>. A YouTube, Vimeo or "
        "SoundCloud video or audio goes in the “video or audio link” field."
    ]
    assert "Watch the film" in body_html(page) and "iframe" not in body_html(page)
    screenshot("editor-paste-warning")
    # The warning shows the names as text: no frame or field was made from them.
    assert page.locator(".cke_notification iframe, .cke_notification input").count() == 0
    assert reports.none(), reports.all()


def test_html_typed_in_source_mode_is_named_when_the_editor_goes_back(editor):
    page, _ = editor

    page.locator("a.cke_button__source").click()
    page.locator("textarea.cke_source").fill(
        '<p>Text</p><script>alert(1)</script><svg><circle r="2"></circle></svg>'
    )
    page.locator("a.cke_button__source").click()
    page.locator(".cke_notification_warning").wait_for()

    assert warnings(page) == [
        "Left out of the text: <script>, <svg>. The site does not publish embeds, scripts or "
        "forms in a text."
    ]


def test_text_pasted_from_word_brings_no_warning(editor):
    page, _ = editor

    page.evaluate(PASTE_HTML, WORD_HTML)
    page.wait_for_function(
        "() => CKEDITOR.instances.id_body.getData().includes('Release the defenders')"
    )

    assert warnings(page) == []


def test_an_image_from_another_site_is_refused_at_save_by_its_address_and_nothing_is_lost(
    editor, screenshot
):
    page, _ = editor
    page.evaluate(PASTE_HTML, f'<p>Marchers <img src="{OUTSIDE_IMAGE}" alt="Marchers"></p>')
    page.wait_for_function(
        "(src) => CKEDITOR.instances.id_body.getData().includes(src)", arg=OUTSIDE_IMAGE
    )
    page.fill("#id_title", "Release the defenders")

    page.get_by_role("button", name="Save draft").first.click()

    error = page.locator(".field-body .errorlist")
    assert error.inner_text().startswith(f"Upload these images instead: {OUTSIDE_IMAGE}.")
    assert page.locator(".errornote").is_visible()
    assert not Publication.objects.exists()
    page.wait_for_function("() => CKEDITOR.instances.id_body.status === 'ready'")
    kept = body_html(page)
    assert "The network calls for their release." in kept and OUTSIDE_IMAGE in kept
    assert page.input_value("#id_title") == "Release the defenders"
    screenshot("editor-outside-image-refused")
