from django.db import migrations


def move_files(apps, schema_editor):
    from publications.relocation import relocate_files

    relocate_files(apps)


class Migration(migrations.Migration):
    """Files uploaded before 0018 move into their publication's folder in the private storage
    (publications/relocation.py); running it again moves only what is left."""

    dependencies = [
        ("publications", "0018_files_in_private_storage"),
        # Versions of publications are rewritten to name the moved files.
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_files, migrations.RunPython.noop)]
