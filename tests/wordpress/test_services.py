import io
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from forumasia.files import owned_files
from oldaddresses.models import ImportedItem, ImportedMedia, ImportedTerm
from pages import services as page_services
from pages.models import Page
from publications import services as publication_services
from publications.models import Attachment, GalleryImage, Publication
from publications.search import search
from tests.factories import publisher
from wordpress import services
from wordpress.services import import_export
from wordpress.wxr import WXRError

from .conftest import KHMER, THAI, export_xml, forum_asia_items

pytestmark = pytest.mark.django_db

BANGKOK = timezone.get_fixed_timezone(7 * 60)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Search vectors are PostgreSQL's (SQLite has none to write)",
)


def by_wp_id(wp_id):
    return ImportedItem.objects.get(wp_id=wp_id).target


def stored_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def snapshot():
    models = [Publication, Page, Attachment, GalleryImage, ImportedItem, ImportedTerm]
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models} | {
        "media": list(ImportedMedia.objects.values_list("source", flat=True)),
        "tags": sorted(Publication.tags.through.objects.values_list("tag__name", flat=True)),
    }


@pytest.fixture
def imported(export_file, media_dir, commit):
    path = export_file()
    report = import_export(path, media_dir=media_dir)
    commit()
    return path, report


# --- statuses ---------------------------------------------------------------------------------


def test_published_post_keeps_its_date_and_becomes_public(imported):
    statement = by_wp_id(101)
    assert statement.status == "published"
    assert statement.publish_at == datetime(2019, 5, 14, 3, 0, tzinfo=UTC)
    assert statement.is_public


def test_future_post_is_scheduled_at_its_date(imported):
    scheduled = by_wp_id(107)
    assert scheduled.status == "published"
    assert scheduled.publish_at == datetime(2099, 1, 1, 2, 0, tzinfo=UTC)
    assert scheduled.status_label == "Scheduled" and not scheduled.is_public


def test_a_scheduled_post_goes_public_at_its_time(export_file):
    moment = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    items = [
        {
            "wp_id": 7,
            "title": "[Statement] Tonight",
            "name": "tonight",
            "status": "future",
            "date_gmt": f"{moment:%Y-%m-%d %H:%M:%S}",
        }
    ]
    import_export(export_file(items))
    publication = by_wp_id(7)
    assert not Publication.objects.published().filter(pk=publication.pk).exists()
    with time_machine.travel(moment + timedelta(seconds=1)):
        assert Publication.objects.published().filter(pk=publication.pk).exists()


def test_a_draft_post_is_a_draft(imported):
    draft = by_wp_id(105)
    assert draft.status == "draft"
    # No GMT date in the export: the local date is read in the Secretariat's time zone.
    assert draft.publish_at == datetime(2021, 6, 1, 10, 0, tzinfo=BANGKOK)
    assert draft.slug == "nepal-draft-on-transitional-justice"


def test_a_pending_post_waits_in_review(imported, client):
    # WordPress's "Pending Review" is our In review (the issue said draft: a deliberate change,
    # so the reviewers find it where they look for work waiting for them).
    _, report = imported
    pending = by_wp_id(106)
    assert pending.status == Publication.Status.REVIEW
    assert pending.status_label == "In review"
    assert list(Publication.objects.in_review()) == [pending]
    assert not pending.is_public
    assert client.get(pending.get_absolute_url()).status_code == 404
    assert report.counts["publication|statement|in review"] == 1


def test_a_password_protected_post_is_a_draft_and_reported_whatever_its_status(export_file):
    items = [
        {"wp_id": 7, "title": "[Statement] Members only", "name": "members-only", "password": "s3"},
        {
            "wp_id": 8,
            "title": "[Statement] Later, members only",
            "name": "later",
            "status": "future",
            "date_gmt": "2099-01-01 02:00:00",
            "password": "s3",
        },
    ]

    report = import_export(export_file(items))

    for wp_id in (7, 8):
        publication = by_wp_id(wp_id)
        assert publication.status == Publication.Status.DRAFT and not publication.is_public
    rows = report.section("not public")
    assert [(row.wp_id, row.detail) for row in rows] == [
        (7, "password-protected on the old site: imported as a draft"),
        (8, "password-protected on the old site: imported as a draft"),
    ]
    assert report.counts == {"publication|statement|draft": 2}
    assert "Not public on the old site (imported as drafts, to review): 2" in report.lines()
    # The password is not kept anywhere.
    assert "s3" not in str(list(Publication.objects.values()))


