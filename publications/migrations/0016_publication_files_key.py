from django.db import migrations, models


class Migration(migrations.Migration):
    """The key naming each publication's folder of files, added empty; 0017 fills it and 0018
    makes it unique (a callable default here would give every existing row the same key)."""

    dependencies = [("publications", "0015_attachment_file_help_text")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="files_key",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
