"""Full-text search: the stored search vector with its GIN index, and pg_trgm for typos.

On SQLite (the zero-set-up default) the extension and the index are skipped: SQLite has
neither, and search falls back to a plain contains search there.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class AddPostgresIndex(migrations.AddIndex):
    """AddIndex on PostgreSQL; on other databases only the migration state records it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_search_vectors(apps, schema_editor):
    Publication = apps.get_model("publications", "Publication")
    # The vector is today's (it names tables later migrations add): nothing to write on an
    # empty table, such as every new database's.
    if schema_editor.connection.vendor != "postgresql" or not Publication.objects.exists():
        return
    from publications.search import vector_expression

    Publication.objects.update(search_vector=vector_expression())


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_logo_validation_and_member_constraints"),
        ("publications", "0002_editors_group"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="publication",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        AddPostgresIndex(
            model_name="publication",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="pub_search_vector"
            ),
        ),
        migrations.RunPython(fill_search_vectors, migrations.RunPython.noop),
    ]