def test_a_post_whose_schedule_was_missed_on_the_old_site_is_a_draft(export_file):
    items = [
        {
            "wp_id": 7,
            "title": "[Statement] Missed",
            "name": "missed",
            "status": "future",
            "date_gmt": "2019-05-14 03:00:00",
        }
    ]

    report = import_export(export_file(items))

    assert by_wp_id(7).status == Publication.Status.DRAFT
    (row,) = report.section("not public")
    assert "scheduled on the old site for a time that has passed" in row.detail


def test_a_password_protected_page_is_a_draft_and_reported(export_file):
    items = [{"wp_id": 9, "title": "Board", "name": "board", "post_type": "page", "password": "x"}]

    report = import_export(export_file(items))

    assert Page.objects.get(path="/board/").status == Page.Status.DRAFT
    assert not Page.objects.published().filter(path="/board/").exists()
    (row,) = report.section("not public")
    assert "password-protected on the old site" in row.detail


WORDPRESS_STATUSES = ["publish", "future", "draft", "pending", "private", "trash", "auto-draft"]


# `commit` holds nothing between examples.
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    posts=st.lists(
        st.fixed_dictionaries(
            {
                "post_type": st.sampled_from(["post", "page"]),
                "status": st.sampled_from([*WORDPRESS_STATUSES, "inherit", "odd"]),
                "password": st.sampled_from(["", "s3cret", " ", "0"]),
                "days": st.sampled_from([-400, -1, 1, 400]),
            }
        ),
        min_size=1,
        max_size=6,
    )
)
def test_nothing_that_was_not_public_on_wordpress_is_public_here(tmp_path_factory, posts, commit):
    """Every status, with and without a password, dated before and after now, posts and pages:
    public here exactly what was public there (published, no password), by URL, in the list,
    the feed and the sitemap, and through the old addresses."""
    Publication.objects.all().delete()
    Page.objects.all().delete()
    ImportedItem.objects.all().delete()
    now = timezone.now()
    items = [
        {
            "wp_id": 1000 + index,
            "title": f"[Statement] Item {index} {post['status']}",
            "name": f"item-{index}",
            "post_type": post["post_type"],
            "status": post["status"],
            "password": post["password"],
            "date_gmt": f"{now + timedelta(days=post['days']):%Y-%m-%d %H:%M:%S}",
        }
        for index, post in enumerate(posts)
    ]
    path = tmp_path_factory.mktemp("export") / "export.xml"
    path.write_bytes(export_xml(items))

    import_export(path)
    commit()

    client = Client()
    listing = client.get("/publications/").content.decode()
    feed = client.get("/feeds/rss/").content.decode()
    sitemap = client.get("/sitemap-publications.xml").content.decode()
    for item, post in zip(items, posts, strict=True):
        public_there = post["status"] == "publish" and not post["password"]
        record = ImportedItem.objects.filter(wp_id=item["wp_id"]).first()
        target = record and record.target
        if target is None:
            assert not public_there, item
            continue
        if post["post_type"] == "page":
            # Public now, or at its date (a page dated ahead is scheduled).
            public_here = Page.objects.published().filter(pk=target.pk).exists()
            assert public_here == (public_there and post["days"] < 0), item
            assert (client.get(target.path).status_code == 200) == public_here, item
            continue
        address = target.get_absolute_url()
        if public_there:
            # Public now, or at its date (a post dated ahead is scheduled).
            assert (client.get(address).status_code == 200) == (post["days"] < 0), item
            continue
        assert client.get(address).status_code == 404, item
        assert address not in listing and address not in feed and address not in sitemap, item
        old_address = client.get("/", {"p": item["wp_id"]})
        assert old_address.status_code == 200 and "Location" not in old_address, item


@pytest.mark.parametrize(
    ("wp_id", "reason"),
    [
        (108, "private on the old site"),
        (109, "in the old site's trash"),
        (110, "an automatic draft"),
        (111, "a revision"),
        (112, "a navigation menu entry"),
    ],
)
def test_private_trashed_automatic_revisions_and_menus_are_skipped_and_reported(
    imported, wp_id, reason
):
    _, report = imported
    assert not ImportedItem.objects.filter(wp_id=wp_id).exists()
    (row,) = [row for row in report.section("skipped") if row.wp_id == wp_id]
    assert reason in row.detail


