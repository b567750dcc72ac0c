"""The admin's WordPress import on the production task queue: the request only queues the dry
run and the import; a worker does them; the run's page refreshes itself until the report is
there, and a second click cannot start a second import."""

import pytest

from publications.models import Publication
from tests.forumasia.test_retries import DATABASE_QUEUE, run_worker
from tests.wordpress.test_admin import private_files, upload
from wordpress.models import ImportRun

pytestmark = pytest.mark.django_db(transaction=True)

REFRESH = '<meta http-equiv="refresh" content="3">'


@pytest.fixture
def superuser_client(client):
    from tests.factories import SuperUserFactory

    client.force_login(SuperUserFactory())
    return client


@pytest.fixture(autouse=True)
def database_queue(settings, migration_data):
    settings.TASKS = DATABASE_QUEUE


def test_the_dry_run_waits_for_a_worker_and_the_page_refreshes_until_its_report(
    superuser_client,
):
    response = upload(superuser_client)
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.CHECKING
    waiting = superuser_client.get(response["Location"]).content.decode()
    assert REFRESH in waiting and "this page refreshes itself" in waiting
    assert 'value="Import"' not in waiting

    run_worker()

    done = superuser_client.get(response["Location"]).content.decode()
    assert REFRESH not in done
    assert "Dry run: what the import would do" in done and 'value="Import"' in done


def test_the_import_runs_on_the_worker_once_however_often_it_is_asked(
    superuser_client, private_exports
):
    upload(superuser_client)
    run_worker()
    run = ImportRun.objects.get()
    url = f"/admin/wordpress/importrun/{run.pk}/import/"

    first = superuser_client.post(url, follow=True).content.decode()
    second = superuser_client.post(url, follow=True).content.decode()

    assert "The import has started" in first and REFRESH in first
    assert "cannot be imported now" in second
    assert not Publication.objects.exists()
    run_worker()
    run.refresh_from_db()
    assert run.state == ImportRun.State.IMPORTED
    assert Publication.objects.count() == 9
    assert private_files(private_exports) == []
    page = superuser_client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert "What the import did" in page and REFRESH not in page


def test_a_dry_run_that_crashes_is_recorded_and_the_page_stops_waiting(
    superuser_client, monkeypatch
):
    from wordpress import services

    def crash(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(services, "import_export", crash)
    upload(superuser_client)

    run_worker()

    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.FAILED
    assert "The check failed" in run.error
    page = superuser_client.get(f"/admin/wordpress/importrun/{run.pk}/change/").content.decode()
    assert REFRESH not in page
