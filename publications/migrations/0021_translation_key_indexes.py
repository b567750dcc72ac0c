"""The translation key is set on every row (0020): required from now on, and the card query's
indexes read it (PostgreSQL cannot change a table's schema in the transaction that has just
rewritten its rows, hence a migration of its own)."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publications", "0020_translation_key_and_body_text")]

    operations = [
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