def test_report_counts_per_type_and_status(imported):
    _, report = imported
    assert report.counts == {
        "publication|statement|published": 3,
        "publication|letter|published": 1,
        "publication|report|published": 1,
        "publication|story|published": 1,
        "publication|statement|draft": 1,
        "publication|statement|in review": 1,
        "publication|statement|scheduled": 1,
        "page|page|published": 4,
    }
    assert report.outcomes["created"] == 13 and report.outcomes["skipped"] == 5
    assert report.ignored == {
        "attachments (imported where a post uses them)": 4,
        "authors": 1,
        "comments": 2,
    }


# --- what a post becomes ------------------------------------------------------------------------


def test_post_fields_type_countries_tags_and_body(imported):
    statement = by_wp_id(101)
    assert statement.type == "statement"
    assert statement.title == "Cambodia: Release detained land rights defenders"
    assert statement.slug == "cambodia-release-detained-land-rights-defenders"
    assert statement.standfirst == "Sample: the network calls for the release of nine defenders."
    assert [c.code for c in statement.countries.all()] == ["KH"]
    assert list(statement.tags.names()) == ["Land rights"]
    assert KHMER in statement.body
    assert "<figcaption>Defenders outside the court</figcaption>" in statement.body
    assert "[caption" not in statement.body and "contact-form-7" not in statement.body
    assert "forum-asia.org/wp-content" not in statement.body
    assert KHMER in statement.body_text and "<figcaption>" not in statement.body_text


def test_each_imported_post_is_a_translation_group_of_its_own(imported):
    keys = list(Publication.objects.values_list("translation_key", flat=True))

    assert len(keys) > 1 and len(set(keys)) == len(keys)
    assert Publication.objects.published().count_groups() == Publication.objects.published().count()


def test_types_from_prefixes_and_categories(imported):
    assert by_wp_id(102).type == "letter"
    assert by_wp_id(103).type == "statement"
    assert [c.code for c in by_wp_id(103).countries.all()] == ["MM"]
    assert by_wp_id(104).type == "report"
    # No excerpt: the body's beginning, as WordPress shows it.
    assert by_wp_id(104).standfirst == "The year in review."
    assert by_wp_id(114).type == "story"


def test_thai_post_gets_an_ascii_slug_thai_language_and_a_warning_for_its_type(imported):
    _, report = imported
    thai = by_wp_id(113)
    assert thai.title == THAI
    assert thai.language == "th"
    assert re.fullmatch(r"[-a-z0-9]+", thai.slug)
    assert "<p>ข้อความภาษาไทย</p>" in thai.body
    assert any(
        row.wp_id == 113 and "imported as a statement" in row.detail
        for row in report.section("warning")
    )


def test_featured_image_is_stripped_of_gps_with_alt_text_and_renditions(imported):
    statement = by_wp_id(101)
    folder = f"publications/{statement.files_key}/"
    assert re.fullmatch(rf"{folder}[0-9a-f]{{32}}\.jpg", statement.featured_image.name)
    assert statement.featured_image_alt == "Nine defenders outside the court in Phnom Penh"
    with statement.featured_image.open("rb") as handle, Image.open(handle) as image:
        assert not image.getexif()
    widths = [rendition["width"] for rendition in statement.featured_image_renditions]
    assert widths == [400, 800, 1200]
    assert all(r["webp"].startswith(folder) for r in statement.featured_image_renditions)
    assert all(owned_files.exists(r["webp"]) for r in statement.featured_image_renditions)
    # The body shows the photo too: from a public copy of its own, not the publication's.
    (shown,) = re.findall(r'<img src="/media/(wordpress/[0-9a-f]{32}\.jpg)"', statement.body)
    with default_storage.open(shown) as public, statement.featured_image.open("rb") as own:
        assert public.read() == own.read()


def test_pdfs_become_attachments_and_body_links_point_at_them(imported):
    statement, report = by_wp_id(101), by_wp_id(104)
    (khmer_pdf,) = statement.attachments.all()
    assert re.fullmatch(
        rf"publications/{statement.files_key}/[0-9a-f]{{32}}\.pdf", khmer_pdf.file.name
    )
    assert khmer_pdf.title == "statement-km"
    assert khmer_pdf.file_size > 0
    assert f'href="{khmer_pdf.file.url}"' in statement.body
    (annual,) = report.attachments.all()
    assert annual.title == "Annual report 2018 (PDF)"


