"""Editorial pages move from Django's flat pages to `Page`; a new site gets its sample pages.

- `copy_flat_pages`: every flat page becomes a Page with the same id (the WordPress import's
  record of the pages it made keeps pointing at them: wordpress 0003), title and content
  (cleaned). One that was public (on this site) at an address a page may have keeps it and
  stays published. Any other arrives as a draft for an editor to look at: a flat
  page of another site, or one at an address now refused (under an application's, such as
  /publications/<slug>/annex/, or with "//") or taken by an earlier flat page, which then lives
  at /pages/flatpage-<id>/ until an editor gives it an address. The flat pages' table keeps its
  rows as they were, no longer read or shown.
- `create_sample_pages`: on a database with no editorial page at all (a new one), About us, Our
  approach and Who we work with, published with sample text editors replace. This seed was
  forumasia 0001's, which made flat pages; that migration does nothing any more (databases
  that applied it have its pages, copied by the first step).

Both are idempotent: the browser tests run create_sample_pages again after each flush.
"""

from datetime import UTC, datetime

from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations

from forumasia.sanitise import clean_html
from pages.paths import reserved_problem, shape_problem

# Flat pages have no date: they and the sample pages count as public since long before any
# clock a server (or a test) runs at, never as scheduled.
PUBLIC_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
SAMPLE_NOTE = "<p><strong>Sample text — replace it in the admin (Editorial pages).</strong></p>"
ABOUT = "/about/"
SAMPLE_PAGES = [
    (
        ABOUT,
        "About us",
        None,
        SAMPLE_NOTE + "<p>FORUM-ASIA is a network of human rights organisations across Asia, "
        "founded in 1991. Its Secretariat in Bangkok supports members in working together for "
        "human rights, democracy and justice.</p>"
        "<h2>What we do</h2><ul><li>Joint statements and open letters</li>"
        "<li>Research, monitoring and fact-finding reports</li>"
        "<li>Support for human rights defenders at risk</li></ul>",
    ),
    (
        "/our-approach/",
        "Our approach",
        ABOUT,
        SAMPLE_NOTE + "<p>We work through our members: national organisations lead on their "
        "countries, and the network speaks together where a shared voice carries further.</p>",
    ),
    (
        "/who-we-work-with/",
        "Who we work with",
        ABOUT,
        SAMPLE_NOTE + "<p>Member organisations, human rights defenders, national human rights "
        "institutions, regional bodies and the United Nations human rights mechanisms.</p>",
    ),
]


def copy_flat_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Page = apps.get_model("pages", "Page")
    for flat_page in FlatPage.objects.order_by("pk"):
        if Page.objects.filter(pk=flat_page.pk).exists():
            continue
        path = flat_page.url
        free = not (
            shape_problem(path) or reserved_problem(path) or Page.objects.filter(path=path).exists()
        )
        public = free and flat_page.sites.filter(pk=settings.SITE_ID).exists()
        Page.objects.create(
            pk=flat_page.pk,
            path=path if free else f"/pages/flatpage-{flat_page.pk}/",
            title=flat_page.title[:200],
            body=clean_html(flat_page.content),
            status="published" if public else "draft",
            publish_at=PUBLIC_SINCE,
        )
    # Rows written with their ids: the id sequence (PostgreSQL) continues after them.
    with schema_editor.connection.cursor() as cursor:
        for statement in schema_editor.connection.ops.sequence_reset_sql(no_style(), [Page]):
            cursor.execute(statement)


def create_sample_pages(apps, schema_editor):
    FlatPage = apps.get_model("flatpages", "FlatPage")
    Page = apps.get_model("pages", "Page")
    if Page.objects.exists() or FlatPage.objects.exists():
        return
    for path, title, parent_path, body in SAMPLE_PAGES:
        Page.objects.create(
            path=path,
            title=title,
            parent=Page.objects.filter(path=parent_path).first(),
            body=clean_html(body),
            status="published",
            publish_at=PUBLIC_SINCE,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_page"),
        ("flatpages", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
        # The sample flat pages it made (on databases that applied it before it did nothing).
        ("forumasia", "0001_editorial_pages"),
    ]

    operations = [
        migrations.RunPython(copy_flat_pages, migrations.RunPython.noop),
        migrations.RunPython(create_sample_pages, migrations.RunPython.noop),
    ]
