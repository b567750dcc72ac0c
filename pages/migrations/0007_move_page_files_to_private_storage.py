from django.db import migrations


def move_files(apps, schema_editor):
    """Each page's image and renditions into its folder of the private storage, the row and its
    history rewritten, the old public copies deleted after commit (publications/relocation.py:
    the same steps as publications' files)."""
    from pages.models import FILES_FOLDER
    from publications.relocation import Relocation

    relocation = Relocation(
        apps,
        app_label="pages",
        folder=FILES_FOLDER,
        old_folders=("pages", "renditions/pages"),
    )
    relocation.images(
        "Page", image="hero_image", renditions="hero_image_renditions", owner="pk", key="files_key"
    )
    relocation.finish()


class Migration(migrations.Migration):
    """Pages' images stored before 0006 move into their page's folder; running it again moves
    only what is left."""

    dependencies = [
        ("pages", "0006_page_files_in_private_storage"),
        ("publications", "0019_move_files_to_private_storage"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_files, migrations.RunPython.noop)]
