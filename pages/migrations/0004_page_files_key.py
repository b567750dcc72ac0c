from django.db import migrations, models


class Migration(migrations.Migration):
    """The key naming each page's folder of files, added empty; 0005 fills it and 0006 makes it
    unique (a callable default here would give every existing row the same key)."""

    dependencies = [("pages", "0003_page_rights")]

    operations = [
        migrations.AddField(
            model_name="page",
            name="files_key",
            field=models.UUIDField(editable=False, null=True),
        ),
    ]
