import uuid

from django.db import migrations, models

import forumasia.files
import forumasia.images
import pages.models


class Migration(migrations.Migration):
    """Every key given (0005): make it required and unique. A page's new image goes to its own
    folder in the private storage under a random name (forumasia/files.py)."""

    dependencies = [
        ("pages", "0005_fill_page_files_keys"),
    ]

    operations = [
        migrations.AlterField(
            model_name="page",
            name="files_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="page",
            name="hero_image",
            field=models.ImageField(
                blank=True,
                help_text="Optional, shown across the top. JPEG, PNG, WebP or GIF; location and camera data are removed on upload.",
                storage=forumasia.files.owned_files_storage,
                upload_to=pages.models.page_file_name,
                validators=[forumasia.images.validate_image_file],
                verbose_name="image",
            ),
        ),
    ]
