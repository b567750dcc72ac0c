"""oldaddresses 0001 and wordpress 0005, run on a database whose import records were made while
they belonged to `wordpress`: the same rows answer the same old addresses after the move."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oldaddresses.models import ImportedItem, ImportedMedia, ImportedTerm
from tests.factories import PageFactory, PublicationFactory

BEFORE_THE_MOVE = ("wordpress", "0004_imported_media_per_publication")
SITE = "https://old.example"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(BEFORE_THE_MOVE).apps


@pytest.mark.django_db(transaction=True)
def test_records_made_before_the_move_answer_the_same_old_addresses_after_it(client):
    old = migrate([("oldaddresses", None), BEFORE_THE_MOVE])
    publication = PublicationFactory()
    page = PageFactory()
    stored = default_storage.save("wordpress/report.pdf", ContentFile(b"%PDF-1.4 old"))
    item = {"site_url": SITE, "source_hash": "x", "target_hash": "y"}
    item |= {"imported_at": "2024-01-01T00:00:00Z", "post_type": "post"}
    old.get_model("wordpress", "ImportedItem").objects.create(
        wp_id=101,
        name="old-statement",
        post_date="2019-05-02",
        publication_id=publication.pk,
        **item,
    )
    old.get_model("wordpress", "ImportedItem").objects.create(
        wp_id=102, name="old-page", page_id=page.pk, **item | {"post_type": "page"}
    )
    old.get_model("wordpress", "ImportedTerm").objects.create(
        site_url=SITE, taxonomy="category", slug="cambodia", redirect_to="/publications/?country=kh"
    )
    old.get_model("wordpress", "ImportedMedia").objects.create(
        site_url=SITE, source="2019/05/report.pdf", stored_name=stored
    )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert (ImportedItem.objects.count(), ImportedTerm.objects.count()) == (2, 1)
    assert ImportedMedia.objects.get().stored_name == stored
    answers = {
        "/?p=101": publication.get_absolute_url(),
        "/2019/05/old-statement/": publication.get_absolute_url(),
        "/?page_id=102": page.get_absolute_url(),
        "/old-page/": page.get_absolute_url(),
        "/category/cambodia/": "/publications/?country=kh",
        "/wp-content/uploads/2019/05/report.pdf": default_storage.url(stored),
    }
    for old_address, target in answers.items():
        response = client.get(old_address)
        assert (response.status_code, response["Location"]) == (301, target), old_address
