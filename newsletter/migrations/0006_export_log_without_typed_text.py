"""The export log kept each export's query string as it was typed, searches for a person's name
or address included, which outlived that person's erasure. Each row now keeps the description
exports.describe_filters makes for new exports: the kinds of filter and how many values each
had. An export still being prepared keeps its query string for the task, as `pending_query`,
until the file is written.

describe_filters is imported rather than copied: it is a plain function of its argument, and a
copy here would drift from what new rows get.
"""

from urllib.parse import urlencode

from django.db import migrations

from newsletter.exports import describe_filters

# What earlier code logged besides query parameters: how many rows were ticked, and the id of
# the one subscriber whose data was downloaded.
SELECTED = "selected"
ONE_SUBSCRIBER = "subscriber"


def describe_logged_filters(apps, schema_editor):
    SubscriberExport = apps.get_model("newsletter", "SubscriberExport")
    for export in SubscriberExport.objects.iterator():
        logged = dict(export.filters or {})
        selected = logged.pop(SELECTED, None)
        one_subscriber = logged.pop(ONE_SUBSCRIBER, None)
        described = describe_filters(logged)
        if isinstance(selected, int):
            described = {SELECTED: selected, **described}
        if one_subscriber is not None:
            described["one subscriber's data"] = True
        if export.file_state == "preparing":
            export.pending_query = urlencode(logged)
        export.filters = described
        export.save(update_fields=["filters", "pending_query"])


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0005_export_pending_query_and_cancelled_state"),
    ]

    operations = [
        migrations.RunPython(describe_logged_filters, migrations.RunPython.noop),
    ]
