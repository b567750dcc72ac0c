import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The import's records of the old site move here from `wordpress` (wordpress 0005) in
    Django's state only: the tables and their rows stay as they are, under their old names.
    After publications 0019, whose `files_relocated` receiver still finds them in `wordpress`."""

    initial = True

    dependencies = [
        ("pages", "0007_move_page_files_to_private_storage"),
        ("publications", "0019_move_files_to_private_storage"),
        ("wordpress", "0004_imported_media_per_publication"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportedTerm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "site_url",
                            models.CharField(max_length=255, verbose_name="WordPress site"),
                        ),
                        ("taxonomy", models.CharField(max_length=40)),
                        ("slug", models.CharField(max_length=400)),
                        ("redirect_to", models.CharField(max_length=500)),
                    ],
                    options={
                        "db_table": "wordpress_importedterm",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("site_url", "taxonomy", "slug"), name="imported_term_unique"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ImportedItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "site_url",
                            models.CharField(max_length=255, verbose_name="WordPress site"),
                        ),
                        ("wp_id", models.PositiveBigIntegerField(verbose_name="WordPress ID")),
                        ("post_type", models.CharField(max_length=20)),
                        ("name", models.CharField(blank=True, db_index=True, max_length=400)),
                        ("post_date", models.DateField(blank=True, null=True)),
                        ("source_hash", models.CharField(max_length=64)),
                        ("target_hash", models.CharField(max_length=64)),
                        ("imported_at", models.DateTimeField()),
                        (
                            "page",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="pages.page",
                            ),
                        ),
                        (
                            "publication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="publications.publication",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "wordpress_importeditem",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("site_url", "wp_id"), name="imported_item_unique"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("publication__isnull", True),
                                    ("page__isnull", True),
                                    _connector="OR",
                                ),
                                name="imported_item_one_target",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ImportedMedia",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "site_url",
                            models.CharField(max_length=255, verbose_name="WordPress site"),
                        ),
                        ("source", models.CharField(max_length=500)),
                        ("stored_name", models.CharField(max_length=500)),
                        (
                            "use",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "Public upload"),
                                    ("featured", "Featured image"),
                                    ("gallery", "Gallery image"),
                                    ("document", "Attachment"),
                                ],
                                default="",
                                max_length=20,
                            ),
                        ),
                        (
                            "publication",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="publications.publication",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "imported media",
                        "db_table": "wordpress_importedmedia",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("publication__isnull", True)),
                                fields=("site_url", "source"),
                                name="imported_media_public_unique",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("publication__isnull", False)),
                                fields=("site_url", "source", "publication", "use"),
                                name="imported_media_copy_unique",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
