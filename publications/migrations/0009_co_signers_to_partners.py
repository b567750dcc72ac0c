"""Other co-signers' lines that name a partner organisation become partner signatures
(publications/co_signers.py); every other line stays free text."""

from django.db import migrations

from publications.co_signers import move_co_signers_to_partners


def co_signers_to_partners(apps, schema_editor):
    move_co_signers_to_partners(
        partners=apps.get_model("publications", "PartnerOrganisation").objects.all(),
        publications=apps.get_model("publications", "Publication").objects.all(),
        signature_model=apps.get_model("publications", "Signature"),
    )


class Migration(migrations.Migration):
    dependencies = [("publications", "0008_partner_organisations")]

    operations = [migrations.RunPython(co_signers_to_partners, migrations.RunPython.noop)]
