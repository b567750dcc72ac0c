"""Names, organisations and source pages stored before they were cleaned on save may hold
control characters and line breaks, which reached CSV exports and terminals: they are cleaned
the way every save now cleans them (models.TYPED_TEXT_FIELDS, forumasia.text.one_line).

Only rows holding such a character are read (a regular expression in the database: the table
has a million rows).
"""

from django.db import migrations
from django.db.models import Q

from forumasia.text import one_line

FIELDS = ("name", "organisation", "source_page")
# Controls (C0 but NUL, which neither database stores, DEL, C1) and Unicode's line and
# paragraph separators.
UNCLEAN = "[\x01-\x1f\x7f-\x9f\u2028\u2029]"


def clean_typed_text(apps, schema_editor):
    for model_name in ("Subscriber", "SignupRequest"):
        model = apps.get_model("newsletter", model_name)
        unclean = Q()
        for field in FIELDS:
            unclean |= Q(**{f"{field}__regex": UNCLEAN})
        for row in model.objects.filter(unclean).only(*FIELDS).iterator():
            for field in FIELDS:
                setattr(row, field, one_line(getattr(row, field)).strip())
            row.save(update_fields=FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0006_export_log_without_typed_text"),
    ]

    operations = [
        migrations.RunPython(clean_typed_text, migrations.RunPython.noop),
    ]
