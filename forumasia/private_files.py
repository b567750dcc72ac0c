"""Files that hold people's data (subscriber exports, import reports, emails written to disk)
are readable by the site's own user only, whatever the process's umask."""

import os

# rw------- for files, rwx------ for the folders made for them.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def open_private(path, mode: str = "w", **options):
    """`open(path, mode, **options)` ("w" or "a", text or binary) for a file only its owner may
    read, even when the file was already there with wider permissions."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        return open(descriptor, mode, **options)
    except BaseException:
        os.close(descriptor)
        raise
