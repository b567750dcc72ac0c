"""The publish and unpublish dates' help, now shared with editorial pages
(forumasia/workflow.py, Publishable): text only, no change in the database."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("publications", "0012_sitemap_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="publication",
            name="publish_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="Time zone Asia/Bangkok (UTC+7). Once published, it is public from this time on; a future time schedules it.",
                verbose_name="publish date",
            ),
        ),
        migrations.AlterField(
            model_name="publication",
            name="unpublish_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional, Asia/Bangkok (UTC+7): it leaves the public site at this time by itself (the end of an embargo, an appeal with a deadline).",
                null=True,
                verbose_name="unpublish date",
            ),
        ),
    ]
