from django.db import migrations
from django.utils.text import slugify

# (ISO 3166-1 alpha-2, English short name, sub-region). Editors may edit or add countries later.
ASIAN_COUNTRIES = [
    ("AF", "Afghanistan", "south"),
    ("BD", "Bangladesh", "south"),
    ("BT", "Bhutan", "south"),
    ("IN", "India", "south"),
    ("MV", "Maldives", "south"),
    ("NP", "Nepal", "south"),
    ("PK", "Pakistan", "south"),
    ("LK", "Sri Lanka", "south"),
    ("BN", "Brunei Darussalam", "southeast"),
    ("KH", "Cambodia", "southeast"),
    ("ID", "Indonesia", "southeast"),
    ("LA", "Laos", "southeast"),
    ("MY", "Malaysia", "southeast"),
    ("MM", "Myanmar", "southeast"),
    ("PH", "Philippines", "southeast"),
    ("SG", "Singapore", "southeast"),
    ("TH", "Thailand", "southeast"),
    ("TL", "Timor-Leste", "southeast"),
    ("VN", "Vietnam", "southeast"),
    ("CN", "China", "east"),
    ("HK", "Hong Kong", "east"),
    ("JP", "Japan", "east"),
    ("MO", "Macao", "east"),
    ("MN", "Mongolia", "east"),
    ("KP", "North Korea", "east"),
    ("KR", "South Korea", "east"),
    ("TW", "Taiwan", "east"),
    ("KZ", "Kazakhstan", "central"),
    ("KG", "Kyrgyzstan", "central"),
    ("TJ", "Tajikistan", "central"),
    ("TM", "Turkmenistan", "central"),
    ("UZ", "Uzbekistan", "central"),
    ("AM", "Armenia", "west"),
    ("AZ", "Azerbaijan", "west"),
    ("BH", "Bahrain", "west"),
    ("GE", "Georgia", "west"),
    ("IR", "Iran", "west"),
    ("IQ", "Iraq", "west"),
    ("IL", "Israel", "west"),
    ("JO", "Jordan", "west"),
    ("KW", "Kuwait", "west"),
    ("LB", "Lebanon", "west"),
    ("OM", "Oman", "west"),
    ("PS", "Palestine", "west"),
    ("QA", "Qatar", "west"),
    ("SA", "Saudi Arabia", "west"),
    ("SY", "Syria", "west"),
    ("TR", "Türkiye", "west"),
    ("AE", "United Arab Emirates", "west"),
    ("YE", "Yemen", "west"),
]


def load_countries(apps, schema_editor):
    Country = apps.get_model("members", "Country")
    for code, name, sub_region in ASIAN_COUNTRIES:
        Country.objects.update_or_create(
            code=code, defaults={"name": name, "slug": slugify(name), "sub_region": sub_region}
        )


def remove_countries(apps, schema_editor):
    Country = apps.get_model("members", "Country")
    Country.objects.filter(code__in=[code for code, _, _ in ASIAN_COUNTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(load_countries, remove_countries)]
