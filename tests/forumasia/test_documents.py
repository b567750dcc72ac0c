"""Documents are stored rebuilt by allow-list, on every route, or refused with a message.

The PDFs are built here with pikepdf, each hiding something of every kind a document can
carry about its author or run on a reader's machine (SECRETS); none may be in the stored
bytes, raw or inside any stream, while the pages, their text, the photos and the links that
readers follow are kept.
"""

import io
import json
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models import FileField, ImageField
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from bench.documents import add_page, helvetica, image_xobject, saved
from forumasia import documents
from forumasia.documents import clean_document
from publications.models import Attachment, Publication
from tests.publications.test_admin import ADD, form_data
from tests.wordpress.conftest import export_xml, uploads
from wordpress.services import import_export

GPS_IFD = 0x8825
# One per kind of hidden data planted by planted_pdf(); matched case-insensitively.
SECRETS = {
    "document information (/Info)": b"Jane Defender",
    "XMP of the catalogue": b"xmp-catalogue-secret",
    "XMP of a page": b"xmp-page-secret",
    "XMP of an image": b"xmp-image-secret",
    "EXIF of a photo (camera)": b"PhoneMaker-secret",
    "comment in a photo": b"photo-caption-secret",
    "embedded file": b"embedded-file-secret",
    "embedded file's description": b"attachment-desc-secret",
    "document JavaScript (/Names)": b"names-js-secret",
    "OpenAction": b"openaction-secret",
    "document /AA": b"doc-aa-secret",
    "page /AA": b"page-aa-secret",
    "annotation /AA": b"annot-aa-secret",
    "JavaScript link": b"link-js-secret",
    "Launch action": b"launch-secret",
    "URI to a file": b"uri-file-secret",
    "annotation author (/T)": b"annotator-secret",
    "annotation text": b"comment-secret",
    "popup author": b"popup-author-secret",
    "form field name": b"field-name-secret",
    "form field value": b"field-value-secret",
    "form field script": b"field-aa-secret",
    "XFA form": b"xfa-secret",
    "page-piece data (/PieceInfo)": b"pieceinfo-secret",
    "catalogue /PieceInfo": b"catalogue-private-data-secret",
    "page thumbnail": b"thumbnail-secret",
    "earlier revision": b"old-revision-secret",
}
VISIBLE_TEXT = "Visible report text"
WEB_LINK = "https://example.org/report"


def xmp(secret):
    return (
        b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + secret + b"</dc:creator>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )


def jpeg_with_gps(size=(64, 48)):
    """A phone photo: camera and GPS position in EXIF, turned by its orientation tag."""
    image = Image.new("RGB", size, "#8a1c2b")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker-secret"
    exif[0x0112] = 6  # rotate 90° when shown: a PDF viewer never does
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, comment=b"photo-caption-secret")
    return buffer.getvalue()


def _script(pdf, code):
    return pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String(code)))


def _link(rect, **target):
    return Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=rect, **target)


