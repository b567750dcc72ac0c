"""The search vector now holds the signatories' names (members, partners, other co-signers):
every publication's vector is written again (manage.py rebuild_search_index, PostgreSQL)."""

from django.core.management import call_command
from django.db import migrations


def rebuild_search_index(apps, schema_editor):
    Publication = apps.get_model("publications", "Publication")
    if schema_editor.connection.vendor == "postgresql" and Publication.objects.exists():
        call_command("rebuild_search_index", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("publications", "0010_translation_groups")]

    operations = [migrations.RunPython(rebuild_search_index, migrations.RunPython.noop)]
