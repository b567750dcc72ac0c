"""Every kind of response that is a file, not a page, runs nothing when opened on its own and
cannot be framed by another site (forumasia/security_headers.py): static files (WhiteNoise),
uploads the app serves itself (DJANGO_SERVE_MEDIA), publications' files (public, staff-only,
revalidated, handed to nginx). nginx's own: tests/deploy/test_nginx.py."""

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from forumasia.files import owned_files
from forumasia.security_headers import FILE_HEADERS, FILE_POLICY
from tests.factories import editor
from tests.publications.conftest import image_bytes
from tests.publications.test_files import draft, with_every_file

pytestmark = pytest.mark.django_db


def static_file(settings, path):
    # WhiteNoise reads its settings when the middleware is built: a fresh client builds it.
    settings.WHITENOISE_USE_FINDERS = True
    return Client().get(path)


def media_file(settings, name, data):
    settings.SERVE_MEDIA = True
    return Client().get("/media/" + default_storage.save(name, io.BytesIO(data)))


def public_file(attribute):
    def fetch(settings):
        publication = with_every_file()
        name = {
            "image": publication.featured_image.name,
            "rendition": publication.featured_image_renditions[0]["webp"],
            "gallery image": publication.gallery_images.get().image.name,
            "attachment": publication.attachments.get().file.name,
        }[attribute]
        return Client().get(owned_files.url(name))

    return fetch


def staff_only_file(settings):
    client = Client()
    client.force_login(editor())
    return client.get(owned_files.url(with_every_file(**draft()).attachments.get().file.name))


def revalidated_file(settings):
    url = owned_files.url(with_every_file().featured_image.name)
    return Client().get(url, headers={"If-None-Match": Client().get(url)["ETag"]})


def file_handed_to_nginx(settings):
    settings.FILES_ACCEL_REDIRECT = "/internal/private/"
    return Client().get(owned_files.url(with_every_file().attachments.get().file.name))


FILE_RESPONSES = {
    "static script": lambda s: static_file(s, "/static/js/publications.js"),
    "static SVG": lambda s: static_file(s, "/static/img/favicon.svg"),
    "uploaded image": lambda s: media_file(s, "uploads/photo.jpg", image_bytes()),
    "uploaded PDF": lambda s: media_file(s, "wordpress/annex.pdf", b"%PDF-1.7"),
    "publication's image": public_file("image"),
    "publication's rendition": public_file("rendition"),
    "publication's gallery image": public_file("gallery image"),
    "publication's attachment": public_file("attachment"),
    "draft's file, to staff": staff_only_file,
    "revalidated file": revalidated_file,
    "file sent by nginx": file_handed_to_nginx,
}


@pytest.mark.parametrize("kind", FILE_RESPONSES)
def test_every_kind_of_file_response_runs_nothing_and_cannot_be_framed(settings, kind):
    response = FILE_RESPONSES[kind](settings)

    assert response.status_code in (200, 304), kind
    for header, value in FILE_HEADERS.items():
        assert response[header] == value, (kind, header)
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_keep_their_own_policy(client):
    response = client.get("/")

    assert response["Content-Security-Policy"] != FILE_POLICY
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
