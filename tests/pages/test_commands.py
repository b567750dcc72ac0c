"""load_demo: fictional sample content of every app, once."""

import io

import pytest
from django.core.management import call_command

from members.models import Country, MemberOrganisation

pytestmark = pytest.mark.django_db


def test_load_demo_twice_creates_no_duplicates():
    call_command("load_demo", stdout=io.StringIO())
    first = MemberOrganisation.objects.count()

    call_command("load_demo", stdout=io.StringIO())

    assert MemberOrganisation.objects.count() == first


def test_load_demo_builds_85_current_members_in_23_countries():
    call_command("load_demo", stdout=io.StringIO())

    assert MemberOrganisation.objects.active().count() == 85
    assert Country.objects.with_members().count() == 23
    assert all(m.logo for m in MemberOrganisation.objects.all())
    assert "fictional" in MemberOrganisation.objects.first().description
