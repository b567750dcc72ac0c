"""Copy every file of the site's storages (public uploads and private files) to a folder and
back, through the storage API: the same commands back up a local MEDIA_ROOT or an S3 bucket,
and restore into either (deploy/backup, deploy/restore).

A backup folder holds `default/` and `private/`, one per storage, with the files under their
storage names. Copying is incremental: a file already in the destination with the same size is
left alone, so a daily backup into the same folder only copies what is new.

A restore reads only plain files: a backup holding a symbolic or hard link, a device, a pipe
or a socket is refused, naming the entry, before anything is written.
"""

import os
import posixpath
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages

from forumasia.documents import clean_document, is_document

STORAGE_ALIASES = ("default", "private")


def storage_names(storage, folder=""):
    """Every file name in `storage` under `folder`, recursively (hidden files skipped)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        if not name.startswith("."):
            yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        if not sub.startswith("."):
            yield from storage_names(storage, posixpath.join(folder, sub) if folder else sub)


def _storages_and_folders(folder):
    for alias in STORAGE_ALIASES:
        yield alias, storages[alias], folder / alias


def backup_storages(destination: Path) -> dict[str, int]:
    """Copy each storage's files into destination/<alias>/; return how many were copied."""
    copied = dict.fromkeys(STORAGE_ALIASES, 0)
    for alias, storage, root in _storages_and_folders(destination):
        for name in storage_names(storage):
            target = root / name
            if target.is_file() and target.stat().st_size == storage.size(name):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            copied[alias] += 1
    return copied


class NameTaken(Exception):
    """The storage would not keep a restored file under its own name."""


class UnsafeEntry(Exception):
    """A backup entry that is not a plain file or folder (the message names it)."""


@dataclass
class Restored:
    """What a restore wrote: files per storage, and the documents the cleaning refused, which
    were put back as they were (storage/name, reason)."""

    written: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STORAGE_ALIASES, 0))
    not_cleaned: list[tuple[str, str]] = field(default_factory=list)


def check_backup_entries(source: Path) -> None:
    """Raise UnsafeEntry for the first entry of source/<alias>/ that is not a plain file or a
    folder: a symbolic link (it could make the restore read /etc/passwd or the settings file
    into public media), a hard link (a second name for a file that may live outside the
    backup), a device, pipe or socket."""
    for alias, _storage, root in _storages_and_folders(source):
        if root.is_symlink():
            raise UnsafeEntry(f"{alias}/ is a symbolic link (to {os.readlink(root)})")
        for folder, folders, files in os.walk(root):
            for entry in [*folders, *files]:
                path = Path(folder, entry)
                shown = f"{alias}/{path.relative_to(root).as_posix()}"
                mode = path.lstat()
                if stat.S_ISLNK(mode.st_mode):
                    raise UnsafeEntry(f"{shown} is a symbolic link (to {os.readlink(path)})")
                if stat.S_ISREG(mode.st_mode) and mode.st_nlink > 1:
                    raise UnsafeEntry(
                        f"{shown} is a hard link (one of {mode.st_nlink} names of a file); "
                        "copy the backup with `cp -r`, which makes plain files, and restore "
                        "the copy"
                    )
                if not (stat.S_ISREG(mode.st_mode) or stat.S_ISDIR(mode.st_mode)):
                    raise UnsafeEntry(f"{shown} is not a plain file (a device, pipe or socket)")


def restore_storages(source: Path) -> Restored:
    """Put every file of source/<alias>/ back into that storage under the same name.

    Nothing is written unless every entry of the backup is a plain file or folder
    (check_backup_entries). Documents are stored as `clean_document` rebuilds them (a backup
    made before that cleaning existed holds files with their metadata); one it refuses is put
    back as it was, since the restored database points at it, and listed in `not_cleaned`.
    """
    check_backup_entries(source)
    restored = Restored()
    for alias, storage, root in _storages_and_folders(source):
        files = sorted(path for path in root.rglob("*") if path.is_file())
        for path in files:
            name = path.relative_to(root).as_posix()
            with path.open("rb") as handle:
                content = File(handle, name=path.name)
                if is_document(name):
                    try:
                        content = clean_document(content, name=name)
                    except ValidationError as exc:
                        restored.not_cleaned.append((f"{alias}/{name}", " ".join(exc.messages)))
                if storage.exists(name):
                    if storage.size(name) == content.size:
                        continue
                    storage.delete(name)
                saved = storage.save(name, content)
            if saved != name:
                raise NameTaken(f"{alias}: {name} was stored as {saved}")
            restored.written[alias] += 1
    return restored