def test_videos_and_galleries(imported):
    _, report = imported
    letter = by_wp_id(102)
    assert letter.video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    (photo,) = letter.gallery_images.all()
    assert photo.alt_text == "Students at the rally" and photo.renditions
    assert by_wp_id(114).video_url == "https://vimeo.com/123456"
    assert [row.detail for row in report.section("missing media")] == [
        "https://www.forum-asia.org/wp-content/uploads/2020/02/lost.jpg: "
        "missing from the media folder"
    ]


def test_unknown_shortcodes_are_reported(imported):
    _, report = imported
    warnings = {(row.wp_id, row.detail) for row in report.section("warning")}
    assert (101, "unknown shortcode [contact-form-7] removed (1×)") in warnings
    assert (103, "unknown shortcode [vc_row] removed (1×)") in warnings


def test_pages_become_editorial_pages_at_their_path_or_beside_a_current_page(imported):
    _, report = imported
    assert by_wp_id(120).path == "/about-network/"
    assert by_wp_id(121).path == "/about-network/history/"
    assert by_wp_id(122).path == "/pages/about/"
    assert by_wp_id(123).path == "/pages/publications/"
    assert Page.objects.get(path="/about/").title == "About us"
    assert "Sample text" in Page.objects.get(path="/about/").body
    assert any("imported at /pages/about/" in row.detail for row in report.section("warning"))
    assert all(by_wp_id(wp_id).is_public for wp_id in (120, 121, 122, 123))


def test_pages_keep_their_wordpress_state_and_only_published_ones_are_public(export_file):
    pages = [
        {"wp_id": 130, "title": "Live", "post_type": "page", "name": "live"},
        {"wp_id": 131, "title": "Draft", "post_type": "page", "name": "", "status": "draft"},
        {"wp_id": 132, "title": "Pending", "post_type": "page", "name": "p", "status": "pending"},
        {
            "wp_id": 133,
            "title": "Future",
            "post_type": "page",
            "name": "future",
            "status": "future",
            "date_gmt": "2099-01-01 02:00:00",
        },
        {"wp_id": 134, "title": "Private", "post_type": "page", "name": "x", "status": "private"},
    ]

    import_export(export_file(pages))

    states = {wp_id: by_wp_id(wp_id).status_label for wp_id in (130, 131, 132, 133)}
    assert states == {130: "Published", 131: "Draft", 132: "In review", 133: "Scheduled"}
    assert by_wp_id(131).path == "/pages/wordpress-131/"  # a draft without a name
    assert not ImportedItem.objects.filter(wp_id=134).exists()
    assert [page.path for page in Page.objects.published().filter(path__in=["/live/", "/p/"])] == [
        "/live/"
    ]


def test_a_page_a_publisher_took_down_stays_down_when_the_site_is_imported_again(
    imported, export_file, media_dir
):
    page_services.unpublish(pages=[by_wp_id(120)], user=publisher())

    report = import_export(export_file(name="again.xml"), media_dir=media_dir)

    assert by_wp_id(120).status_label == "Unpublished"
    assert 120 in {row.wp_id for row in report.section("kept")}


def test_without_media_the_import_goes_on_and_lists_what_is_missing(export_file):
    report = import_export(export_file())
    statement = by_wp_id(101)
    assert statement.is_public and not statement.featured_image
    assert "<img" not in statement.body
    missing = {
        row.detail.split(":")[0] + ":" + row.detail.split(":")[1]
        for row in report.section("missing media")
    }
    assert "https://www.forum-asia.org/wp-content/uploads/2019/05/defenders.jpg" in missing


# --- re-runs ----------------------------------------------------------------------------------


def test_a_second_run_changes_nothing_and_duplicates_nothing(imported, media_root):
    path, _ = imported
    before, files = snapshot(), stored_files(media_root)
    report = import_export(path, media_dir=path.parent / "uploads")
    assert snapshot() == before
    assert stored_files(media_root) == files
    assert report.outcomes["unchanged"] == 13 and report.outcomes["created"] == 0


