"""Files stored before migration 0018 move into their publication's folder of the private storage
(publications 0019, publications/relocation.py): each row gets its own copy, the rows and their
history name the new files, the old public copies go (unless a page's text links one), what no
row uses leaves the public uploads, the WordPress import's records follow, and a second run
changes nothing.

Run as the real migrations (an editorial page's image moves too: pages 0007): the database is
taken back to before them, filled the way the old code filled it, and migrated forward.
"""

import json
from datetime import timedelta

import pytest
from django.apps import apps as current_apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from oldaddresses.models import ImportedItem, ImportedMedia
from publications.relocation import relocate_files
from tests.publications.conftest import image_bytes
from wordpress.services import publication_hash

BEFORE = [
    ("publications", "0015_attachment_file_help_text"),
    ("wordpress", "0003_imported_item_page_is_an_editorial_page"),
    ("pages", "0003_page_rights"),
]
OLD = {
    "image": "publications/images/2026/12/IMG_20261203_101500.jpg",
    "rendition": "renditions/publications/images/2026/12/IMG_20261203_101500-400.jpg",
    "gallery": "publications/gallery/2026/12/DSC00042.jpg",
    "report": "publications/files/2026/12/embargoed-report-2027.pdf",
    "wordpress": "wordpress/forum-asia.org/2019/05/defenders.jpg",
    "deleted": "publications/files/2025/01/withdrawn-report.pdf",
    "page image": "pages/images/2026/12/first-meeting.jpg",
    "page rendition": "renditions/pages/images/2026/12/first-meeting-400.jpg",
}
SITE = "https://www.forum-asia.org"


def old_layout(old):
    """Rows and files as the code before 0018 made them."""
    for key, name in OLD.items():
        data = image_bytes() if name.endswith(".jpg") else f"%PDF-1.7 {key}".encode()
        assert default_storage.save(name, ContentFile(data)) == name
    Publication = old.get_model("publications", "Publication")
    now = timezone.now()
    rendition = [{"width": 400, "height": 300, "jpeg": OLD["rendition"], "webp": ""}]
    draft = Publication.objects.create(
        title="Embargoed report",
        slug="embargoed-report",
        status="draft",
        publish_at=now,
        featured_image=OLD["image"],
        featured_image_renditions=rendition,
    )
    # A translation shared its original's stored image and renditions.
    translation = Publication.objects.create(
        title="รายงาน",
        slug="embargoed-report-th",
        status="published",
        publish_at=now - timedelta(days=1),
        language="th",
        translation_of=draft,
        featured_image=OLD["image"],
        featured_image_renditions=rendition,
    )
    old.get_model("publications", "GalleryImage").objects.create(
        publication=draft, image=OLD["gallery"], alt_text="A crowd"
    )
    old.get_model("publications", "Attachment").objects.create(
        publication=draft, title="Report", file=OLD["report"]
    )
    # The WordPress import: one photo as a featured image that the body shows too.
    imported = Publication.objects.create(
        title="Release the defenders",
        slug="release-the-defenders",
        status="published",
        publish_at=now - timedelta(days=2),
        featured_image=OLD["wordpress"],
        body=f'<p><img src="/media/{OLD["wordpress"]}" alt="Defenders"></p>',
    )
    old.get_model("wordpress", "ImportedMedia").objects.create(
        site_url=SITE, source="2019/05/defenders.jpg", stored_name=OLD["wordpress"]
    )
    old.get_model("wordpress", "ImportedItem").objects.create(
        site_url=SITE,
        wp_id=101,
        post_type="post",
        name="release-the-defenders",
        publication=imported,
        source_hash="s",
        target_hash=publication_hash(imported, tags=[], countries=[]),
        imported_at=now,
    )
    # An editorial page's image, public too then (pages 0007 moves it the same way).
    old.get_model("pages", "Page").objects.create(
        title="Our history",
        path="/our-history/",
        status="draft",
        publish_at=now,
        hero_image=OLD["page image"],
        hero_image_renditions=[
            {"width": 400, "height": 300, "jpeg": OLD["page rendition"], "webp": ""}
        ],
    )
    content_type, _ = old.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="publications", model="publication"
    )
    revision = old.get_model("reversion", "Revision").objects.create(
        date_created=now, comment="Saved as draft"
    )
    old.get_model("reversion", "Version").objects.create(
        revision=revision,
        object_id=str(draft.pk),
        content_type=content_type,
        db="default",
        format="json",
        serialized_data=json.dumps(
            [
                {
                    "model": "publications.publication",
                    "pk": draft.pk,
                    "fields": {
                        "featured_image": OLD["image"],
                        "featured_image_renditions": rendition,
                    },
                }
            ]
        ),  # fmt: skip
        object_repr="Embargoed report",
    )
    return draft.pk, translation.pk, imported.pk


