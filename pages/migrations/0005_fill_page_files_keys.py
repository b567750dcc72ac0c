import uuid

from django.db import migrations


def fill_files_keys(apps, schema_editor):
    """A random key for every page (a few hundred rows at most)."""
    Page = apps.get_model("pages", "Page")
    for page in Page.objects.filter(files_key__isnull=True).only("pk"):
        page.files_key = uuid.uuid4()
        page.save(update_fields=["files_key"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0004_page_files_key")]

    operations = [migrations.RunPython(fill_files_keys, migrations.RunPython.noop, elidable=True)]
