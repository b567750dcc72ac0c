"""Every document the site stores goes through here: rebuilt by allow-list, or refused.

Attachments saved in the admin, documents brought in by the WordPress import and files put
back from a backup are published to readers some of whom are at risk, and a document carries
more than its pages: who wrote it, on which computer, the comments and earlier versions, the
photos' GPS positions. So a document is stored only as a copy that holds what a reader needs:

- PDF: rebuilt by `forumasia.pdf_rebuild` (pikepdf, on qpdf) in a child process; its module
  docstring lists what is kept and what is left behind. The child is bounded in time
  (MAX_SECONDS of wall time, then it is killed), memory and CPU, so a hostile file can
  neither hold a web worker nor take its memory: one qpdf parse or one image decode is a
  single call a deadline checked between pages could not interrupt. Above MAX_PAGES or
  MAX_BYTES a PDF is refused before any work.
- Plain text and CSV: they hold nothing but their text; accepted when they are UTF-8 text.
- Word, OpenDocument, spreadsheets, RTF and EPUB are refused with a message asking for a PDF:
  they keep authors, comments, tracked changes (deleted text included), revision ids,
  templates' paths and embedded objects in many places per format, and a cleaner that missed
  one would publish it. A PDF is what readers open on any phone anyway.

Every refusal is a ValidationError whose message names the bound or the reason, so forms
show it and commands report it; nothing here raises anything else for a bad file.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path, PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from forumasia.pdf_rebuild import REFUSED_EXIT

MAX_PAGES = 2_000
MAX_BYTES = 100 * 1024 * 1024
MAX_SECONDS = 60
MAX_MEMORY = 2 * 1024 * 1024 * 1024
CLEANED_FORMATS = {"pdf"}
PLAIN_TEXT_FORMATS = {"txt", "csv"}
REFUSED_FORMATS = {
    "doc": "Word",
    "docx": "Word",
    "odt": "OpenDocument",
    "rtf": "RTF",
    "xls": "Excel",
    "xlsx": "Excel",
    "ods": "OpenDocument spreadsheet",
    "epub": "EPUB",
}
PROJECT_ROOT = Path(__file__).resolve().parent.parent

UNREADABLE = (
    "This PDF could not be read. Save or export it again as PDF (not password-protected) and "
    "upload that copy."
)
TOO_SLOW = (
    "This PDF took longer than %(seconds)s seconds to clean, the limit. Export it again with "
    "smaller images (e.g. “Reduce file size” or “Minimum size”), or split it into parts."
)
TOO_BIG_TO_CLEAN = (
    "This PDF needs more memory to clean than the site allows. Export it again with smaller "
    "images, or split it into parts."
)
logger = logging.getLogger(__name__)


class CleanedDocument(ContentFile):
    """A document as this module rebuilt or checked it: never cleaned twice."""


def extension(name):
    return PurePosixPath(name or "").suffix.lower().lstrip(".")


def is_document(name):
    """True for a name of the kinds this module cleans or refuses (not images, not data)."""
    return extension(name) in CLEANED_FORMATS | PLAIN_TEXT_FORMATS | set(REFUSED_FORMATS)


def clean_document(file, *, name):
    """The copy of `file` (named `name`) to store, or ValidationError saying why not."""
    kind = extension(name)
    if kind in REFUSED_FORMATS:
        raise ValidationError(
            "%(format)s files are not accepted: they keep their authors, comments and earlier "
            "edits in ways the site cannot reliably remove. Save it as PDF and upload the PDF.",
            params={"format": REFUSED_FORMATS[kind]},
        )
    if kind not in CLEANED_FORMATS | PLAIN_TEXT_FORMATS:
        raise ValidationError(
            "Upload a PDF (or plain text or CSV); .%(extension)s files are not accepted.",
            params={"extension": kind or "?"},
        )
    size = getattr(file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            "This file is %(mb)s MB; the limit is %(max)s MB.",
            params={"mb": round(size / 2**20, 1), "max": MAX_BYTES // 2**20},
        )
    file.seek(0)
    try:
        data = file.read(MAX_BYTES + 1)
    finally:
        file.seek(0)
    if len(data) > MAX_BYTES:
        raise ValidationError(
            "This file is over %(max)s MB, the limit.", params={"max": MAX_BYTES // 2**20}
        )
    if kind in PLAIN_TEXT_FORMATS:
        return CleanedDocument(_checked_text(data))
    return CleanedDocument(_rebuilt_pdf(data))


def _checked_text(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "This file is not plain text in UTF-8. Save it as UTF-8 text or CSV, or upload a PDF."
        ) from exc
    if b"\0" in data:
        raise ValidationError("This file is not plain text. Upload a PDF.")
    return data


def _rebuilt_pdf(data):
    command = [
        sys.executable,
        "-m",
        "forumasia.pdf_rebuild",
        str(MAX_PAGES),
        str(MAX_SECONDS),
        str(MAX_MEMORY),
    ]
    try:
        # No environment: the child parses hostile files and needs none of the secrets.
        result = subprocess.run(
            command,
            input=data,
            capture_output=True,
            timeout=MAX_SECONDS,
            cwd=PROJECT_ROOT,
            env={"PATH": os.defpath},
        )
    except subprocess.TimeoutExpired as exc:
        raise ValidationError(TOO_SLOW, params={"seconds": MAX_SECONDS}) from exc
    if result.returncode == 0:
        return result.stdout
    if result.returncode == REFUSED_EXIT:
        raise ValidationError(json.loads(result.stdout)["message"])
    # A parser error on a broken or hostile file (or a crash, or a limit): for the editor it
    # is one thing, a PDF we cannot clean, and never a 500.
    reason = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["killed"]
    logger.info("PDF refused: exit %s, %s", result.returncode, reason[0])
    raise ValidationError(TOO_BIG_TO_CLEAN if "MemoryError" in reason[0] else UNREADABLE)


def clean_uploaded_document(field_file):
    """If `field_file` holds a new, not yet stored document, swap in its cleaned copy (once)."""
    if (
        field_file
        and not getattr(field_file, "_committed", True)
        and not isinstance(field_file.file, CleanedDocument)
    ):
        field_file.file = clean_document(field_file.file, name=field_file.name)
