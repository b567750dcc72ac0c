"""Partner organisations (co-signers outside the network) and signatures that name a member or
a partner. Editors and Publishers manage partners like the rest of the publications app."""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def editors_manage_partners(apps, schema_editor):
    app_config = apps.get_app_config("publications")
    # create_permissions() skips an app without a models module (as in migrations); the
    # browser tests call this with the real registry, whose module must be put back.
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="publications", content_type__model="partnerorganisation"
    )
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Publishers"]):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("members", "0003_logo_validation_and_member_constraints"),
        ("publications", "0007_publishers_group_and_editorial_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="PartnerOrganisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(help_text="As it signs, e.g. CIVICUS.", max_length=255)),
                (
                    "website",
                    models.URLField(
                        blank=True,
                        help_text="Linked from the publications it signs.",
                        validators=[
                            django.core.validators.URLValidator(
                                message="Enter a web address starting with https://.",
                                schemes=["http", "https"],
                            )
                        ],
                    ),
                ),
                (
                    "country",
                    models.ForeignKey(
                        blank=True,
                        help_text="Where it is based; empty for international organisations.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="members.country",
                    ),
                ),
            ],
            options={"verbose_name": "partner organisation", "ordering": ["name"]},
        ),
        migrations.AddConstraint(
            model_name="partnerorganisation",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="partner_name_unique_ignoring_case",
                violation_error_message="A partner organisation with this name exists already.",
            ),
        ),
        migrations.AlterField(
            model_name="signature",
            name="member",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signatures",
                to="members.memberorganisation",
            ),
        ),
        migrations.AddField(
            model_name="signature",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signatures",
                to="publications.partnerorganisation",
                verbose_name="or partner",
            ),
        ),
        migrations.AddConstraint(
            model_name="signature",
            constraint=models.UniqueConstraint(
                fields=("publication", "partner"), name="signature_unique_partner_per_publication"
            ),
        ),
        migrations.AddConstraint(
            model_name="signature",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("member__isnull", True), ("partner__isnull", False)),
                    models.Q(("member__isnull", False), ("partner__isnull", True)),
                    _connector="OR",
                ),
                name="signature_member_or_partner",
                violation_error_message="Choose a member organisation or a partner, not both.",
            ),
        ),
        migrations.RunPython(editors_manage_partners, migrations.RunPython.noop),
    ]
