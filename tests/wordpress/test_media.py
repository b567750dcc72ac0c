import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from wordpress.media import MediaLibrary, MediaProblem, clean_relative, uploads_path

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


def test_hidden_and_empty_segments_are_refused():
    assert clean_relative(".htaccess") is None
    assert clean_relative("2019//a.jpg") is None
    assert clean_relative("2019/05/a.jpg") == "2019/05/a.jpg"


@pytest.fixture
def storage(tmp_path):
    return FileSystemStorage(location=tmp_path / "stored")


def library(media_dir, storage, **kwargs):
    return MediaLibrary(media_dir, site_url=SITE, site_hosts=HOSTS, storage=storage, **kwargs)


def test_images_are_stored_without_gps_and_camera_data(media_dir, storage):
    stored = library(media_dir, storage).store("2019/05/defenders.jpg")
    assert stored.kind == "image"
    assert stored.name == "wordpress/forum-asia.org/2019/05/defenders.jpg"
    with storage.open(stored.name) as handle, Image.open(handle) as image:
        assert not image.getexif()
    with Image.open(media_dir / "2019/05/defenders.jpg") as original:
        assert original.getexif().get_ifd(0x8825)


def test_a_resized_copy_leads_to_the_original(media_dir, storage):
    stored = library(media_dir, storage).store("2019/05/defenders-300x200.jpg")
    assert stored.source == "2019/05/defenders.jpg"


def test_documents_are_copied_and_a_second_run_reuses_them(media_dir, storage):
    first = library(media_dir, storage)
    stored = first.store("2019/01/annual-report-2018.pdf")
    assert (
        stored.name == "publications/files/wordpress/forum-asia.org/2019/01/annual-report-2018.pdf"
    )
    assert first.written == [stored.name]
    second = library(media_dir, storage)
    assert second.store("2019/01/annual-report-2018.pdf").name == stored.name
    assert second.written == []


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


def test_dry_run_checks_and_writes_nothing(media_dir, storage):
    media = library(media_dir, storage, dry_run=True)
    assert media.store("2019/05/defenders.jpg").kind == "image"
    assert media.store("2019/01/annual-report-2018.pdf").kind == "document"
    assert media.written == []
    assert not storage.exists("wordpress")
