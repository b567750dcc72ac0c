"""clean_documents: the archive's attachments, stored before documents were rebuilt by
allow-list, are cleaned once, in batches; a second run changes nothing."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from forumasia.files import owned_files
from publications.models import Attachment
from tests.factories import PublicationFactory
from tests.forumasia.test_documents import assert_clean, office_file, planted_pdf

pytestmark = pytest.mark.django_db


def stored_attachment(filename, data=None, publication=None):
    """An attachment row whose file was stored as it was, as older releases did (in its
    publication's folder, where migration publications 0019 moved it)."""
    publication = publication or PublicationFactory()
    name = f"publications/{publication.files_key}/{filename}"
    if data is not None:
        name = owned_files.save(name, ContentFile(data))
    attachment = Attachment(publication=publication, title=filename)
    attachment.file.name = name
    attachment.save()
    return attachment


def run(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("clean_documents", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_every_stored_document_is_cleaned_once_and_a_second_run_changes_nothing(
    django_capture_on_commit_callbacks,
):
    report = stored_attachment("report.pdf", planted_pdf())
    old = report.file.name
    # Two rows naming one file, as before each publication owned its files: cleaned once.
    sharing = stored_attachment("report.pdf", publication=report.publication)
    sharing.file.name = old
    sharing.save()
    word = stored_attachment("notes.docx", office_file("docx"))
    gone = stored_attachment("gone.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        out, err = run(batch_size=1)

    assert "1 cleaned, 0 already clean, 1 not cleaned, 1 missing" in out
    report.refresh_from_db()
    assert report.file.name != old and not owned_files.exists(old)
    with owned_files.open(report.file.name) as stored:
        cleaned = stored.read()
    assert_clean(cleaned)
    sharing.refresh_from_db()
    assert (sharing.file.name, sharing.file_size) == (report.file.name, len(cleaned))
    assert report.file_size == len(cleaned)
    assert f"Not cleaned: {word.file.name}: Word files are not accepted" in err
    assert f"Missing: {gone.file.name}" in err

    out, _err = run()

    assert "0 cleaned, 1 already clean, 1 not cleaned, 1 missing" in out
    with owned_files.open(report.file.name) as stored:
        assert stored.read() == cleaned
