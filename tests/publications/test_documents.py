"""PDF attachments are stored without the metadata that names their author."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from publications.documents import strip_pdf_metadata
from publications.models import Attachment, Publication
from tests.factories import PublicationFactory
from tests.publications.test_admin import ADD, form_data

SECRETS = (b"Jane Defender", b"SecretLaptop", b"xmp-author-secret", b"page-xmp-secret")


def xmp(secret):
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + secret + b"</dc:creator>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def pdf_with_metadata(pages=2, **encrypt):
    """A PDF whose author is in /Info, the catalogue's XMP, a page's XMP and a private
    /PieceInfo, then changed by an incremental save that leaves the first /Info in the file."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Jane Defender", "/Creator": "SecretLaptop Word"})
    writer.xmp_metadata = xmp(b"xmp-author-secret")
    page_xmp = StreamObject()
    page_xmp.set_data(xmp(b"page-xmp-secret"))
    writer.pages[0][NameObject("/Metadata")] = writer._add_object(page_xmp)
    if encrypt:
        writer.encrypt(**encrypt, algorithm="RC4-128")
    first = io.BytesIO()
    writer.write(first)
    if encrypt:
        return first.getvalue()
    update = PdfWriter(io.BytesIO(first.getvalue()), incremental=True)
    update.add_metadata({"/Title": "Annual report"})
    second = io.BytesIO()
    update.write(second)
    return second.getvalue()


def assert_no_author(data, pages=2):
    assert not [secret for secret in SECRETS if secret in data]
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages
    assert not reader.metadata
    assert reader.xmp_metadata is None
    assert all("/Metadata" not in page for page in reader.pages)


def test_every_author_trace_is_removed_and_the_pages_kept():
    original = pdf_with_metadata()
    assert all(secret in original for secret in SECRETS)

    assert_no_author(strip_pdf_metadata(SimpleUploadedFile("report.pdf", original)).read())


def test_a_pdf_locked_only_against_editing_is_cleaned():
    original = pdf_with_metadata(user_password="", owner_password="owner")

    assert_no_author(strip_pdf_metadata(SimpleUploadedFile("report.pdf", original)).read())


def test_a_password_protected_pdf_is_refused_with_a_message():
    locked = pdf_with_metadata(user_password="secret", owner_password="owner")

    with pytest.raises(ValidationError, match="protected with a password"):
        strip_pdf_metadata(SimpleUploadedFile("report.pdf", locked))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"%PDF-1.7\nnot really a PDF",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
        b"<html><script>alert(1)</script></html>",
    ],
    ids=["empty", "header only", "broken objects", "html"],
)
def test_a_pdf_that_cannot_be_read_is_refused_with_a_message(data):
    with pytest.raises(ValidationError, match="could not be read"):
        strip_pdf_metadata(SimpleUploadedFile("report.pdf", data))


def test_any_damaged_copy_is_cleaned_or_refused_never_an_error():
    original = pdf_with_metadata()
    damaged = [original[:cut] for cut in range(0, len(original), max(1, len(original) // 40))]
    damaged += [
        original[:at] + bytes([original[at] ^ 0xFF]) + original[at + 1 :]
        for at in range(0, len(original), max(1, len(original) // 40))
    ]

    for data in damaged:
        try:
            cleaned = strip_pdf_metadata(SimpleUploadedFile("report.pdf", data)).read()
        except ValidationError:
            continue
        assert not [secret for secret in SECRETS[:2] if secret in cleaned]


# --- Every way an attachment is saved -----------------------------------------------------------


@pytest.mark.django_db
def test_an_attachment_saved_by_code_is_stored_without_metadata():
    attachment = Attachment.objects.create(
        publication=PublicationFactory(),
        title="Annual report",
        file=ContentFile(pdf_with_metadata(), name="report.pdf"),
    )

    with attachment.file.open("rb") as stored:
        assert_no_author(stored.read())
    assert attachment.file_size == attachment.file.size


@pytest.mark.django_db
def test_other_document_formats_are_stored_as_sent():
    attachment = Attachment.objects.create(
        publication=PublicationFactory(),
        title="Notes",
        file=ContentFile(b"Plain notes by Jane Defender", name="notes.txt"),
    )

    with attachment.file.open("rb") as stored:
        assert stored.read() == b"Plain notes by Jane Defender"


def attachment_form(upload):
    return form_data(
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "Annual report",
            "attachments-0-file": upload,
            "attachments-0-language": "en",
            "attachments-0-order": "0",
        }
    )


def test_editor_uploads_a_pdf_and_it_is_published_without_its_author(editor_client):
    response = editor_client.post(
        ADD, attachment_form(SimpleUploadedFile("r.pdf", pdf_with_metadata()))
    )

    assert response.status_code == 302
    with Attachment.objects.get().file.open("rb") as stored:
        assert_no_author(stored.read())


def test_editor_is_told_why_a_broken_pdf_was_refused_and_nothing_is_saved(editor_client):
    broken = SimpleUploadedFile("report.pdf", b"%PDF-1.7\nnot really a PDF")

    response = editor_client.post(ADD, attachment_form(broken))

    assert response.status_code == 200
    assert "This PDF could not be read" in response.content.decode()
    assert not Publication.objects.exists()


def test_the_attachment_field_says_what_is_removed_and_what_is_not(editor_client):
    html = editor_client.get(ADD).content.decode()

    assert "A PDF is published without its document properties" in html
    assert "Other formats keep theirs" in html
