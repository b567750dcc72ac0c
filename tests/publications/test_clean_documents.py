"""clean_documents: the archive's attachments, stored before documents were rebuilt by
allow-list, are cleaned once, in batches; a second run changes nothing."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from publications.models import Attachment
from tests.factories import PublicationFactory
from tests.forumasia.test_documents import assert_clean, office_file, planted_pdf

pytestmark = pytest.mark.django_db


def stored_attachment(name, data=None):
    """An attachment row whose file was stored as it was, as older releases did."""
    if data is not None:
        name = default_storage.save(name, ContentFile(data))
    attachment = Attachment(publication=PublicationFactory(), title=name)
    attachment.file.name = name
    attachment.save()
    return attachment


def run(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("clean_documents", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_every_stored_document_is_cleaned_once_and_a_second_run_changes_nothing():
    report = stored_attachment("publications/files/2019/01/report.pdf", planted_pdf())
    sharing = stored_attachment(report.file.name)  # the WordPress import shares files
    word = stored_attachment("publications/files/2019/01/notes.docx", office_file("docx"))
    stored_attachment("publications/files/2019/01/gone.pdf")

    out, err = run(batch_size=1)

    assert "1 cleaned, 0 already clean, 1 not cleaned, 1 missing" in out
    with default_storage.open(report.file.name) as stored:
        cleaned = stored.read()
    assert_clean(cleaned)
    for row in (report, sharing):
        row.refresh_from_db()
        assert (row.file.name, row.file_size) == (report.file.name, len(cleaned))
    assert f"Not cleaned: {word.file.name}: Word files are not accepted" in err
    assert "Missing: publications/files/2019/01/gone.pdf" in err

    out, _err = run()

    assert "0 cleaned, 1 already clean, 1 not cleaned, 1 missing" in out
    with default_storage.open(report.file.name) as stored:
        assert stored.read() == cleaned
