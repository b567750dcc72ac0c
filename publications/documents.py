"""PDF attachments are published without the metadata that names who made them.

A report's PDF carries its author, the organisation's account names, the software and the
dates in its document information dictionary (/Info) and in XMP packets (on the catalogue,
on pages, on embedded images). pypdf (pure Python, well kept) reads the file and rewrites it
with every object still in use and none of those: earlier revisions kept by incremental saves
are dropped too, since only reachable objects are written. A file pypdf cannot read, or one
locked with a password, is refused with a form error.

Other document formats (Word, OpenDocument, spreadsheets, EPUB) are stored as sent; the
admin says so where the file is chosen. Photos inside a PDF are not re-encoded.
"""

import io
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, FileNotDecryptedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Per-object metadata: XMP streams, and the private data applications keep about edits.
METADATA_KEYS = ("/Metadata", "/PieceInfo")
UNREADABLE = (
    "This PDF could not be read. Save or export it again as PDF (not password-protected) and "
    "upload that copy."
)
LOCKED = "This PDF is protected with a password. Save a copy without the password and upload that."


def is_pdf(file):
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    return b"%PDF-" in head or (getattr(file, "name", None) or "").lower().endswith(".pdf")


def strip_pdf_metadata(file):
    """A rewritten copy of the PDF `file` without /Info or XMP; ValidationError if unreadable."""
    file.seek(0)
    try:
        reader = PdfReader(file)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(LOCKED)
        pages = len(reader.pages)
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        _remove_object_metadata(writer.root_object)
        # Objects only the removed entries pointed at are not written.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        output = io.BytesIO()
        writer.write(output)
        if len(PdfReader(io.BytesIO(output.getvalue())).pages) != pages:
            raise ValidationError(UNREADABLE)
    except ValidationError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        # DependencyError: AES-encrypted, which needs a cryptography library we do not add.
        raise ValidationError(LOCKED) from exc
    except Exception as exc:
        # A hostile or broken file can make a parser raise almost anything (pypdf's own
        # errors, ValueError, KeyError, RecursionError, zlib errors): for the editor it is one
        # thing, a PDF we cannot clean, and never a 500.
        logging.getLogger(__name__).info("PDF refused: %r", exc)
        raise ValidationError(UNREADABLE) from exc
    finally:
        file.seek(0)
    return ContentFile(output.getvalue())


def _remove_object_metadata(root):
    """Delete METADATA_KEYS from every dictionary and stream reachable from `root`."""
    seen = set()
    pending = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in METADATA_KEYS:
                item.pop(key, None)
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)


def strip_uploaded_document(field_file):
    """If `field_file` holds a new, not yet stored PDF, swap in the copy without metadata."""
    if field_file and not getattr(field_file, "_committed", True) and is_pdf(field_file.file):
        field_file.file = strip_pdf_metadata(field_file.file)
