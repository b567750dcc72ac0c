"""Uploads in S3-compatible object storage: every upload route writes to the bucket through the
storage API, pages link the bucket's (media) origin, private files stay out of the public part.

The bucket is on moto's S3 server on loopback (tests/s3.py), reached over HTTP by
django-storages exactly as AWS S3 or MinIO would be; nothing of boto3 is mocked.
"""

import ast
import io
import os
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from forumasia.files import owned_files
from forumasia.images import make_renditions
from publications.models import Attachment, GalleryImage, Publication
from tests.factories import UserFactory
from tests.forumasia.test_documents import assert_clean, planted_pdf
from tests.forumasia.test_settings import (
    PRODUCTION_KEY,
    production_settings,
    run_manage,
    run_settings,
)
from tests.publications.conftest import image_bytes
from tests.publications.test_admin import ADD, form_data, jpeg

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def fetch(url):
    """What a browser gets for `url`: the bytes, straight from the S3 server."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def has_no_metadata(data):
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return not exif.get_ifd(GPS_IFD) and 0x010F not in exif and "exif" not in image.info


def publish_with_image(publisher_client, **extra):
    data = form_data(
        _transition="publish",
        featured_image=jpeg(),
        featured_image_alt="Students holding banners",
        **extra,
    )
    response = publisher_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Publication.objects.get()


def test_an_image_uploaded_in_the_admin_lands_in_the_bucket_with_its_renditions(
    publisher_client, s3_server, s3_bucket
):
    publication = publish_with_image(publisher_client)

    keys = s3_server.keys(s3_bucket)
    assert f"private/{publication.featured_image.name}" in keys
    rendition_names = [
        item[key] for item in publication.featured_image_renditions for key in ("jpeg", "webp")
    ]
    assert len(rendition_names) == 6
    assert {f"private/{name}" for name in rendition_names} <= set(keys)
    # Stripped before it reached the bucket: what anyone can download carries no GPS.
    assert has_no_metadata(fetch_from_site(publication.featured_image.url))
    assert all(has_no_metadata(fetch_from_site(owned_files.url(n))) for n in rendition_names)


def fetch_from_site(url):
    """What an anonymous visitor gets for a file at `url` on the site (the app reads it from the
    bucket: publications' files are never fetched from the bucket itself)."""
    response = Client().get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


def test_pages_link_publications_images_on_the_site_and_the_bucket_refuses_them(
    publisher_client, client, s3_server, s3_bucket
):
    publication = publish_with_image(publisher_client)
    publisher_client.logout()

    page = Client().get(publication.get_absolute_url())

    html = page.content.decode()
    assert f'srcset="/files/publications/{publication.files_key}/' in html
    assert f"{s3_server.endpoint}/" not in html
    # Every image the page names is served by the site, from the bucket's private part, which
    # nobody reads directly.
    rendition = publication.featured_image_renditions[0]["jpeg"]
    assert fetch_from_site(owned_files.url(rendition))[:3] == b"\xff\xd8\xff"
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{s3_server.endpoint}/{s3_bucket}/private/{rendition}")
    assert refused.value.code == 403


def test_gallery_images_and_their_renditions_go_to_the_bucket(
    publisher_client, s3_server, s3_bucket
):
    inline = {"image": jpeg("gallery.jpg"), "alt_text": "A crowd at dusk", "order": "0"}
    data = form_data(type="story", **{"gallery_images-TOTAL_FORMS": "1"})
    data.update({f"gallery_images-0-{field}": value for field, value in inline.items()})

    assert publisher_client.post(ADD, data).status_code == 302

    image = GalleryImage.objects.get()
    keys = s3_server.keys(s3_bucket)
    assert f"private/{image.image.name}" in keys
    assert {f"private/{item['webp']}" for item in image.renditions} <= set(keys)
    with owned_files.open(image.image.name) as stored:
        assert has_no_metadata(stored.read())


def test_a_pdf_attachment_is_rewritten_into_the_bucket_without_its_author(
    publisher_client, s3_server, s3_bucket
):
    data = form_data(
        _transition="publish",
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "Annual report",
            "attachments-0-file": SimpleUploadedFile("report.pdf", planted_pdf()),
            "attachments-0-language": "en",
            "attachments-0-order": "0",
        },
    )

    assert publisher_client.post(ADD, data).status_code == 302

    attachment = Attachment.objects.get()
    assert f"private/{attachment.file.name}" in s3_server.keys(s3_bucket)
    response = Client().get(attachment.file.url)
    downloaded = b"".join(response.streaming_content)
    assert response["Content-Disposition"] == 'attachment; filename="Annual report.pdf"'
    assert attachment.file_size == len(downloaded)
    assert_clean(downloaded)


