"""The import's record of a page it made points at the editorial page (pages.Page) instead of
Django's flat page: the ids stay (pages 0002 copied every flat page with its own id).

The record also holds a hash of the page as the import left it, to tell later whether an editor
changed it (wordpress/services.py, `page_hash`); pages now have a status and dates, so the hash
has them too. `rehash_pages` rewrites the hashes of pages nobody changed since their import (the
flat page still matches its old hash) in the new form, so the next import of the same site
updates them as before; a page an editor changed keeps an old hash and is reported as kept.
"""

import hashlib
import json
from datetime import UTC

import django.db.models.deletion
from django.db import migrations, models


def _hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def rehash_pages(apps, schema_editor):
    ImportedItem = apps.get_model("wordpress", "ImportedItem")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    for record in ImportedItem.objects.filter(page__isnull=False).select_related("page"):
        flat_page = FlatPage.objects.filter(pk=record.page_id).first()
        if flat_page is None or record.target_hash != _hash(
            {"url": flat_page.url, "title": flat_page.title, "content": flat_page.content}
        ):
            continue
        page = record.page
        record.target_hash = _hash(
            {
                "path": page.path,
                "title": page.title,
                "body": page.body,
                "status": page.status,
                "publish_at": page.publish_at.astimezone(UTC).isoformat(),
            }
        )
        record.save(update_fields=["target_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_editorial_pages"),
        ("wordpress", "0002_import_run_checking_and_importing_states"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importeditem",
            name="page",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="pages.page",
            ),
        ),
        migrations.RunPython(rehash_pages, migrations.RunPython.noop),
    ]
