"""Translation groups and the body's text become stored columns: `translation_key`, shared by
an original and its translations (filled from `translation_of`), and `body_text`, the body
without its HTML (filled from the sanitised body, as every save writes it); vectors left
empty (by 0011) are written from the filled columns. 0021 makes the key required and moves the
card query's indexes from the computed group (Coalesce(translation_of, id)) to the key."""

import uuid

from django.db import migrations, models

from publications import models as current

BATCH = 2000


def fill_keys_and_text(apps, schema_editor):
    """Each original gets a new key and each translation its original's; each row its body's
    text. In batches by primary key (100,000 rows: 4 minutes on the bench machine under load)."""
    Publication = apps.get_model("publications", "Publication")
    keys = {}
    rows = Publication.objects.order_by("pk").only("pk", "translation_of_id", "body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for row in batch:
            group = row.translation_of_id or row.pk
            row.translation_key = keys.setdefault(group, uuid.uuid4())
            row.body_text = current.plain_text(row.body)
        Publication.objects.bulk_update(batch, ["translation_key", "body_text"])
        last = batch[-1].pk


def write_empty_search_vectors(apps, schema_editor):
    """The app's own vector (models.search_vector(), which reads `body_text`), for the rows
    0011 emptied; none on a database already past 0011."""
    current.Publication.objects.filter(search_vector__isnull=True).refresh_search_vectors()


class Migration(migrations.Migration):
    dependencies = [("publications", "0019_move_files_to_private_storage")]

    operations = [
        migrations.RemoveIndex(model_name="publication", name="pub_translation_group"),
        migrations.RemoveIndex(model_name="publication", name="pub_status_publish_id"),
        migrations.RemoveIndex(model_name="publication", name="pub_type_status_publish_id"),
        migrations.AddField(
            model_name="publication",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="publication",
            name="translation_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_keys_and_text, migrations.RunPython.noop),
        migrations.RunPython(write_empty_search_vectors, migrations.RunPython.noop),
    ]
