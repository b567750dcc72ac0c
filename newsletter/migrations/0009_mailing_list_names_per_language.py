"""The mailing lists' names and descriptions in each language (newsletter/translation.py). Each
list's name and description so far become its English ones, so that no list shows empty on any
page; going back copies the English ones into the single columns again."""

from django.db import migrations, models


def copy_into_english(apps, schema_editor):
    MailingList = apps.get_model("newsletter", "MailingList")
    for mailing_list in MailingList.objects.all():
        mailing_list.name_en = mailing_list.name
        # Empty translations are NULL (translation.py's empty_values).
        mailing_list.description_en = mailing_list.description or None
        mailing_list.save(update_fields=["name_en", "description_en"])


def copy_back_from_english(apps, schema_editor):
    MailingList = apps.get_model("newsletter", "MailingList")
    for mailing_list in MailingList.objects.all():
        mailing_list.name = mailing_list.name_en or mailing_list.name
        mailing_list.description = mailing_list.description_en or ""
        mailing_list.save(update_fields=["name", "description"])


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0008_subscriber_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailinglist",
            name="description_en",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="mailinglist",
            name="description_ind",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="mailinglist",
            name="description_th",
            field=models.CharField(blank=True, max_length=300, null=True),
        ),
        migrations.AddField(
            model_name="mailinglist",
            name="name_en",
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="mailinglist",
            name="name_ind",
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="mailinglist",
            name="name_th",
            field=models.CharField(max_length=120, null=True, unique=True),
        ),
        migrations.RunPython(copy_into_english, copy_back_from_english),
    ]
