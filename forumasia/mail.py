"""Django's file email backend, written for the site's own user only, and the way to take one
person's messages out of what it wrote.

Django's backend (django/core/mail/backends/filebased.py) opens each file with `open(name,
"ab")`, so the process's umask decides who may read it (0644 under the usual 022): copies of
confirmation emails, with their addresses and signed links, readable by every local user.
This subclass makes the folder 0700 and each file 0600 at the write (forumasia/private_files.py),
without touching the umask of the whole process; settings.py puts it in place of Django's own
when EMAIL_BACKEND names that one.
"""

import os
from collections.abc import Iterable
from email import message_from_bytes
from email.policy import default as email_policy
from email.utils import getaddresses
from pathlib import Path

from django.conf import settings
from django.core.mail.backends import filebased

from .private_files import FOLDER_MODE, open_private

# What Django's backend writes after each message (filebased.EmailBackend.write_message).
MESSAGE_END = b"\n" + b"-" * 79 + b"\n"


class PrivateFileEmailBackend(filebased.EmailBackend):
    def __init__(self, *args, file_path=None, **kwargs):
        folder = file_path if file_path is not None else settings.EMAIL_FILE_PATH
        if folder and not os.path.exists(folder):
            os.makedirs(folder, mode=FOLDER_MODE, exist_ok=True)
            os.chmod(folder, FOLDER_MODE)  # makedirs' mode is filtered by the umask
        super().__init__(*args, file_path=file_path, **kwargs)

    def open(self):
        if self.stream is None:
            self.stream = open_private(self._get_filename(), "ab")
            return True
        return False


def _recipients(message: bytes) -> set[str]:
    parsed = message_from_bytes(message, policy=email_policy)
    fields = [str(parsed.get(name, "")) for name in ("To", "Cc", "Bcc")]
    return {address.lower() for _, address in getaddresses(fields) if address}


def forget_messages_to(addresses: Iterable[str]) -> int:
    """Take every message sent to one of `addresses` out of the files in EMAIL_FILE_PATH: a
    file left with other people's messages is rewritten without them, a file left empty is
    deleted. Returns how many messages were taken out. `addresses` are compared in lower
    case, as they appear in the headers (an international domain in its xn-- form)."""
    wanted = {address.lower() for address in addresses}
    folder = Path(settings.EMAIL_FILE_PATH)
    if not wanted or not folder.is_dir():
        return 0
    removed = 0
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        messages = [piece for piece in path.read_bytes().split(MESSAGE_END) if piece.strip()]
        kept = [message for message in messages if not _recipients(message) & wanted]
        if len(kept) == len(messages):
            continue
        removed += len(messages) - len(kept)
        if kept:
            with open_private(path, "wb") as rewritten:
                rewritten.write(b"".join(message + MESSAGE_END for message in kept))
        else:
            path.unlink()
    return removed