def planted_pdf(pages=3, **encryption):
    """A PDF of `pages` pages with text and a photo on each, links, and every kind of hidden
    data in SECRETS; then changed by an incremental save that leaves an earlier /Info in the
    file. Streams are left uncompressed, so the secrets can be found in the raw bytes."""
    pdf = pikepdf.new()
    font = helvetica(pdf)
    photo = image_xobject(pdf, jpeg_with_gps(), (64, 48))
    photo.Metadata = pdf.make_stream(xmp(b"xmp-image-secret"))
    for number in range(1, pages + 1):
        content = b"q 64 0 0 48 72 600 cm /Im0 Do Q BT /F1 12 Tf 72 720 Td (%s %d) Tj ET" % (
            VISIBLE_TEXT.encode(),
            number,
        )
        add_page(pdf, content, Font={"/F1": font}, XObject={"/Im0": photo})
    first = pdf.pages[0].obj
    first.Metadata = pdf.make_stream(xmp(b"xmp-page-secret"))
    first.PieceInfo = Dictionary(Word=Dictionary(Private=String("pieceinfo-secret")))
    first.Thumb = pdf.make_stream(
        b"thumbnail-secret", Width=4, Height=4, BitsPerComponent=8, ColorSpace=Name.DeviceGray
    )
    first.AA = Dictionary(O=_script(pdf, "app.alert('page-aa-secret')"))
    popup = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Popup,
            Rect=[0, 0, 10, 10],
            T=String("Popup-Author-secret"),
        )
    )
    note = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Text,
            Rect=[10, 10, 30, 30],
            T=String("Annotator-secret"),
            Contents=String("comment-secret"),
            Popup=popup,
        )
    )
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            Rect=[300, 300, 400, 320],
            T=String("field-name-secret"),
            V=String("field-value-secret"),
            AA=Dictionary(K=_script(pdf, "field-aa-secret")),
        )
    )
    first.Annots = Array(
        [
            note,
            popup,
            field,
            _link([72, 700, 200, 715], A=Dictionary(S=Name.URI, URI=String(WEB_LINK))),
            _link([72, 680, 200, 695], Dest=Array([pdf.pages[-1].obj, Name.Fit])),
            _link([72, 660, 200, 675], A=Dictionary(S=Name.Launch, F=String("launch-secret"))),
            _link(
                [72, 640, 200, 655],
                A=Dictionary(S=Name.URI, URI=String("file:///etc/uri-file-secret")),
            ),
            _link(
                [72, 620, 200, 635],
                A=_script(pdf, "link-js-secret"),
                AA=Dictionary(E=_script(pdf, "annot-aa-secret")),
            ),
        ]
    )
    pdf.Root.AcroForm = Dictionary(
        Fields=Array([field]), XFA=pdf.make_stream(b"<xdp>xfa-secret</xdp>")
    )
    pdf.Root.OpenAction = _script(pdf, "app.alert('openaction-secret')")
    pdf.Root.AA = Dictionary(WC=_script(pdf, "doc-aa-secret"))
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), _script(pdf, "names-js-secret")]))
    )
    pdf.attachments["notes.txt"] = pikepdf.AttachedFileSpec(
        pdf, b"embedded-file-secret", description="attachment-desc-secret"
    )
    pdf.Root.PieceInfo = Dictionary(App=Dictionary(Private=String("catalogue-private-data-secret")))
    pdf.Root.Lang = String("en")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["xmp-catalogue-secret"]
    pdf.docinfo["/Author"] = "Jane Defender"
    pdf.docinfo["/Subject"] = "old-revision-secret"
    output = io.BytesIO()
    pdf.save(
        output,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        compress_streams=False,
        fix_metadata_version=False,
        encryption=pikepdf.Encryption(**encryption) if encryption else False,
    )
    if encryption:
        return output.getvalue()
    return with_incremental_update(output.getvalue(), root=pdf.Root.objgen[0])


def with_incremental_update(data, *, root):
    """`data` saved again incrementally: a new /Info replaces the first one (the author and
    the earlier subject), which stays in the file as an earlier revision."""
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    size = int(re.findall(rb"/Size (\d+)", data)[-1])
    update = b"%d 0 obj\n<< /Title (Annual report) /Author (Jane Defender) >>\nendobj\n" % size
    xref = len(data) + len(update)
    update += (
        b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d >>"
        b"\nstartxref\n%d\n%%%%EOF\n" % (size, len(data), size + 1, root, size, previous, xref)
    )
    return data + update


def every_byte(data):
    """The file's raw bytes and every stream decoded, for searching."""
    parts = [data]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
    return b"\n".join(parts).lower()


def secrets_in(data):
    found = every_byte(data)
    return [kind for kind, secret in SECRETS.items() if secret.lower() in found]


def visible_text(pdf):
    return b" ".join(page.obj.Contents.read_bytes() for page in pdf.pages).decode("latin-1")


