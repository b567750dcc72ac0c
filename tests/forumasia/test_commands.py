import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


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


def test_ensure_admin_prints_the_address_the_site_serves(monkeypatch, settings):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-given-password-42")
    settings.SITE_URL = "http://127.0.0.1:8001"
    out = io.StringIO()

    call_command("ensure_admin", stdout=out)

    assert "http://127.0.0.1:8001/admin/" in out.getvalue()
    assert ":8000" not in out.getvalue()
