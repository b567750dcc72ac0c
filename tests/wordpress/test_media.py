import re

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from oldaddresses.models import ImportedMedia
from tests.factories import PublicationFactory
from wordpress.media import MediaLibrary, MediaProblem, uploads_path

from .conftest import SITE, jpeg_with_gps

HOSTS = {"forum-asia.org"}


@pytest.mark.parametrize(
    ("url", "relative"),
    [
        (f"{SITE}/wp-content/uploads/2019/05/a.jpg", "2019/05/a.jpg"),
        ("http://forum-asia.org/wp-content/uploads/2019/05/a%20b.pdf", "2019/05/a b.pdf"),
        ("/wp-content/uploads/2019/05/a.jpg", "2019/05/a.jpg"),
        ("https://elsewhere.example/wp-content/uploads/2019/05/a.jpg", None),
        (f"{SITE}/2019/05/some-post/", None),
        (f"{SITE}/wp-content/uploads/../../wp-config.php", None),
        (f"{SITE}/wp-content/uploads/2019/%2e%2e/%2e%2e/etc/passwd", None),
        ("javascript:alert(1)", None),
        ("http://[::1", None),
    ],
)
def test_only_the_old_sites_uploads_are_media(url, relative):
    assert uploads_path(url, site_hosts=HOSTS) == relative


@pytest.fixture
def storage(tmp_path, db):
    """The public uploads (the library looks up earlier copies in the database)."""
    return FileSystemStorage(location=tmp_path / "stored")


@pytest.fixture
def owned(tmp_path):
    return FileSystemStorage(location=tmp_path / "owned")


def library(media_dir, storage, **kwargs):
    return MediaLibrary(media_dir, site_url=SITE, site_hosts=HOSTS, storage=storage, **kwargs)


def test_images_are_stored_without_gps_and_camera_data(media_dir, storage):
    stored = library(media_dir, storage).store("2019/05/defenders.jpg")
    assert stored.kind == "image"
    assert re.fullmatch(r"wordpress/[0-9a-f]{32}\.jpg", stored.name)
    with storage.open(stored.name) as handle, Image.open(handle) as image:
        assert not image.getexif()
    with Image.open(media_dir / "2019/05/defenders.jpg") as original:
        assert original.getexif().get_ifd(0x8825)


def test_a_resized_copy_leads_to_the_original(media_dir, storage):
    stored = library(media_dir, storage).store("2019/05/defenders-300x200.jpg")
    assert stored.source == "2019/05/defenders.jpg"


def test_a_publications_documents_are_its_own_and_a_second_run_reuses_them(
    media_dir, storage, owned
):
    owner = PublicationFactory()
    first = library(media_dir, storage, owned_storage=owned)
    stored = first.store("2019/01/annual-report-2018.pdf", owner=owner, use="document")
    assert re.fullmatch(rf"publications/{owner.files_key}/[0-9a-f]{{32}}\.pdf", stored.name)
    assert first.written == [(owned, stored.name)]
    ImportedMedia.objects.create(
        site_url=SITE,
        source=stored.source,
        publication=owner,
        use="document",
        stored_name=stored.name,
    )
    second = library(media_dir, storage, owned_storage=owned)
    assert second.store("2019/01/annual-report-2018.pdf", owner=owner, use="document") == stored
    assert second.written == []


def test_one_file_used_by_two_publications_is_copied_for_each(media_dir, storage, owned):
    first, second = PublicationFactory(), PublicationFactory()
    media = library(media_dir, storage, owned_storage=owned)

    copies = [
        media.store("2019/05/defenders.jpg", owner=owner, use="featured")
        for owner in (first, second)
    ]

    assert copies[0].name.startswith(f"publications/{first.files_key}/")
    assert copies[1].name.startswith(f"publications/{second.files_key}/")
    with owned.open(copies[0].name) as one, owned.open(copies[1].name) as other:
        assert one.read() == other.read()
    assert media.written == [(owned, copies[0].name), (owned, copies[1].name)]


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("2019/05/nowhere.jpg", "missing from the media folder"),
        ("2019/05/song.mp3", ".mp3 files are not accepted"),
        ("2019/05/page.html", ".html files are not accepted"),
        ("2019/05/logo.svg", ".svg files are not accepted"),
        ("2019/05/fake.jpg", "not imported: This file is not an image we can read"),
    ],
)
def test_files_that_cannot_be_imported_say_why(media_dir, storage, relative, reason):
    (media_dir / "2019/05/fake.jpg").write_bytes(b"<svg onload=alert(1)>")
    media = library(media_dir, storage)
    with pytest.raises(MediaProblem, match=reason):
        media.store(relative)
    assert media.written == []


def test_without_a_media_folder_everything_is_missing(storage):
    with pytest.raises(MediaProblem, match="no media folder given"):
        library(None, storage).store("2019/05/defenders.jpg")


def test_a_link_out_of_the_media_folder_is_refused(media_dir, storage, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(jpeg_with_gps())
    (media_dir / "2019/05/escape.jpg").symlink_to(secret)
    with pytest.raises(MediaProblem, match="missing"):
        library(media_dir, storage).store("2019/05/escape.jpg")


def test_dry_run_checks_and_writes_nothing(media_dir, storage, tmp_path):
    media = library(media_dir, storage, dry_run=True)
    assert media.store("2019/05/defenders.jpg").kind == "image"
    assert media.store("2019/01/annual-report-2018.pdf").kind == "document"
    assert media.written == []
    assert not (tmp_path / "stored").exists()
