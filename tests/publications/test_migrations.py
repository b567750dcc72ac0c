"""Data migrations of publications, run on rows written with the models of their time."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from publications.models import Publication

BEFORE_PARTNER_LINKS = [("publications", "0008_partner_organisations")]
BEFORE_TRANSLATION_KEYS = [("publications", "0019_move_files_to_private_storage")]


@pytest.mark.django_db(transaction=True)
def test_other_co_signers_lines_naming_a_partner_exactly_become_partner_signatures():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_PARTNER_LINKS)
    old = executor.loader.project_state(BEFORE_PARTNER_LINKS).apps
    partner_model = old.get_model("publications", "PartnerOrganisation")
    civicus = partner_model.objects.create(name="CIVICUS")
    partner_model.objects.create(name="Asia Justice Coalition")
    member = old.get_model("members", "MemberOrganisation").objects.create(
        name="Thai Lawyers for Rights",
        slug="tlhr",
        # Created if an earlier transactional test's flush emptied the loaded countries.
        country=old.get_model("members", "Country").objects.get_or_create(
            code="TH", defaults={"name": "Thailand", "slug": "thailand"}
        )[0],
    )
    publication = old.get_model("publications", "Publication").objects.create(
        title="Joint statement",
        slug="joint-statement",
        status="published",
        publish_at=timezone.now(),
        co_signers="  civicus \nCIVICUS International\nAsia Justice Coalition\nA local collective",
    )
    old.get_model("publications", "Signature").objects.create(
        publication=publication, member=member, order=4
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = Publication.objects.get(slug="joint-statement")
    assert moved.co_signers == "CIVICUS International\nA local collective"
    assert [(s.signatory.name, s.order) for s in moved.signatures.all()] == [
        ("Thai Lawyers for Rights", 4),
        ("CIVICUS", 5),
        ("Asia Justice Coalition", 6),
    ]
    assert moved.signatures.get(order=5).partner_id == civicus.pk


@pytest.mark.django_db(transaction=True)
def test_translation_groups_become_shared_keys_and_bodies_get_their_text():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_TRANSLATION_KEYS)
    old = executor.loader.project_state(BEFORE_TRANSLATION_KEYS).apps.get_model(
        "publications", "Publication"
    )

    def create(slug, **values):
        return old.objects.create(
            title=slug, slug=slug, status="published", publish_at=timezone.now(), **values
        )

    original = create("original", body="<p>Land&amp;rights <b>now</b></p>")
    create("thai", language="th", translation_of=original)
    create("khmer", language="km", translation_of=original)
    create("alone", language="th")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    keys = dict(Publication.objects.values_list("slug", "translation_key"))
    assert keys["original"] == keys["thai"] == keys["khmer"] != keys["alone"]
    assert Publication.objects.get(slug="original").body_text.split() == ["Land", "rights", "now"]
    cards = Publication.objects.published().one_per_group()
    assert sorted(cards.values_list("slug", flat=True)) == ["alone", "original"]
