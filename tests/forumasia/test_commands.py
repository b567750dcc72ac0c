import io

import pytest
from django.contrib.auth import get_user_model
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


def test_ensure_admin_uses_the_given_password(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-given-password-42")
    out = io.StringIO()

    call_command("ensure_admin", stdout=out)
    call_command("ensure_admin", stdout=out)

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("a-given-password-42")
    assert "a-given-password-42" in out.getvalue()
    assert get_user_model().objects.filter(username="admin").count() == 1
