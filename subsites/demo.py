"""A sample sub-site for `manage.py load_demo`: the network's (fictional) ASEAN advocacy
campaign at /sites/asean/, showing the statements about ASEAN's member states, with a sample
logo, an accent colour, a newsletter list of its own and one pinned pick.

Runs after publications.demo and newsletter.demo (INSTALLED_APPS order). Idempotent: a sub-site
whose slug exists is left alone.
"""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from forumasia import events
from members.models import Country
from newsletter.models import MailingList
from publications.models import Publication

from .models import Pick, SubSite

SLUG = "asean"
ACCENT = "#1d4e89"  # deep blue: 8.4:1 on white
ASEAN_MEMBER_STATES = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"]
INTRODUCTION = (
    "<p>A sample campaign site: the network's advocacy towards the Association of Southeast "
    "Asian Nations, its human rights commission and its member states. Statements from the "
    "network about the region, gathered in one place.</p>"
    "<p><em>Sample content: this sub-site is fictional demo text.</em></p>"
)


def sample_logo():
    """A square PNG saying "ASEAN" on the accent colour."""
    image = Image.new("RGB", (240, 240), ACCENT)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=54)
    draw.text((120, 120), "ASEAN", fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def load(stdout):
    if SubSite.objects.filter(slug=SLUG).exists():
        return
    mailing_list, _created = MailingList.objects.get_or_create(
        slug="asean-advocacy",
        defaults={
            "name": "ASEAN advocacy updates",
            "description": "The campaign's statements and calls to action, when they come out.",
            "position": 5,
        },
    )
    sub_site = SubSite(
        name="ASEAN advocacy",
        short_name="ASEAN",
        slug=SLUG,
        accent_colour=ACCENT,
        introduction=INTRODUCTION,
        mailing_list=mailing_list,
        publication_types=["statement"],
    )
    sub_site.logo.save("asean.png", ContentFile(sample_logo()), save=False)
    sub_site.save()
    countries = Country.objects.filter(code__in=ASEAN_MEMBER_STATES)
    sub_site.countries.set(countries)
    # A report about the region, pinned to the top of its home: a pick shows whatever the
    # sub-site's criteria (statements only).
    report = (
        Publication.objects.published()
        .of_type("report")
        .about_country(*countries)
        .order_by("-publish_at")
        .first()
    )
    if report is not None:
        Pick.objects.create(sub_site=sub_site, publication=report, is_pinned=True)
    events.changed(sub_site)
    stdout.write(f"Sample sub-site: {sub_site.name} at /{sub_site.url_prefix}")
