import uuid

import django.core.validators
from django.db import migrations, models

import forumasia.files
import forumasia.images
import publications.models


class Migration(migrations.Migration):
    """Every key given (0017): make it required and unique. New uploads of publications go to
    their own folder in the private storage under random names (forumasia/files.py)."""

    dependencies = [("publications", "0017_fill_files_keys")]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="files_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="publication",
            name="featured_image",
            field=models.ImageField(
                blank=True,
                help_text=(
                    "JPEG, PNG, WebP or GIF; location and camera data are removed on upload."
                ),
                storage=forumasia.files.owned_files_storage,
                upload_to=publications.models.publication_file_name,
                validators=[forumasia.images.validate_image_file],
            ),
        ),
        migrations.AlterField(
            model_name="galleryimage",
            name="image",
            field=models.ImageField(
                help_text=(
                    "JPEG, PNG, WebP or GIF; location and camera data are removed on upload."
                ),
                storage=forumasia.files.owned_files_storage,
                upload_to=publications.models.publication_file_name,
                validators=[forumasia.images.validate_image_file],
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                help_text="PDF, plain text or CSV; PDFs are rebuilt without their hidden data.",
                storage=forumasia.files.owned_files_storage,
                upload_to=publications.models.publication_file_name,
                validators=[
                    django.core.validators.FileExtensionValidator(
                        [
                            "pdf",
                            "doc",
                            "docx",
                            "odt",
                            "rtf",
                            "txt",
                            "xls",
                            "xlsx",
                            "ods",
                            "csv",
                            "epub",
                        ]
                    )
                ],
            ),
        ),
    ]
