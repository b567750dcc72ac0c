"""load_demo: fictional sample content of every app, once."""

import io

import pytest
from django.core.management import call_command

from members.models import Country, MemberOrganisation
from newsletter.models import Subscriber
from pages.models import Page
from publications.models import Publication

pytestmark = pytest.mark.django_db


def content_counts():
    return [model.objects.count() for model in (MemberOrganisation, Publication, Subscriber, Page)]


def test_load_demo_fills_every_app_with_a_demo_module_once():
    call_command("load_demo", stdout=io.StringIO())
    first = content_counts()

    call_command("load_demo", stdout=io.StringIO())

    assert all(first)
    assert content_counts() == first
    history = Page.objects.get(path="/about/our-history/")
    assert history.is_public and history.parent.path == "/about/" and history.hero_image_renditions
    assert Page.objects.get(path="/about/annual-report-2025/").status_label == "In review"


def test_load_demo_builds_85_current_members_in_23_countries():
    call_command("load_demo", stdout=io.StringIO())

    assert MemberOrganisation.objects.active().count() == 85
    assert Country.objects.with_members().count() == 23
    assert all(m.logo for m in MemberOrganisation.objects.all())
    assert "fictional" in MemberOrganisation.objects.first().description


def test_load_demo_links_civicus_as_a_partner_and_leaves_sample_names_as_free_text():
    from publications.models import PartnerOrganisation

    call_command("load_demo", stdout=io.StringIO())

    civicus = PartnerOrganisation.objects.get(name="CIVICUS")
    signed = Publication.objects.signed_by(civicus)
    assert signed.exists()
    assert all("CIVICUS" not in publication.co_signers for publication in signed)
    assert all("Sample Solidarity Network" in publication.co_signers for publication in signed)
