"""The editorial pages the footer links to (About, Our approach, Who we work with), created
once with sample text that editors replace in the admin (Flat pages)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

from forumasia.sanitise import clean_html

PAGES = [
    (
        "/about/",
        "About us",
        "<p><strong>Sample text — replace it in the admin (Flat pages).</strong></p>"
        "<p>FORUM-ASIA is a network of human rights organisations across Asia, founded in 1991. "
        "Its Secretariat in Bangkok supports members in working together for human rights, "
        "democracy and justice.</p>"
        "<h2>What we do</h2><ul><li>Joint statements and open letters</li>"
        "<li>Research, monitoring and fact-finding reports</li>"
        "<li>Support for human rights defenders at risk</li></ul>",
    ),
    (
        "/our-approach/",
        "Our approach",
        "<p><strong>Sample text — replace it in the admin (Flat pages).</strong></p>"
        "<p>We work through our members: national organisations lead on their countries, and "
        "the network speaks together where a shared voice carries further.</p>",
    ),
    (
        "/who-we-work-with/",
        "Who we work with",
        "<p><strong>Sample text — replace it in the admin (Flat pages).</strong></p>"
        "<p>Member organisations, human rights defenders, national human rights institutions, "
        "regional bodies and the United Nations human rights mechanisms.</p>",
    ),
]


def create_pages(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _ = Site.objects.get_or_create(
        pk=settings.SITE_ID,
        defaults={
            "domain": urlsplit(settings.SITE_URL).netloc or "localhost",
            "name": settings.SITE_NAME,
        },
    )
    for url, title, content in PAGES:
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": clean_html(content)}
        )
        page.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
