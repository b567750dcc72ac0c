from django.db import migrations


class Migration(migrations.Migration):
    """ImportedItem, ImportedTerm and ImportedMedia now belong to `oldaddresses` (its 0001):
    gone from this app's state only, their tables stay."""

    dependencies = [
        ("oldaddresses", "0001_imported_records_of_the_old_site"),
        ("wordpress", "0004_imported_media_per_publication"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ImportedTerm"),
                migrations.DeleteModel(name="ImportedItem"),
                migrations.DeleteModel(name="ImportedMedia"),
            ],
        ),
    ]
