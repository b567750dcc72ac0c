"""Translation groups and the body's text become stored columns: `translation_key`, shared by
an original and its translations (filled from `translation_of`), and `body_text`, the body
without its HTML (filled from the sanitised body, as every save writes it). The card query's
indexes move from the computed group (Coalesce(translation_of, id)) to the key."""

import uuid

from django.db import migrations, models

from publications.models import plain_text

BATCH = 2000


def fill_keys_and_text(apps, schema_editor):
    """Each original gets a new key and each translation its original's; each row its body's
    text. In batches by primary key (100,000 rows: seconds)."""
    Publication = apps.get_model("publications", "Publication")
    keys = {}
    rows = Publication.objects.order_by("pk").only("pk", "translation_of_id", "body")
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for row in batch:
            group = row.translation_of_id or row.pk
            row.translation_key = keys.setdefault(group, uuid.uuid4())
            row.body_text = plain_text(row.body)
        Publication.objects.bulk_update(batch, ["translation_key", "body_text"])
        last = batch[-1].pk


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
        migrations.AlterField(
            model_name="publication",
            name="translation_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["status", "-publish_at", "-id"],
                include=("translation_of", "language", "translation_key"),
                name="pub_status_publish_id",
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["type", "status", "-publish_at", "-id"],
                include=("translation_of", "language", "translation_key"),
                name="pub_type_status_publish_id",
            ),
        ),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["translation_key"],
                include=(
                    "id",
                    "status",
                    "publish_at",
                    "unpublish_at",
                    "language",
                    "translation_of",
                ),
                name="pub_translation_key",
            ),
        ),
    ]
