"""Publications' background work on the production queue: an editor's save does not wait for
renditions, the public page shows the image as soon as a worker has made them (cached pages
included), and search-index rebuilds run on a worker."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from publications.models import GalleryImage, Publication
from publications.search import search
from tests.factories import PublicationFactory
from tests.forumasia.test_retries import DATABASE_QUEUE, run_worker
from tests.publications.test_admin import ADD, form_data, jpeg

pytestmark = pytest.mark.django_db(transaction=True)

HERO = 'class="pub-hero-image"'


@pytest.fixture(autouse=True)
def database_queue(settings, migration_data):
    settings.TASKS = DATABASE_QUEUE


def test_the_save_queues_renditions_and_the_page_shows_the_image_once_they_are_made(
    publisher_client,
):
    data = form_data(_transition="publish", featured_image=jpeg(), featured_image_alt="A march")
    inline = {"image": jpeg("gallery.jpg"), "alt_text": "A crowd at dusk", "order": "0"}
    data.update({"gallery_images-TOTAL_FORMS": "1"})
    data.update({f"gallery_images-0-{field}": value for field, value in inline.items()})
    assert publisher_client.post(ADD, data).status_code == 302

    publication = Publication.objects.get()
    assert publication.featured_image_renditions == []
    assert DBTaskResult.objects.ready().count() == 2
    visitor = Client()
    before = visitor.get(publication.get_absolute_url()).content.decode()
    assert HERO not in before
    assert visitor.get(publication.get_absolute_url()).content.decode() == before  # cached

    run_worker()

    publication.refresh_from_db()
    assert [r["width"] for r in publication.featured_image_renditions] == [400, 800, 1000]
    assert len(GalleryImage.objects.get().renditions) == 3
    after = visitor.get(publication.get_absolute_url()).content.decode()
    assert HERO in after and "400w" in after


def test_renditions_of_a_publication_deleted_meanwhile_are_not_made(publisher_client):
    data = form_data(_transition="publish", featured_image=jpeg(), featured_image_alt="A march")
    publisher_client.post(ADD, data)
    Publication.objects.all().delete()

    run_worker()

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_search_index_rebuild_runs_on_a_worker():
    if connection.vendor != "postgresql":
        pytest.skip("the search index is PostgreSQL's")
    publication = PublicationFactory(title="Migrant workers in the Gulf")
    Publication.objects.update(search_vector=None)  # as after a bulk load
    out = io.StringIO()

    call_command("rebuild_search_index", stdout=out)

    assert "Queued" in out.getvalue()
    assert list(search(Publication.objects.all(), "migrant")[0]) == []
    run_worker()
    assert list(search(Publication.objects.all(), "migrant")[0]) == [publication]
