"""Copy every file of the site's storages (public uploads and private files) to a folder and
back, through the storage API: the same commands back up a local MEDIA_ROOT or an S3 bucket,
and restore into either (deploy/backup, deploy/restore).

A backup folder holds `default/` and `private/`, one per storage, with the files under their
storage names. Copying is incremental: a file already in the destination with the same size is
left alone, so a daily backup into the same folder only copies what is new.
"""

import posixpath
import shutil
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages

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


def restore_storages(source: Path) -> dict[str, int]:
    """Put every file of source/<alias>/ back into that storage under the same name."""
    restored = dict.fromkeys(STORAGE_ALIASES, 0)
    for alias, storage, root in _storages_and_folders(source):
        files = sorted(path for path in root.rglob("*") if path.is_file())
        for path in files:
            name = path.relative_to(root).as_posix()
            if storage.exists(name):
                if storage.size(name) == path.stat().st_size:
                    continue
                storage.delete(name)
            with path.open("rb") as handle:
                saved = storage.save(name, File(handle, name=path.name))
            if saved != name:
                raise NameTaken(f"{alias}: {name} was stored as {saved}")
            restored[alias] += 1
    return restored
