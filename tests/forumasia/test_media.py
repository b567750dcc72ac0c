"""DJANGO_SERVE_MEDIA=1: a fresh install on one box shows its images with debug off, and the app
serves nothing a web server configured as deploy/nginx/forumasia.conf would not. (Files of
publications are not media: tests/forumasia/test_files.py.)"""

import io

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from forumasia.media import media_name
from tests.publications.conftest import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def serve_media(settings):
    assert not settings.DEBUG
    settings.SERVE_MEDIA = True


@pytest.fixture
def photo():
    return default_storage.save("uploads/photo.jpg", io.BytesIO(image_bytes()))


def test_media_is_not_served_by_the_app_unless_asked(client, photo):
    assert not settings.SERVE_MEDIA

    response = client.get(f"/media/{photo}", follow=True)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_uploaded_image_is_served_with_its_type_and_cache_headers(client, serve_media, photo):
    response = client.get(f"/media/{photo}")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert "Content-Encoding" not in response  # images are not compressed twice
    again = client.get(f"/media/{photo}", headers={"If-Modified-Since": response["Last-Modified"]})
    assert again.status_code == 304


def test_a_pdf_is_served_as_a_pdf_to_download(client, serve_media):
    name = default_storage.save("wordpress/report.pdf", io.BytesIO(b"%PDF-1.7"))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_head_is_answered_and_writes_are_refused(client, serve_media, photo):
    assert client.head(f"/media/{photo}").status_code == 200
    assert client.post(f"/media/{photo}").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "uploads/",  # a folder: never a listing
        "uploads",
        "uploads/missing.jpg",
        "private/wordpress-exports/export.xml",
        "private/exports/subscribers.csv",
        "uploads/page.html",  # a type the site never stores
        "uploads/.hidden.jpg",
        "uploads/../../settings.py",
        "uploads/%2e%2e/secret.jpg",
        "uploads//double.jpg",
        "uploads\\back.jpg",
    ],
)
def test_folders_private_files_odd_types_and_escapes_are_not_served(client, serve_media, path):
    default_storage.save("uploads/page.html", io.BytesIO(b"<script>alert(1)</script>"))
    default_storage.save("uploads/.hidden.jpg", io.BytesIO(image_bytes()))

    response = client.get(f"/media/{path}")

    assert response.status_code == 404
    assert b"<script>alert(1)</script>" not in response.content


def test_a_file_in_private_storage_is_never_reachable_under_media(client, serve_media):
    from django.core.files.storage import storages

    name = storages["private"].save("exports/subscribers.jpg", io.BytesIO(image_bytes()))

    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/private/{name}").status_code == 404


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.text(alphabet=st.sampled_from("ab./\\%0~_-.jpgpdfhtml\x00"), max_size=40))
def test_no_path_under_media_is_a_server_error_or_escapes(client, serve_media, path):
    response = client.get(f"/media/{path}")

    assert response.status_code in (200, 304, 404)
    name = media_name(path)
    if name is not None:
        assert not name.startswith(("private/", "/")) and ".." not in name.split("/")
