"""The search vector now holds the signatories' names (members, partners, other co-signers):
every publication's vector is emptied here and written again by 0020, once the columns the
vector reads (`body_text`) exist."""

from django.db import migrations


def empty_search_vectors(apps, schema_editor):
    Publication = apps.get_model("publications", "Publication")
    Publication.objects.update(search_vector=None)


class Migration(migrations.Migration):
    dependencies = [("publications", "0010_translation_groups")]

    operations = [migrations.RunPython(empty_search_vectors, migrations.RunPython.noop)]
