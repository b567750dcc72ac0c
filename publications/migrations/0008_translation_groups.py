import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("publications", "0007_co_signers_to_partners")]

    operations = [
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    models.F("translation_of"), models.F("id")
                ),
                name="pub_translation_group",
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
