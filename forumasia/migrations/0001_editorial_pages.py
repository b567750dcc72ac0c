"""Made the sample editorial pages as Django flat pages; now does nothing.

Editorial pages are the pages app's `Page`, with review and history. Its migrations copy the
flat pages this migration made on existing databases and make the sample pages on new ones
(pages 0002, which runs after this one). It stays, empty, so that the migration history of
existing databases (which recorded it) and of new ones (which run it, doing nothing) is the
same; a squash of the old migrations can drop it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    operations = []
