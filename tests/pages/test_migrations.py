"""pages 0002 and wordpress 0003, run on a database as it was before editorial pages had the
workflow: every flat page becomes a page with its id, the public ones keep their addresses and
stay public, the others (an address now refused, another site's) wait as drafts; the import's
records follow them; a new database gets the sample pages."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oldaddresses.models import ImportedItem
from pages.models import Page
from wordpress.services import _hash, page_hash

BEFORE_PAGES = [("pages", None)]
# What the database holds then: the WordPress import's records as they were, flat pages...
OLD_STATE = ("wordpress", "0002_import_run_checking_and_importing_states")
SITE_ID = 1


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(OLD_STATE).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_flat_pages_become_pages_with_their_ids_and_addresses_and_unsafe_ones_wait_as_drafts():
    old = migrate(BEFORE_PAGES)
    site = old.get_model("sites", "Site").objects.get_or_create(
        pk=SITE_ID, defaults={"domain": "testserver", "name": "test"}
    )[0]
    FlatPage = old.get_model("flatpages", "FlatPage")

    def flat_page(url, title, *, sites=(site,)):
        page = FlatPage.objects.create(url=url, title=title, content=f"<p>{title}</p>")
        page.sites.set(sites)
        return page

    mandate = flat_page("/mandate/", "Mandate")
    annex = flat_page("/publications/a-statement/annex/", "Annex")
    evil = flat_page("//evil.example/", "Elsewhere")
    other_site = flat_page("/elsewhere/", "Other site", sites=())
    duplicate = flat_page("/mandate/", "Second mandate")
    content = {"url": mandate.url, "title": mandate.title, "content": mandate.content}
    old.get_model("wordpress", "ImportedItem").objects.create(
        site_url="https://old.example",
        wp_id=7,
        post_type="page",
        page_id=mandate.pk,
        source_hash="x",
        target_hash=_hash(content),
        imported_at="2024-01-01T00:00:00Z",
    )

    migrate(latest())

    pages = {page.pk: page for page in Page.objects.all()}
    assert (pages[mandate.pk].path, pages[mandate.pk].title) == ("/mandate/", "Mandate")
    assert pages[mandate.pk].is_public and pages[mandate.pk].body == "<p>Mandate</p>"
    assert pages[annex.pk].path == f"/pages/flatpage-{annex.pk}/"
    assert pages[evil.pk].path == f"/pages/flatpage-{evil.pk}/"
    assert pages[duplicate.pk].path == f"/pages/flatpage-{duplicate.pk}/"
    assert pages[other_site.pk].path == "/elsewhere/"
    assert [pk for pk, page in pages.items() if page.is_public] == [mandate.pk]
    assert not Page.objects.filter(path="/about/").exists()  # this database had pages
    record = ImportedItem.objects.get(wp_id=7)
    assert record.page == pages[mandate.pk] and record.target_hash == page_hash(pages[mandate.pk])
    # The ids go on after the copied ones (PostgreSQL's sequence was moved past them).
    assert Page.objects.create(path="/new/", title="New").pk > max(pages)


@pytest.mark.django_db(transaction=True)
def test_a_new_database_gets_the_sample_pages_published_under_about():
    migrate(BEFORE_PAGES)

    migrate(latest())

    about = Page.objects.get(path="/about/")
    assert about.is_public and "Sample text" in about.body
    assert {page.path: page.parent for page in Page.objects.exclude(pk=about.pk)} == {
        "/our-approach/": about,
        "/who-we-work-with/": about,
    }
