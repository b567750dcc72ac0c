import uuid

from django.db import migrations

BATCH = 2000


def fill_files_keys(apps, schema_editor):
    """A random key for every publication that has none, in batches (100,000 rows: seconds)."""
    Publication = apps.get_model("publications", "Publication")
    while True:
        rows = list(Publication.objects.filter(files_key__isnull=True).only("pk")[:BATCH])
        if not rows:
            return
        for row in rows:
            row.files_key = uuid.uuid4()
        Publication.objects.bulk_update(rows, ["files_key"])


class Migration(migrations.Migration):
    dependencies = [("publications", "0016_publication_files_key")]

    operations = [migrations.RunPython(fill_files_keys, migrations.RunPython.noop, elidable=True)]
