"""Editorial pages: a page with the publications' workflow (pages/models.py)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import forumasia.images
import pages.paths


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Page",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("review", "In review"),
                            ("published", "Published"),
                            ("unpublished", "Unpublished"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=20,
                    ),
                ),
                (
                    "publish_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        help_text="Time zone Asia/Bangkok (UTC+7). Once published, it is public from this time on; a future time schedules it.",
                        verbose_name="publish date",
                    ),
                ),
                (
                    "unpublish_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="Optional, Asia/Bangkok (UTC+7): it leaves the public site at this time by itself (the end of an embargo, an appeal with a deadline).",
                        null=True,
                        verbose_name="unpublish date",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("title", models.CharField(max_length=200)),
                (
                    "path",
                    models.CharField(
                        help_text="Where the page lives on the site, starting and ending with “/”, e.g. /about/our-history/. Changing it once the page is public leaves a permanent redirect from the old address.",
                        max_length=200,
                        unique=True,
                        validators=[pages.paths.validate_page_path],
                        verbose_name="address",
                    ),
                ),
                (
                    "introduction",
                    models.TextField(
                        blank=True,
                        help_text="A plain-text summary of one or two sentences, under the title and in search results.",
                        max_length=600,
                    ),
                ),
                (
                    "body",
                    models.TextField(
                        blank=True,
                        help_text="Cleaned on save: scripts, styles, embeds and unsafe links are removed.",
                    ),
                ),
                (
                    "hero_image",
                    models.ImageField(
                        blank=True,
                        help_text="Optional, shown across the top. JPEG, PNG, WebP or GIF; location and camera data are removed on upload.",
                        upload_to="pages/images/%Y/%m/",
                        validators=[forumasia.images.validate_image_file],
                        verbose_name="image",
                    ),
                ),
                (
                    "hero_image_alt",
                    models.CharField(
                        blank=True,
                        help_text="Required with an image: what the image shows, for people who cannot see it.",
                        max_length=255,
                        verbose_name="alt text",
                    ),
                ),
                (
                    "hero_image_credit",
                    models.CharField(blank=True, max_length=200, verbose_name="credit"),
                ),
                (
                    "hero_image_renditions",
                    models.JSONField(blank=True, default=list, editable=False),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        help_text="The page this one belongs under (About us › Who we work with), named above its title while both are public.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="children",
                        to="pages.page",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "editorial page",
                "ordering": ["path"],
                "permissions": [("publish_page", "Can publish, schedule and unpublish")],
                "abstract": False,
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["draft", "review", "published", "unpublished"])
                        ),
                        name="page_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("unpublish_at__isnull", True),
                            ("unpublish_at__gt", models.F("publish_at")),
                            _connector="OR",
                        ),
                        name="page_unpublished_after_published",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("path__endswith", "/"),
                            ("path__startswith", "/"),
                            models.Q(("path__contains", "//"), _negated=True),
                        ),
                        name="page_path_shape",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("parent", models.F("pk")), _negated=True),
                        name="page_not_its_own_parent",
                    ),
                ],
            },
        ),
    ]
