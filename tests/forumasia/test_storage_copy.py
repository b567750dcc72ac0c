"""restore_media reads only plain files of a backup folder: every other kind of entry (a
symbolic link in or out of the backup, a hard link, a pipe, the storage folder itself a link)
is refused by name before anything is written; a plain backup comes back (documents cleaned:
tests/forumasia/test_documents.py), and a second restore writes nothing."""

import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from forumasia.storage_copy import storage_names
from tests.forumasia.test_documents import planted_pdf
from tests.publications.conftest import image_bytes

PHOTO = "publications/images/2026/05/march.jpg"
REPORT = "publications/files/2026/05/report.pdf"


@pytest.fixture
def backup(tmp_path):
    """A backup folder as deploy/backup writes it, with a photo and a report."""
    root = tmp_path / "backup" / "media"
    for name, data in ((PHOTO, image_bytes()), (REPORT, planted_pdf())):
        path = root / "default" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "private").mkdir()
    return root


def link_to_passwd(root):
    (root / "default/publications/files/2026/05/passwd.pdf").symlink_to("/etc/passwd")
    return "default/publications/files/2026/05/passwd.pdf is a symbolic link (to /etc/passwd)"


def link_escaping_with_dots(root):
    outside = root.parent.parent / "outside.pdf"
    outside.write_bytes(b"%PDF-1.7 outside the backup")
    (root / "default/publications/files/escape.pdf").symlink_to("../../../../outside.pdf")
    return "default/publications/files/escape.pdf is a symbolic link (to ../../../../outside.pdf)"


def linked_folder(root):
    (root / "default/publications/etc").symlink_to("/etc", target_is_directory=True)
    return "default/publications/etc is a symbolic link (to /etc)"


def hard_link(root):
    os.link(root / "default" / REPORT, root / "default/publications/copy.pdf")
    return "is a hard link (one of 2 names of a file)"


def pipe(root):
    os.mkfifo(root / "default/publications/queue.pdf")
    return "default/publications/queue.pdf is not a plain file (a device, pipe or socket)"


def storage_folder_linked(root):
    (root / "private").rmdir()
    (root / "private").symlink_to("/etc", target_is_directory=True)
    return "private/ is a symbolic link (to /etc)"


UNSAFE = [link_to_passwd, link_escaping_with_dots, linked_folder, hard_link, pipe]


@pytest.mark.django_db
@pytest.mark.parametrize("plant", [*UNSAFE, storage_folder_linked], ids=lambda f: f.__name__)
def test_a_backup_with_anything_but_plain_files_is_refused_naming_it_and_nothing_is_written(
    backup, plant
):
    message = plant(backup)

    with pytest.raises(CommandError) as refused:
        call_command("restore_media", str(backup), stdout=io.StringIO())

    assert message in str(refused.value)
    assert str(refused.value).startswith(f"Nothing restored from {backup}:")
    assert list(storage_names(default_storage)) == []


@pytest.mark.django_db
def test_a_plain_backup_is_restored_and_a_second_restore_writes_nothing(backup):
    first, second = io.StringIO(), io.StringIO()

    call_command("restore_media", str(backup), stdout=first)
    call_command("restore_media", str(backup), stdout=second)

    assert "2 public and 0 private files written" in first.getvalue()
    assert "0 public and 0 private files written" in second.getvalue()
    assert sorted(storage_names(default_storage)) == sorted([PHOTO, REPORT])
    with default_storage.open(PHOTO) as restored:
        assert restored.read() == (backup / "default" / PHOTO).read_bytes()
