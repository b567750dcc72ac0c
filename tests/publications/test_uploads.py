"""The editor's image upload (paste, drop, Image dialog): the one route, JSON only, stripped."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory
from tests.publications.test_admin import jpeg, stored_has_no_metadata, svg

pytestmark = pytest.mark.django_db

UPLOAD = "/ckeditor/upload/"


def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/admin/")
    return client, client.cookies["csrftoken"].value


def test_upload_strips_metadata_and_answers_ckeditor_json(editor):
    client, token = csrf_client(editor)

    response = client.post(UPLOAD, {"upload": jpeg()}, headers={"X-CSRFToken": token})

    body = response.json()
    assert response.status_code == 200 and body["uploaded"] == 1
    name = body["url"].removeprefix("/media/")
    # A random name: neither the file's own name nor the upload's date is published.
    assert re.fullmatch(r"uploads/[0-9a-f]{32}\.jpg", name)
    assert stored_has_no_metadata(name, default_storage)


def test_upload_answers_json_without_echoing_the_callback_number(editor_client):
    # The URL CKEditor's form-method upload would use; nothing of it reaches the answer.
    url = UPLOAD + "?CKEditor=id_body&CKEditorFuncNum=alert(document.domain)&langCode=en"

    for upload in (jpeg(), svg()):
        response = editor_client.post(url, {"upload": upload})

        assert response["Content-Type"] == "application/json"
        assert "alert" not in response.content.decode()
        assert "<script" not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'),
        ("photo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'),
        ("photo.png", b"<!doctype html><script>alert(document.cookie)</script>"),
        ("photo.gif", b"GIF89a<script>alert(1)</script>"),
    ],
)
def test_html_and_svg_under_image_names_are_refused_and_not_stored(editor_client, name, content):
    response = editor_client.post(UPLOAD, {"upload": SimpleUploadedFile(name, content)})

    assert response.status_code == 200
    assert response.json()["uploaded"] == 0
    assert "not an image" in response.json()["error"]["message"]
    assert not default_storage.exists("uploads")


def test_upload_without_a_file_is_a_message(editor_client):
    response = editor_client.post(UPLOAD, {})

    assert response.json() == {"uploaded": 0, "error": {"message": "Choose an image to upload."}}


def test_upload_keeps_csrf_protection(editor):
    client, _ = csrf_client(editor)

    assert client.post(UPLOAD, {"upload": jpeg()}).status_code == 403
    assert not default_storage.exists("uploads")


def test_upload_is_for_staff_with_publication_rights_only(client):
    anonymous = client.post(UPLOAD, {"upload": jpeg()})
    assert anonymous.status_code == 403 and anonymous.json()["uploaded"] == 0
    client.force_login(UserFactory(is_staff=True))
    assert client.post(UPLOAD, {"upload": jpeg()}).status_code == 403
    client.force_login(UserFactory(is_staff=False, is_superuser=True))
    assert client.post(UPLOAD, {"upload": jpeg()}).status_code == 403
    assert not default_storage.exists("uploads")


def test_upload_only_accepts_post(editor_client):
    assert editor_client.get(UPLOAD).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/ckeditor/upload/x",
        "/ckeditor/upload/&responseType=json",
        "/ckeditor/upload/x/",
        "/ckeditor/browse/",
        "/ckeditor/browse/?CKEditor=id_body&CKEditorFuncNum=1",
    ],
)
def test_django_ckeditors_own_views_are_not_reachable(editor_client, path):
    # django-ckeditor's views matched any path starting "upload/" or "browse/". Paths without
    # a trailing slash are redirected to one (APPEND_SLASH), which is no page either.
    assert editor_client.post(path, {"upload": jpeg()}).status_code in (301, 404)
    assert editor_client.get(path, follow=True).status_code == 404
    assert not default_storage.exists("uploads")


def test_the_editor_is_configured_to_upload_pasted_dropped_and_dialog_images_here(editor_client):
    html = editor_client.get("/admin/publications/publication/add/").content.decode()

    assert "&quot;imageUploadUrl&quot;: &quot;/ckeditor/upload/&quot;" in html
    assert "&quot;filebrowserImageUploadUrl&quot;: &quot;/ckeditor/upload/&quot;" in html
    assert "&quot;filebrowserUploadMethod&quot;: &quot;xhr&quot;" in html
    assert "&quot;clipboard_handleImages&quot;: false" in html
    assert "filebrowserBrowseUrl" not in html
    assert "filebrowserUploadUrl" not in html
