"""Translation groups: one translation per language of an original, the group index that
one_per_group() probes, and the list-order indexes carrying the group and language so the
lists' counts and deep pages stay index-only reads."""

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publications", "0009_co_signers_to_partners")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    models.F("translation_of"), models.F("id")
                ),
                include=(
                    "id",
                    "status",
                    "publish_at",
                    "unpublish_at",
                    "language",
                    "translation_of",
                ),
                name="pub_translation_group",
            ),
        ),
        migrations.RemoveIndex(model_name="publication", name="pub_status_publish_id"),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["status", "-publish_at", "-id"],
                include=("translation_of", "language"),
                name="pub_status_publish_id",
            ),
        ),
        migrations.RemoveIndex(model_name="publication", name="pub_type_status_publish_id"),
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["type", "status", "-publish_at", "-id"],
                include=("translation_of", "language"),
                name="pub_type_status_publish_id",
            ),
        ),
        migrations.AddConstraint(
            model_name="publication",
            constraint=models.UniqueConstraint(
                fields=("translation_of", "language"),
                name="publication_one_translation_per_language",
                violation_error_message="The original already has a translation in this language.",
            ),
        ),
    ]