def test_the_editor_upload_view_stores_in_the_bucket_and_answers_its_url(
    publisher_client, s3_server, s3_bucket
):
    upload = SimpleUploadedFile("pasted.png", image_bytes("PNG"), content_type="image/png")

    body = publisher_client.post("/ckeditor/upload/", {"upload": upload}).json()

    assert body["uploaded"] == 1
    assert body["url"].startswith(f"{s3_server.endpoint}/{s3_bucket}/media/uploads/")
    name = body["url"].split(f"/{s3_bucket}/", 1)[1]
    assert name in s3_server.keys(s3_bucket)
    assert fetch(body["url"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_renditions_of_a_stored_image_are_read_and_written_through_the_bucket(s3_server, s3_bucket):
    publication = Publication(featured_image_alt="A photo")
    publication.featured_image.save("plain.jpg", io.BytesIO(image_bytes()), save=False)

    renditions = make_renditions(publication.featured_image)

    assert [item["width"] for item in renditions] == [400, 640]
    folder = f"private/publications/{publication.files_key}/"
    keys = s3_server.keys(s3_bucket, prefix=folder)
    names = [publication.featured_image.name, *(r[k] for r in renditions for k in ("jpeg", "webp"))]
    assert keys == sorted(f"private/{name}" for name in names)


def test_private_files_cannot_be_read_from_the_bucket_by_anyone_but_the_app(s3_server, s3_bucket):
    private = storages["private"]
    name = private.save("wordpress-exports/export.xml", io.BytesIO(b"<rss>drafts</rss>"))
    default_storage.save("uploads/public.txt", io.BytesIO(b"public"))

    assert s3_server.keys(s3_bucket, prefix="private/") == [f"private/{name}"]
    assert s3_server.keys(s3_bucket, prefix="media/") == ["media/uploads/public.txt"]
    with private.open(name) as stored:
        assert stored.read() == b"<rss>drafts</rss>"
    # The bucket policy of deploy/ lets the world read media/ and nothing else.
    assert fetch(default_storage.url("uploads/public.txt")) == b"public"
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{s3_server.endpoint}/{s3_bucket}/private/{name}")
    assert refused.value.code == 403


# --- The switch in settings.py, read from the environment ----------------------------------------

STORAGE = (
    "s.STORAGES['default']['BACKEND'], s.MEDIA_ORIGIN or '-', s.MEDIA_URL, "
    "' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
)


def test_local_disk_is_the_default_and_adds_no_origin_to_the_csp():
    backend, origin, media_url, *img_src = production_settings(STORAGE)

    assert backend == "django.core.files.storage.FileSystemStorage"
    assert (origin, media_url) == ("-", "/media/")
    assert img_src == ["'self'", "data:"]


def test_s3_switch_uses_the_bucket_and_its_origin_everywhere(s3_server):
    bucket = s3_server.create_bucket()
    backend, origin, media_url, *img_src = production_settings(
        STORAGE, **s3_server.environment(bucket)
    )

    assert backend == "storages.backends.s3.S3Storage"
    assert origin == s3_server.endpoint
    assert media_url == f"{s3_server.endpoint}/{bucket}/media/"
    assert img_src == ["'self'", "data:", s3_server.endpoint]


def test_a_custom_domain_is_the_media_origin(s3_server):
    printed = production_settings(
        STORAGE,
        **s3_server.environment("photos", AWS_S3_CUSTOM_DOMAIN="media.forum-asia.example"),
    )

    assert printed[1:3] == [
        "https://media.forum-asia.example",
        "https://media.forum-asia.example/media/",
    ]
    assert printed[-1] == "https://media.forum-asia.example"


def test_the_configured_site_really_stores_and_links_files_in_the_bucket(s3_server):
    """settings.py alone (no test overrides): a file saved is in the bucket at MEDIA_URL."""
    bucket = s3_server.create_bucket()
    code = (
        "import io; from django.core.files.storage import default_storage as d; "
        "name = d.save('uploads/hello.txt', io.BytesIO(b'hello from the app')); print(d.url(name))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **s3_server.environment(bucket))

    assert result.returncode == 0, result.stderr
    url = result.stdout.split()[-1]
    assert url == f"{s3_server.endpoint}/{bucket}/media/uploads/hello.txt"
    assert fetch(url) == b"hello from the app"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DJANGO_MEDIA_STORAGE": "s3"}, "needs AWS_STORAGE_BUCKET_NAME"),
        (
            {"DJANGO_MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "media"},
            "needs AWS_S3_ENDPOINT_URL",
        ),
        ({"DJANGO_MEDIA_STORAGE": "ftp"}, "must be 'local'"),
        (
            {
                "DJANGO_MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "media",
                "AWS_S3_ENDPOINT_URL": "https://s3.example",
                "AWS_LOCATION": "private",
            },
            "other than private/",
        ),
    ],
)
def test_an_incomplete_storage_configuration_refuses_to_start(environment, message):
    result = run_settings(
        DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="example.org", **environment
    )

    assert result.returncode != 0
    assert message in result.stderr


def test_the_test_run_itself_keeps_uploads_on_local_disk():
    assert not settings.MEDIA_ORIGIN and settings.MEDIA_URL == "/media/"


def test_a_member_logo_uploaded_in_the_admin_lands_in_the_bucket_stripped(
    client, s3_server, s3_bucket
):
    from django.contrib.auth.models import Permission

    from members.models import Country, MemberOrganisation

    user = UserFactory(is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="members",
            codename__in=["add_memberorganisation", "change_memberorganisation", "view_country"],
        )
    )
    client.force_login(user)

    response = client.post(
        "/admin/members/memberorganisation/add/",
        {
            "name": "Dili Justice Network",
            "slug": "dili-justice-network",
            "is_active": "on",
            "country": Country.objects.get(code="TL").pk,
            "website": "https://djn.example.org/",
            "logo": jpeg("logo.jpg"),
        },
    )

    assert response.status_code == 302
    member = MemberOrganisation.objects.get(slug="dili-justice-network")
    assert f"media/{member.logo.name}" in s3_server.keys(s3_bucket)
    assert member.logo.url.startswith(f"{s3_server.endpoint}/{s3_bucket}/media/")
    assert has_no_metadata(fetch(member.logo.url))


APPS = tuple(settings.LOCAL_APPS)
# Settings define the folders; the root URLconf serves MEDIA_ROOT with debug on only.
MAY_NAME_THE_FOLDERS = {"forumasia/settings.py", "forumasia/urls.py"}


def test_no_code_reaches_stored_files_but_through_the_storage_api():
    """MEDIA_ROOT and PRIVATE_ROOT are disk folders that a bucket does not have, and a
    storage's or a file's `.path` raises on S3: code using either works on one box and breaks
    on two. Every module of every app is read (migrations and tests aside)."""
    root = settings.BASE_DIR
    found = []
    for app in APPS:
        for module in sorted((root / app).rglob("*.py")):
            name = str(module.relative_to(root))
            if "/migrations/" in name or name in MAY_NAME_THE_FOLDERS:
                continue
            for node in ast.walk(ast.parse(module.read_text())):
                if isinstance(node, ast.Attribute | ast.Name):
                    word = node.attr if isinstance(node, ast.Attribute) else node.id
                    if word in {"MEDIA_ROOT", "PRIVATE_ROOT"}:
                        found.append(f"{name}:{node.lineno} {word}")
                if isinstance(node, ast.Attribute) and node.attr == "path":
                    owner = ast.unparse(node.value)
                    if owner.endswith(("storage", "file", "image", "attachment", "logo")):
                        found.append(f"{name}:{node.lineno} {owner}.path")

    assert found == []


def test_uploads_stay_readable_by_the_web_server_under_the_units_umask(settings, tmp_path):
    """The systemd units run the app with UMask=0077; nginx (another user) serves /media/ from
    the disk, so uploads and the folders made for them are world-readable all the same."""
    settings.MEDIA_ROOT = tmp_path
    previous = os.umask(0o077)
    try:
        name = FileSystemStorage().save("publications/2031/07/a.jpg", ContentFile(b"jpeg"))
    finally:
        os.umask(previous)

    assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
    for folder in ("publications", "publications/2031", "publications/2031/07"):
        assert (tmp_path / folder).stat().st_mode & 0o777 == 0o755
