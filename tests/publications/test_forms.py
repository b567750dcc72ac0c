"""publications/forms.py PublicationBodyMixin: a body whose cleaning would lose something is
refused with a message naming it, and what the editor wrote stays in the form; anything else
is saved exactly as nh3 cleans it, never with an image from another site."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia.sanitise import clean_html
from publications.admin import PublicationAdminForm
from publications.models import Publication
from tests.publications.test_admin import ADD, form_data

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
PUBLIC_PAGE = f"{SITE}/publications/release-the-detained-students/"


def refusal(response):
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["body"]
    return " ".join(form.errors["body"])


def test_a_pasted_player_is_refused_by_name_and_the_editor_is_sent_to_the_video_field(
    editor_client,
):
    body = '<p>Watch</p><iframe src="https://www.youtube.com/embed/aqz-KE-bpKQ"></iframe>'

    response = editor_client.post(ADD, form_data(body=body))

    message = refusal(response)
    assert message.startswith(
        "Embedded content cannot be published in the text: "
        "<iframe> from https://www.youtube.com/embed/aqz-KE-bpKQ."
    )
    assert "“video or audio link” field" in message
    assert not Publication.objects.exists()
    # Nothing the editor wrote is lost: the form comes back with the body as sent.
    assert response.context["adminform"].form["body"].value() == body
    assert "Embedded content cannot be published" in response.content.decode()


def test_each_image_from_another_site_is_named_and_nothing_is_saved(editor_client):
    body = (
        '<p><img src="https://cdn.example.org/a.jpg" alt="a"></p>'
        '<p><img src="/media/uploads/2025/05/ours.jpg" alt="ours">'
        '<img src="http://news.example.net/b.png" alt="b"></p>'
    )

    response = editor_client.post(ADD, form_data(body=body))

    assert refusal(response).startswith(
        "Upload these images instead: https://cdn.example.org/a.jpg, http://news.example.net/b.png."
    )
    assert not Publication.objects.exists()


def test_an_image_inlined_as_data_is_refused_with_how_to_upload_it(editor_client):
    body = '<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="chart"></p>'

    message = refusal(editor_client.post(ADD, form_data(body=body)))

    assert message.startswith("1 image is inside the text as data")
    assert "Upload tab" in message


def test_scripts_handlers_and_javascript_links_are_each_named(editor_client):
    body = (
        '<p onclick="steal()">Text <a href="javascript:alert(1)">here</a></p>'
        "<script>alert(1)</script><form><input name=q></form>"
    )

    message = refusal(editor_client.post(ADD, form_data(body=body)))

    assert "<script>, <form>, <input>" in message
    assert "Script attributes cannot be published in the text: onclick." in message
    assert "These addresses cannot be published: javascript:alert(1)." in message


def test_our_own_images_and_formatting_nh3_normalises_are_saved_cleaned(editor_client):
    body = (
        '<p class="MsoNormal" style="margin:0"><span lang="th">ข้อความ</span> '
        '<a href="https://example.org/report" target="_blank">report</a></p>'
        '<p><img style="width:640px" src="/media/uploads/2025/05/ours.jpg" alt="ours"></p>'
        f'<p><img src="{SITE}/media/uploads/abs.jpg" alt="absolute"></p>'
    )

    response = editor_client.post(ADD, form_data(body=body))

    assert response.status_code == 302
    assert Publication.objects.get().body == clean_html(body)


class Images(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.sources = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "img" and dict(attrs).get("src") is not None:
            self.sources.append(dict(attrs)["src"])


def served_from_our_media(src):
    """Where a browser on the public page fetches `src` from (control characters around it and
    tabs or newlines in it ignored, backslashes read as slashes), compared with MEDIA_URL."""
    address = "".join(src.strip("".join(map(chr, range(33)))).split("\t"))
    address = address.replace("\n", "").replace("\r", "").replace("\\", "/")
    fetched = urlsplit(urljoin(PUBLIC_PAGE, address))
    return f"{fetched.scheme}://{fetched.netloc}" == SITE and fetched.path.startswith("/media/")


FRAGMENTS = [
    "<p>",
    "</p>",
    "<strong>",
    "</strong>",
    '<span style="color:red" class="Mso">',
    "</span>",
    "<div>",
    "</div>",
    "<table><tr><td>",
    "</td></tr></table>",
    '<a href="https://example.org/x">',
    '<a href="javascript:alert(1)">',
    '<a href="&#106;avascript:x">',
    '<a href="/publications/x/">',
    "</a>",
    '<img src="/media/uploads/a.jpg" alt="a">',
    f'<img src="{SITE}/media/b.jpg">',
    '<img src="https://example.org/c.jpg">',
    '<img src="//example.org/d.jpg">',
    '<img src="/\\example.org/e.jpg">',
    '<img src="uploads/f.jpg">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="/media/g.jpg" onerror="x()">',
    '<iframe src="https://player.vimeo.com/video/1"></iframe>',
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    "<svg><circle/></svg>",
    "<form>",
    "</form>",
    "<!-- comment -->",
    "<noscript>",
    "</noscript>",
    "<textarea>",
    "<template>",
]
BODIES = st.lists(
    st.sampled_from(FRAGMENTS) | st.text(alphabet="<>/=\"' &;:#abceimoprst\\\t\n", max_size=12),
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(BODIES)
def test_any_body_is_refused_with_a_message_or_saved_as_nh3_cleans_it_without_outside_images(
    body,
):
    # The form without the admin's widgets: one field for the publish time.
    form = PublicationAdminForm(data=form_data(body=body, publish_at="2025-05-01 10:00"))

    if not form.is_valid():
        assert list(form.errors) == ["body"]
        assert all(message.strip() for message in form.errors["body"])
        return
    publication = form.save()
    try:
        publication.refresh_from_db()
        # Django's text fields strip the ends; nh3 cleans the rest.
        assert publication.body == clean_html(body.strip())
        assert all(served_from_our_media(src) for src in Images(publication.body).sources)
    finally:
        publication.delete()


def test_the_body_s_help_says_what_is_refused_and_the_page_loads_the_paste_warnings(
    editor_client,
):
    html = editor_client.get(ADD).content.decode()

    assert "images from other sites are refused with a message naming them" in html
    assert "forumasia/ckeditor-notices.js" in html
