import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A file of the old site may now have a copy per publication and use (each publication
    owns its files); made before publications' files move (publications 0019), which records
    the copies here through the `files_relocated` signal."""

    dependencies = [
        ("publications", "0018_files_in_private_storage"),
        ("wordpress", "0003_imported_item_page_is_an_editorial_page"),
    ]
    run_before = [("publications", "0019_move_files_to_private_storage")]

    operations = [
        migrations.RemoveConstraint(
            model_name="importedmedia",
            name="imported_media_unique",
        ),
        migrations.AddField(
            model_name="importedmedia",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="publications.publication",
            ),
        ),
        migrations.AddField(
            model_name="importedmedia",
            name="use",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Public upload"),
                    ("featured", "Featured image"),
                    ("gallery", "Gallery image"),
                    ("document", "Attachment"),
                ],
                default="",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="importedmedia",
            constraint=models.UniqueConstraint(
                condition=models.Q(("publication__isnull", True)),
                fields=("site_url", "source"),
                name="imported_media_public_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="importedmedia",
            constraint=models.UniqueConstraint(
                condition=models.Q(("publication__isnull", False)),
                fields=("site_url", "source", "publication", "use"),
                name="imported_media_copy_unique",
            ),
        ),
    ]