def test_a_second_run_updates_what_changed_on_the_old_site(imported, export_file, media_dir):
    items = forum_asia_items()
    items[2]["title"] = "[Joint Press Release] Asian NGOs demand an end to shutdowns"
    report = import_export(export_file(items, name="again.xml"), media_dir=media_dir)
    assert by_wp_id(103).title == "Asian NGOs demand an end to shutdowns"
    assert report.outcomes["updated"] == 1 and report.outcomes["unchanged"] == 12
    assert Publication.objects.count() == 9


def test_what_an_editor_changed_since_the_import_is_kept_and_reported(
    imported, export_file, media_dir
):
    statement = by_wp_id(101)
    statement.body = "<p>Corrected by the Secretariat.</p>"
    statement.save()
    statement.tags.add("Editor's theme")
    page = by_wp_id(120)
    page.body = "<p>Rewritten here.</p>"
    page.save()
    items = forum_asia_items()
    items[0]["content"] = "Changed on the old site."
    report = import_export(export_file(items, name="again.xml"), media_dir=media_dir)
    assert by_wp_id(101).body == "<p>Corrected by the Secretariat.</p>"
    assert by_wp_id(120).body == "<p>Rewritten here.</p>"
    assert {row.wp_id for row in report.section("kept")} == {101, 120}


def test_what_an_editor_deleted_is_not_created_again(imported):
    path, _ = imported
    by_wp_id(103).delete()
    report = import_export(path, media_dir=path.parent / "uploads")
    assert not Publication.objects.filter(title__contains="internet shutdowns").exists()
    assert any("deleted on the new site" in row.detail for row in report.section("skipped"))


def test_two_sites_never_mix(imported, export_file):
    other = export_file(
        [{"wp_id": 101, "title": "[Statement] Other site", "name": "other"}],
        name="other.xml",
        site="https://other.example",
    )
    import_export(other)
    assert ImportedItem.objects.filter(wp_id=101).count() == 2
    assert Publication.objects.filter(slug="other").exists()


def test_a_slug_taken_by_another_publication_gets_the_wordpress_id(export_file):
    from tests.factories import PublicationFactory

    PublicationFactory(slug="annual-report-2018")
    import_export(export_file([forum_asia_items()[3]]))
    assert by_wp_id(104).slug == "annual-report-2018-104"


# --- dry run and bad input --------------------------------------------------------------------


def test_dry_run_changes_nothing_and_reports_the_same(export_file, media_dir, media_root):
    path = export_file()
    before = snapshot()
    dry = import_export(path, media_dir=media_dir, dry_run=True)
    assert snapshot() == before
    assert stored_files(media_root) == []
    real = import_export(path, media_dir=media_dir)
    assert {**dry.as_dict(), "dry_run": False} == real.as_dict()
    assert dry.lines()[0].startswith("DRY RUN")


BAD_EXPORTS = {
    "not-xml": b"Subject: a mail, not an export",
    "not-wxr": b"<?xml version='1.0'?><rss><channel><title>Feed</title></channel></rss>",
    "truncated": export_xml(forum_asia_items())[:-300],
    "unknown-version": export_xml(forum_asia_items(), version="1.5"),
}


@pytest.mark.parametrize("name", BAD_EXPORTS)
def test_a_broken_export_imports_nothing(tmp_path, media_dir, media_root, name):
    path = tmp_path / "broken.xml"
    path.write_bytes(BAD_EXPORTS[name])
    before = snapshot()
    with pytest.raises(WXRError):
        import_export(path, media_dir=media_dir)
    assert snapshot() == before
    assert stored_files(media_root) == []


def test_a_failure_while_writing_rolls_everything_back_and_removes_stored_files(
    export_file, media_dir, media_root, monkeypatch
):
    def fail(self, terms):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services._Importer, "finish", fail)
    before = snapshot()
    with pytest.raises(RuntimeError):
        import_export(export_file(), media_dir=media_dir)
    assert snapshot() == before
    assert stored_files(media_root) == []


# --- search vectors: written in bulk at the end, the same as a single save writes -----------


def vector_of(publication):
    return Publication.objects.filter(pk=publication.pk).values_list("search_vector", flat=True)[0]