@pytest.mark.django_db(transaction=True)
def test_old_files_move_into_each_publications_own_folder_and_leave_the_public_uploads(
    migration_data,
):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    history = ("reversion", "0002_add_index_on_version_for_content_type_and_db")
    old = executor.loader.project_state([*BEFORE, history]).apps
    draft_pk, translation_pk, imported_pk = old_layout(old)
    # What the import recorded: the item as it imported it (unchanged here since).
    item = ImportedItem.objects.get(wp_id=101)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from publications.models import Publication

    draft, translation, imported = (
        Publication.objects.get(pk=pk) for pk in (draft_pk, translation_pk, imported_pk)
    )
    private, public = storages["private"], default_storage
    for publication in (draft, translation, imported):
        folder = f"publications/{publication.files_key}/"
        names = [publication.featured_image.name] + [
            r["jpeg"] for r in publication.featured_image_renditions
        ]
        for row in (*publication.gallery_images.all(), *publication.attachments.all()):
            names.append((getattr(row, "image", None) or row.file).name)
        for name in names:
            assert name.startswith(folder) and private.exists(name), name
    # Copies of their own: the translation no longer shares its original's files.
    assert draft.featured_image.name != translation.featured_image.name
    with (
        private.open(draft.featured_image.name) as mine,
        private.open(translation.featured_image.name) as theirs,
    ):
        assert mine.read() == theirs.read() == image_bytes()
    # The old public copies are gone, but for the one a body links; the body still works.
    assert not any(public.exists(OLD[key]) for key in ("image", "rendition", "gallery", "report"))
    assert public.exists(OLD["wordpress"])
    # The page's image and rendition (in the same old renditions/ folder as publications',
    # still in use when publications' files moved) are the page's own now.
    from pages.models import Page

    page = Page.objects.get(path="/our-history/")
    for name in (page.hero_image.name, page.hero_image_renditions[0]["jpeg"]):
        assert name.startswith(f"pages/{page.files_key}/") and private.exists(name)
    assert not public.exists(OLD["page image"]) and not public.exists(OLD["page rendition"])
    # What no row used left the public uploads for the private storage, served by nothing.
    assert not public.exists(OLD["deleted"])
    assert private.exists(f"retired/{OLD['deleted']}")
    # The history names the moved files: restoring the draft's version brings back its image.
    from reversion.models import Version

    (version,) = Version.objects.get_for_object(draft)
    assert version.field_dict["featured_image"] == draft.featured_image.name
    # The import's records follow: the old address leads to the public copy, the copy of the
    # publication is recorded for it, and the item still counts as unchanged since its import.
    copies = ImportedMedia.objects.filter(source="2019/05/defenders.jpg")
    assert {(c.publication_id, c.use, c.stored_name) for c in copies} == {
        (None, "", OLD["wordpress"]),
        (imported.pk, "featured", imported.featured_image.name),
    }
    item.refresh_from_db()
    assert item.target_hash == publication_hash(imported, tags=[], countries=[])

    assert relocate_files(current_apps) == {"moved": 0, "missing": 0, "retired": 0}