def assert_clean(data, pages=3):
    """No planted secret and no EXIF, while the pages, their text, the photo and the links
    readers follow are all there."""
    assert secrets_in(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == pages
        assert all(f"{VISIBLE_TEXT} {n}" in visible_text(pdf) for n in range(1, pages + 1))
        assert "/Info" not in pdf.trailer
        assert set(pdf.Root.keys()) <= {"/Type", "/Pages", "/Lang"}
        (photo,) = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
        with Image.open(io.BytesIO(photo.read_raw_bytes())) as image:
            assert not image.getexif()
            assert image.size == (64, 48)  # not turned: the page places it
        links = [annot for page in pdf.pages for annot in page.obj.get("/Annots", [])]
        assert [str(link.A.URI) for link in links if "/A" in link] == [WEB_LINK]
        assert [link.Dest[0].objgen for link in links if "/Dest" in link] == [
            pdf.pages[-1].obj.objgen
        ]


def office_file(kind):
    """A small Word or OpenDocument file whose properties name its author."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if kind == "odt":
            archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
            archive.writestr("meta.xml", "<meta><dc:creator>Jane Defender</dc:creator></meta>")
        else:
            archive.writestr("docProps/core.xml", "<cp><dc:creator>Jane Defender</dc:creator></cp>")
            archive.writestr("word/document.xml", "<w:document>Report</w:document>")
    return buffer.getvalue()


# --- The cleaning itself ----------------------------------------------------------------------


def test_the_planted_pdf_really_carries_every_kind_of_hidden_data():
    assert secrets_in(planted_pdf()) == list(SECRETS)


def test_every_kind_of_hidden_data_is_removed_and_what_readers_see_is_kept():
    assert_clean(clean_document(io.BytesIO(planted_pdf()), name="report.pdf").read())


def test_cleaning_a_cleaned_pdf_changes_nothing():
    once = clean_document(io.BytesIO(planted_pdf()), name="report.pdf").read()

    assert clean_document(io.BytesIO(once), name="report.pdf").read() == once


def test_a_pdf_locked_only_against_editing_is_cleaned():
    locked = planted_pdf(owner="owner", user="", R=4)

    cleaned = clean_document(io.BytesIO(locked), name="report.pdf").read()

    assert secrets_in(cleaned) == []
    assert not pikepdf.open(io.BytesIO(cleaned)).is_encrypted


def test_a_password_protected_pdf_is_refused_with_a_message():
    locked = planted_pdf(owner="owner", user="secret", R=4)

    with pytest.raises(ValidationError, match="protected with a password"):
        clean_document(io.BytesIO(locked), name="report.pdf")


def test_a_pdf_over_the_page_limit_is_refused_naming_the_count_and_the_limit(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PAGES", 5)

    with pytest.raises(ValidationError) as refused:
        clean_document(io.BytesIO(planted_pdf(pages=6)), name="report.pdf")

    assert refused.value.messages == ["This PDF has 6 pages; the limit is 5."]


def test_a_file_over_the_size_limit_is_refused_before_any_work(monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 2 * 1024 * 1024)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n" + b"0" * 3 * 1024 * 1024)

    with pytest.raises(ValidationError) as refused:
        clean_document(upload, name="report.pdf")

    assert refused.value.messages == ["This file is 3.0 MB; the limit is 2 MB."]


def many_photos_pdf(photos):
    pdf = pikepdf.new()
    for _ in range(photos):
        photo = image_xobject(pdf, jpeg_with_gps(size=(1200, 900)), (1200, 900))
        add_page(pdf, b"q 400 0 0 300 100 400 cm /Im0 Do Q", XObject={"/Im0": photo})
    return saved(pdf)


def test_cleaning_is_stopped_at_the_time_limit_with_a_message(monkeypatch):
    # 80 photos take seconds to re-encode and the child's Python alone takes longer than the
    # limit to start, so it is killed on any machine (a 1 s limit was met by a fast one).
    monkeypatch.setattr(documents, "MAX_SECONDS", 0.05)

    with pytest.raises(ValidationError) as refused:
        clean_document(io.BytesIO(many_photos_pdf(80)), name="report.pdf")

    assert "took longer than 0.05 seconds to clean" in refused.value.messages[0]


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
    with pytest.raises(ValidationError, match="could not be read|has no pages"):
        clean_document(io.BytesIO(data), name="report.pdf")


def test_a_photo_that_cannot_be_decoded_refuses_the_pdf_saying_why():
    data = planted_pdf()
    photo = jpeg_with_gps()
    broken = data.replace(photo, photo[:200] + b"\0" * (len(photo) - 200))

    with pytest.raises(ValidationError, match="An image in this PDF could not be cleaned"):
        clean_document(io.BytesIO(broken), name="report.pdf")


def inline_image_pdf(dictionary, data):
    pdf = pikepdf.new()
    add_page(pdf, b"q 50 0 0 50 72 600 cm BI " + dictionary + b" ID " + data + b" EI Q")
    return saved(pdf)


def test_a_photo_drawn_inline_in_a_page_refuses_the_pdf_saying_why():
    photo = inline_image_pdf(b"/W 64 /H 48 /CS /RGB /BPC 8 /F /DCT", jpeg_with_gps())

    with pytest.raises(ValidationError, match="inline image"):
        clean_document(io.BytesIO(photo), name="report.pdf")


def test_inline_pixels_are_kept():
    pixel = inline_image_pdf(b"/W 1 /H 1 /CS /G /BPC 8", b"\x80")

    cleaned = clean_document(io.BytesIO(pixel), name="report.pdf").read()

    with pikepdf.open(io.BytesIO(cleaned)) as pdf:
        assert b"/BPC 8 ID \x80 EI" in pdf.pages[0].Contents.read_bytes()


def test_photo_data_in_a_stream_that_does_not_say_it_is_an_image_is_refused():
    # Found by the mutation test below: one byte broke a photo's dictionary, its /Subtype went,
    # and its JPEG (EXIF and all) was copied through as an unknown stream.
    pdf = pikepdf.new()
    photo = image_xobject(pdf, jpeg_with_gps(size=(64, 48)), (64, 48))
    del photo["/Subtype"]
    add_page(pdf, b"q 64 0 0 48 100 400 cm /Im0 Do Q", XObject={"/Im0": photo})

    with pytest.raises(ValidationError, match="its description is damaged"):
        clean_document(io.BytesIO(saved(pdf)), name="report.pdf")


PLANTED = planted_pdf()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.tuples(st.integers(0, len(PLANTED) - 1), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=6,
    )
)
def test_any_mutated_pdf_is_cleaned_or_refused_never_an_error(mutations):
    data = bytearray(PLANTED)
    for at, replacement in mutations:
        data[at : at + len(replacement)] = replacement

    try:
        cleaned = clean_document(io.BytesIO(bytes(data)), name="report.pdf").read()
    except ValidationError:
        return
    # Whatever survives the damage is cleaned as thoroughly.
    assert [kind for kind in secrets_in(cleaned) if kind != "earlier revision"] == []


@pytest.mark.parametrize("extension", sorted(documents.REFUSED_FORMATS))
def test_formats_that_cannot_be_cleaned_are_refused_asking_for_a_pdf(extension):
    with pytest.raises(ValidationError) as refused:
        clean_document(io.BytesIO(office_file(extension)), name=f"report.{extension}")

    assert "Save it as PDF and upload the PDF." in refused.value.messages[0]


@pytest.mark.parametrize("extension", sorted(documents.PLAIN_TEXT_FORMATS))
def test_plain_text_is_stored_as_sent_when_it_is_text(extension):
    text = "ชื่อ,องค์กร\nSomchai,Forum\n".encode()

    assert clean_document(io.BytesIO(text), name=f"list.{extension}").read() == text
    with pytest.raises(ValidationError, match="not plain text"):
        clean_document(io.BytesIO(planted_pdf()), name=f"list.{extension}")


# --- Every route a document comes in by --------------------------------------------------------


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


def through_the_admin(client, tmp_path, name, data):
    """The attachment field of the publication form: (stored bytes or None, messages)."""
    response = client.post(ADD, attachment_form(SimpleUploadedFile(name, data)))
    attachment = Attachment.objects.first()
    if attachment is None:
        assert response.status_code == 200
        return None, response.content.decode()
    assert response.status_code == 302
    with attachment.file.open("rb") as stored:
        return stored.read(), ""


def through_the_wordpress_import(client, tmp_path, name, data):
    """A post linking the file, imported with the old site's uploads folder."""
    media = tmp_path / "uploads"
    (media / "2019/05").mkdir(parents=True)
    (media / "2019/05" / name).write_bytes(data)
    export = tmp_path / "export.xml"
    body = f'<p>Read the report.</p><p><a href="{uploads("2019/05/" + name)}">Download</a></p>'
    item = {"wp_id": 301, "title": "[Report] Annual report", "name": "annual", "content": body}
    export.write_bytes(export_xml([item]))

    report = import_export(export, media_dir=media)

    publication = Publication.objects.get()  # the post is imported whatever its file
    assert "Read the report." in publication.body
    attachment = publication.attachments.first()
    if attachment is None:
        return None, json.dumps(report.as_dict())
    with attachment.file.open("rb") as stored:
        return stored.read(), ""


def through_a_backup_restore(client, tmp_path, name, data):
    """A backup folder (deploy/backup's media/) holding the file, put back by restore_media."""
    stored_name = f"publications/files/2019/05/{name}"
    backup = tmp_path / "backup"
    (backup / "default" / Path(stored_name).parent).mkdir(parents=True)
    (backup / "default" / stored_name).write_bytes(data)
    (backup / "private").mkdir()
    out, err = io.StringIO(), io.StringIO()

    call_command("restore_media", str(backup), stdout=out, stderr=err)

    with default_storage.open(stored_name) as stored:
        restored = stored.read()
    # A document the cleaning refuses is put back as it was (the restored database points at
    # it) and named, with the reason, for someone to replace.
    return (None if restored == data else restored), err.getvalue()


ROUTES = {
    "admin attachment form": through_the_admin,
    "WordPress import": through_the_wordpress_import,
    "backup restore": through_a_backup_restore,
}


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_stores_a_pdf_without_any_hidden_data(publisher_client, tmp_path, route):
    stored, _messages = ROUTES[route](publisher_client, tmp_path, "report.pdf", planted_pdf())

    assert stored is not None
    assert_clean(stored)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("extension", ["docx", "odt", "doc", "xlsx"])
def test_every_route_refuses_word_and_opendocument_files_saying_to_upload_a_pdf(
    publisher_client, tmp_path, route, extension
):
    stored, messages = ROUTES[route](
        publisher_client, tmp_path, f"report.{extension}", office_file(extension)
    )

    assert stored is None
    assert "Save it as PDF and upload the PDF." in messages


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_every_route_refuses_a_broken_pdf_with_a_message(publisher_client, tmp_path, route):
    stored, messages = ROUTES[route](
        publisher_client, tmp_path, "report.pdf", b"%PDF-1.7\nnot really a PDF"
    )

    assert stored is None
    assert "This PDF could not be read" in messages


def test_every_file_field_of_the_project_stores_documents_through_the_cleaning():
    """A new kind of uploaded document must get a route above (or be an image: test_images)."""
    file_fields = {
        field
        for model in apps.get_models()
        if model.__module__.split(".")[0]
        in {"forumasia", "members", "publications", "pages"}
        | {"newsletter", "oldaddresses", "wordpress"}
        for field in model._meta.get_fields()
        if isinstance(field, FileField) and not isinstance(field, ImageField)
    }

    assert file_fields == {Attachment._meta.get_field("file")}


@pytest.mark.django_db
def test_an_attachment_saved_by_code_is_stored_cleaned():
    from tests.factories import PublicationFactory

    attachment = Attachment.objects.create(
        publication=PublicationFactory(),
        title="Annual report",
        file=ContentFile(planted_pdf(), name="report.pdf"),
    )

    with attachment.file.open("rb") as stored:
        assert_clean(stored.read())
    assert attachment.file_size == attachment.file.size
