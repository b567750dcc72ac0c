import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from publications.models import Publication
from tests.factories import StaffUserFactory, SuperUserFactory
from wordpress.models import ImportRun

from .conftest import export_xml, forum_asia_items

pytestmark = pytest.mark.django_db

ADD = "/admin/wordpress/importrun/add/"


@pytest.fixture
def superuser_client(client):
    client.force_login(SuperUserFactory())
    return client


def upload(client, data=None, **extra):
    export = SimpleUploadedFile("forum-asia.xml", data or export_xml(forum_asia_items()))
    return client.post(ADD, {"export": export, **extra})


def private_files(root):
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_only_superusers_reach_the_import(client):
    staff = StaffUserFactory()
    staff.user_permissions.set([])
    client.force_login(staff)
    assert client.get(ADD).status_code == 403
    assert client.get("/admin/wordpress/importrun/").status_code == 403
    assert upload(client).status_code == 403
    assert not ImportRun.objects.exists()


def test_upload_runs_a_dry_run_and_shows_its_report(superuser_client, private_exports, media_root):
    response = upload(superuser_client)
    run = ImportRun.objects.get()
    assert response["Location"] == f"/admin/wordpress/importrun/{run.pk}/change/"
    page = superuser_client.get(response["Location"]).content.decode()
    assert "Dry run: what the import would do" in page
    assert "Would import:" in page and "Skipped: 5" in page
    assert 'value="Import"' in page
    assert not Publication.objects.exists()
    # Kept privately until imported: outside MEDIA_ROOT, readable by the app only.
    (stored,) = private_files(private_exports)
    assert not stored.is_relative_to(media_root)
    assert stored.stat().st_mode & 0o077 == 0


def test_import_writes_the_content_and_deletes_the_upload(superuser_client, private_exports):
    upload(superuser_client)
    run = ImportRun.objects.get()
    assert superuser_client.get(f"/admin/wordpress/importrun/{run.pk}/import/").status_code == 405
    response = superuser_client.post(f"/admin/wordpress/importrun/{run.pk}/import/", follow=True)
    assert "Imported. The uploaded export has been deleted." in response.content.decode()
    run.refresh_from_db()
    assert run.state == "imported" and run.imported_at
    assert Publication.objects.count() == 9
    assert private_files(private_exports) == []
    csv_response = superuser_client.get(f"/admin/wordpress/importrun/{run.pk}/report.csv")
    assert b"redirect,101," in csv_response.content
    again = superuser_client.post(f"/admin/wordpress/importrun/{run.pk}/import/", follow=True)
    assert "cannot be imported now" in again.content.decode()
    assert Publication.objects.count() == 9


def test_discard_deletes_the_upload(superuser_client, private_exports):
    upload(superuser_client)
    run = ImportRun.objects.get()
    superuser_client.post(f"/admin/wordpress/importrun/{run.pk}/discard/")
    run.refresh_from_db()
    assert run.state == "discarded" and private_files(private_exports) == []
    assert not Publication.objects.exists()


def test_a_broken_export_shows_its_one_line_error_and_is_deleted(superuser_client, private_exports):
    response = upload(superuser_client, data=b"<html>not an export</html>")
    page = superuser_client.get(response["Location"]).content.decode()
    assert "not an RSS document" in page
    assert 'value="Import"' not in page
    assert ImportRun.objects.get().state == "failed"
    assert private_files(private_exports) == []


def test_type_rules_are_checked_on_upload(superuser_client):
    rules = SimpleUploadedFile("types.csv", b"prefix,Appeal,memo\n")
    response = upload(superuser_client, type_map=rules)
    assert response.status_code == 200
    assert "unknown type" in response.content.decode()
    assert not ImportRun.objects.exists()