@postgres_only
def test_an_imported_publication_has_the_vector_a_single_save_gives_it(imported, commit):
    statement = by_wp_id(101)
    bulk = vector_of(statement)
    assert "'defenders':" in bulk and "'cambodia':" in bulk and "'land':" in bulk

    # The same publication made by hand and saved as an editor's action.
    single = Publication(
        type=statement.type,
        title=statement.title,
        slug="made-by-hand",
        standfirst=statement.standfirst,
        body=statement.body,
        status=statement.status,
        publish_at=statement.publish_at,
    )
    publication_services.save_publication(publication=single, user=publisher())
    single.countries.add(*statement.countries.all())
    single.tags.add(*statement.tags.names())
    commit()
    assert vector_of(single) == bulk

    found, _, _ = search(Publication.objects.published(), "detained defenders")
    assert statement in found and single in found


@postgres_only
def test_the_import_writes_search_vectors_in_one_statement_not_one_per_post(
    export_file, media_dir, commit
):
    items = [
        {"wp_id": n, "title": f"[Statement] Vector {n}", "name": f"vector-{n}", "content": "Text"}
        for n in range(1, 6)
    ]
    with CaptureQueriesContext(connection) as queries:
        import_export(export_file(items), media_dir=media_dir)
        commit()
    vector_updates = [q["sql"] for q in queries if '"search_vector" =' in q["sql"]]
    assert len(vector_updates) == 1
    assert all(vector_of(p) for p in Publication.objects.all())
    assert search(Publication.objects.published(), "vector")[0].count() == 5


def test_an_import_run_is_one_change_event(export_file, media_dir, commit, change_counts):
    # However many publications and pages the run saves: one UPDATE of their search vectors
    # and one invalidation of the cached pages, after the run commits.
    import_export(export_file(), media_dir=media_dir)
    assert change_counts == {"vectors": 0, "pages": []}
    commit()

    assert Publication.objects.count() > 1 and Page.objects.exists()
    assert change_counts == {"vectors": 1, "pages": [False]}


def test_statements_per_post_stay_few_and_constant(
    export_file, media_dir, django_assert_max_num_queries
):
    # A slug check and the INSERT per post; the link and bookkeeping rows go in batches.
    posts = 60
    items = [
        {
            "wp_id": n,
            "title": f"[Statement] Cambodia: number {n}",
            "name": f"number-{n}",
            "categories": [("Cambodia", "cambodia")],
            "tags": [("Land rights", "land-rights")],
            "content": "Text",
        }
        for n in range(1, posts + 1)
    ]
    with django_assert_max_num_queries(2 * posts + 40):
        import_export(export_file(items), media_dir=media_dir, csv_stream=io.StringIO())
    assert ImportedItem.objects.count() == posts
    assert Publication.objects.filter(countries__code="KH", tags__name="Land rights").count() == (
        posts
    )


# --- the site after an import -----------------------------------------------------------------


def public_items():
    return [
        record.publication
        for record in ImportedItem.objects.select_related("publication")
        if record.publication and record.publication.is_public
    ]


def test_every_public_item_is_in_the_list_feed_search_and_sitemap(imported, client):
    public = public_items()
    assert len(public) == 6
    listing = client.get("/publications/").content.decode()
    feed = client.get("/feeds/rss/").content.decode()
    sitemap = client.get("/sitemap-publications.xml").content.decode()
    for publication in public:
        url = publication.get_absolute_url()
        assert client.get(url).status_code == 200
        assert f'href="{url}"' in listing
        assert url in feed and url in sitemap
        word = max(re.findall(r"\w+", publication.title), key=len)
        assert url in client.get("/search/", {"q": word}).content.decode(), word
    for wp_id in (105, 106, 107):
        hidden = by_wp_id(wp_id).get_absolute_url()
        assert hidden not in listing and hidden not in feed and hidden not in sitemap
        assert client.get(hidden).status_code == 404


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_a_crawl_of_every_internal_link_from_the_home_page_finds_no_server_error(imported, client):
    seen, queue, statuses = set(), ["/"], {}
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302):
            queue.append(urljoin(url, response["Location"]))
            continue
        if "html" not in response.get("Content-Type", "") or response.streaming:
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.links:
            parts = urlsplit(urljoin("http://testserver" + url, link))
            if parts.netloc in ("testserver", "127.0.0.1:8000") and not parts.path.startswith(
                ("/admin/", "/static/", "/media/")
            ):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert {url: code for url, code in statuses.items() if code >= 500} == {}
    assert len(seen) > 30
    assert by_wp_id(101).get_absolute_url() in seen
