"""Fictional sample members for `manage.py load_demo`. Every name is invented and marked."""

import io
import random

from django.core.files.base import ContentFile
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFont

from .models import Country, MemberOrganisation

# 23 countries: (ISO code, city) pairs; members are spread over them round-robin.
DEMO_COUNTRIES = [
    ("AF", "Kabul"),
    ("BD", "Dhaka"),
    ("BT", "Thimphu"),
    ("IN", "New Delhi"),
    ("MV", "Malé"),
    ("NP", "Kathmandu"),
    ("PK", "Lahore"),
    ("LK", "Colombo"),
    ("KH", "Phnom Penh"),
    ("ID", "Jakarta"),
    ("MY", "Kuala Lumpur"),
    ("MM", "Yangon"),
    ("PH", "Manila"),
    ("SG", "Singapore"),
    ("TH", "Bangkok"),
    ("TL", "Dili"),
    ("VN", "Hanoi"),
    ("HK", "Hong Kong"),
    ("JP", "Tokyo"),
    ("MN", "Ulaanbaatar"),
    ("KR", "Seoul"),
    ("TW", "Taipei"),
    ("KG", "Bishkek"),
]
KINDS = ["Centre", "Forum", "Alliance", "Watch", "Institute", "Network", "Collective"]
THEMES = [
    "Civic Rights",
    "Human Rights Defenders",
    "Democracy",
    "Legal Aid",
    "Women's Rights",
    "Land and Labour",
    "Free Expression",
    "Justice and Peace",
    "Migrant Rights",
    "Indigenous Peoples' Rights",
    "Transparency",
    "Youth and Rights",
]
FOCUS_AREAS = [
    "Civic space",
    "Freedom of expression",
    "Human rights defenders",
    "Gender justice",
    "Business and human rights",
    "Transitional justice",
    "Digital rights",
    "Refugees",
]
LOGO_COLOURS = ["#8a1c2b", "#0b5d6b", "#3b4a8c", "#6a4c93", "#2f6b3b", "#9a4a12"]
MEMBER_COUNT = 85
FORMER_MEMBER_COUNT = 2
SAMPLE_NOTE = "<p><em>Sample organisation: fictional demo content, not a real member.</em></p>"


def _logo_png(initials, colour):
    image = Image.new("RGB", (240, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 230, 230), fill=colour)
    font = ImageFont.load_default(size=64)
    draw.text((120, 120), initials[:4], fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def load(stdout):
    rng = random.Random(1991)
    countries = {c.code: c for c in Country.objects.filter(code__in=[c for c, _ in DEMO_COUNTRIES])}
    created = 0
    for index in range(MEMBER_COUNT + FORMER_MEMBER_COUNT):
        code, city = DEMO_COUNTRIES[index % len(DEMO_COUNTRIES)]
        country = countries[code]
        theme = THEMES[index % len(THEMES)]
        kind = KINDS[index % len(KINDS)]
        name = f"{city} {theme} {kind}"
        if index >= len(THEMES) * len(KINDS):
            name = f"{name} {index}"
        acronym = "".join(w[0] for w in f"{city} {theme} {kind}".replace("'", "").split()).upper()
        slug = slugify(name)
        if MemberOrganisation.objects.filter(slug=slug).exists():
            continue
        member = MemberOrganisation(
            name=name,
            acronym=acronym,
            slug=slug,
            country=country,
            city=city,
            website=f"https://{slug}.example.org/",
            description=(
                f"{SAMPLE_NOTE}<p>A fictional {kind.lower()} in {city} working on "
                f"{theme.lower()}, used to show how member pages look.</p>"
            ),
            focus_areas=", ".join(rng.sample(FOCUS_AREAS, 2)),
            year_joined=rng.randint(1991, 2024),
            contact_email=f"info@{slug}.example.org",
            is_active=index < MEMBER_COUNT,
        )
        member.logo.save(
            f"{slug}.png",
            ContentFile(_logo_png(acronym, LOGO_COLOURS[index % len(LOGO_COLOURS)])),
            save=False,
        )
        member.save()
        created += 1
    stdout.write(f"Members: {created} created, {MemberOrganisation.objects.count()} in total.")
