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
