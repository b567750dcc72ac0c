"""Search in scripts without spaces (Thai, Lao, Burmese, Khmer): `unspaced_text`, the runs of
those scripts in a publication's text, with a trigram index (pg_trgm, created by 0003) on
PostgreSQL; filled here for the rows that have such text, as every save writes it."""

import re

import django.contrib.postgres.indexes
from django.db import migrations, models
from django.db.models import Q

BATCH = 2000
# Copied from publications/models.py as they were when this migration was written: a migration
# must keep doing what it did when the model's code changes later.
UNSPACED_SCRIPTS = "\u0e00-\u0eff\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f\u1780-\u17ff\u19e0-\u19ff"
UNSPACED_SOURCES = ("title", "standfirst", "body_text", "co_signers")
OTHER_THAN_UNSPACED = re.compile(f"[^{UNSPACED_SCRIPTS}]+")


def unspaced_text(*texts):
    return " ".join(OTHER_THAN_UNSPACED.sub(" ", " ".join(filter(None, texts))).split())


class AddPostgresIndex(migrations.AddIndex):
    """AddIndex on PostgreSQL; on other databases only the migration state records it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def fill_unspaced_text(apps, schema_editor):
    """Only rows with a character of those scripts are read (a regular expression in the
    database), in batches by primary key."""
    Publication = apps.get_model("publications", "Publication")
    pattern = f"[{UNSPACED_SCRIPTS}]"
    has_script = Q()
    for name in UNSPACED_SOURCES:
        has_script |= Q(**{f"{name}__regex": pattern})
    rows = Publication.objects.filter(has_script).order_by("pk").only(*UNSPACED_SOURCES)
    last = 0
    while batch := list(rows.filter(pk__gt=last)[:BATCH]):
        for row in batch:
            row.unspaced_text = unspaced_text(*(getattr(row, name) for name in UNSPACED_SOURCES))
        Publication.objects.bulk_update(batch, ["unspaced_text"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("publications", "0021_translation_key_indexes")]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="unspaced_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_unspaced_text, migrations.RunPython.noop),
        AddPostgresIndex(
            model_name="publication",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["unspaced_text"], opclasses=["gin_trgm_ops"], name="pub_unspaced_text_trgm"
            ),
        ),
    ]
