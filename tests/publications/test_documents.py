"""Attachments: the admin says what cleaning removes and refuses, and an editor's refused
upload is a form error that saves nothing (the cleaning itself: tests/forumasia/test_documents.py).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from forumasia import documents
from publications.models import Attachment, Publication
from tests.forumasia.test_documents import attachment_form, office_file
from tests.publications.test_admin import ADD


def test_editor_is_told_why_a_word_file_was_refused_and_nothing_is_saved(editor_client):
    upload = SimpleUploadedFile("report.docx", office_file("docx"))

    response = editor_client.post(ADD, attachment_form(upload))

    assert response.status_code == 200
    assert "Word files are not accepted" in response.content.decode()
    assert not Publication.objects.exists()
    assert not Attachment.objects.exists()


def test_the_attachment_field_says_what_is_removed_what_is_refused_and_the_limits(editor_client):
    html = editor_client.get(ADD).content.decode()

    for promise in (
        "document properties (author, dates, software), XMP metadata, comments and their "
        "authors, form fields, bookmarks, attached files, scripts and links other than web and "
        "email links are removed",
        "photos are re-encoded without camera data or GPS position",
        "Word, OpenDocument, spreadsheet, RTF and EPUB files are refused",
        f"At most {documents.MAX_PAGES:,} pages and {documents.MAX_BYTES // 2**20} MB",
    ):
        assert promise in html
