"""Password guessing on /admin/login/ is locked out per account and per client (django-axes)."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from tests.factories import StaffUserFactory, SuperUserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LIMIT = settings.AXES_FAILURE_LIMIT


@pytest.fixture
def editor():
    return StaffUserFactory(username="editor")


def log_in(client, username, password, address="192.0.2.1", **headers):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def is_logged_in(response):
    return response.status_code == 302 and response["Location"] == "/admin/"


def lock_account(client, username):
    """LIMIT wrong passwords for one account, each from a different address."""
    for n in range(LIMIT):
        log_in(client, username, "wrong guess", address=f"198.51.100.{n + 1}")


def lock_address(client, address):
    """One wrong password for each of LIMIT different accounts, all from one address."""
    for n in range(LIMIT):
        log_in(client, f"guess{n}", "wrong guess", address=address)


def test_the_admin_login_works_with_the_right_password(client, editor):
    response = log_in(client, "editor", PASSWORD)

    assert is_logged_in(response)
    assert client.get("/admin/").status_code == 200


def test_a_few_mistakes_below_the_limit_do_not_lock(client, editor):
    for _ in range(LIMIT - 1):
        assert log_in(client, "editor", "typo").status_code == 200

    assert is_logged_in(log_in(client, "editor", PASSWORD))


def test_wrong_passwords_from_many_addresses_lock_the_account_even_for_the_right_password(
    client, editor
):
    lock_account(client, "editor")

    response = log_in(client, "editor", PASSWORD, address="203.0.113.9")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_one_address_guessing_many_accounts_is_locked_for_every_account(client, editor):
    lock_address(client, "192.0.2.50")

    locked = log_in(client, "editor", PASSWORD, address="192.0.2.50")
    elsewhere = log_in(client, "editor", PASSWORD, address="192.0.2.51")

    assert locked.status_code == 429
    assert is_logged_in(elsewhere)


def test_the_lockout_page_explains_in_the_admin_look(client, editor):
    lock_account(client, "editor")

    response = log_in(client, "editor", PASSWORD, address="203.0.113.9")

    text = response.content.decode()
    assert response.status_code == 429
    assert "admin/locked_out.html" in [template.name for template in response.templates]
    assert "forumasia administration" in text
    assert "Too many failed sign-in attempts" in text
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"paused for {minutes} minutes" in " ".join(text.split())
    assert "Ask a site administrator to unlock your account" in text
    assert 'href="/admin/login/"' in text
    assert "editor" not in text.split("<body", 1)[1].replace("forumasia administration", "")
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_lock_lifts_after_the_cool_off(client, editor):
    lock_account(client, "editor")

    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later, tick=True):
        response = log_in(client, "editor", PASSWORD, address="203.0.113.9")

    assert is_logged_in(response)


def test_a_locked_account_stays_locked_for_the_whole_cool_off(client, editor):
    lock_account(client, "editor")

    almost = timezone.now() + settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    with time_machine.travel(almost, tick=True):
        response = log_in(client, "editor", PASSWORD, address="203.0.113.9")

    assert response.status_code == 429


def test_a_superuser_unlocks_an_account_with_axes_reset_username(client, editor):
    lock_account(client, "editor")

    call_command("axes_reset_username", "editor", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert is_logged_in(log_in(client, "editor", PASSWORD, address="203.0.113.9"))


def test_a_superuser_unlocks_an_address_with_axes_reset_ip(client, editor):
    lock_address(client, "192.0.2.50")

    call_command("axes_reset_ip", "192.0.2.50", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert is_logged_in(log_in(client, "editor", PASSWORD, address="192.0.2.50"))


def test_a_superuser_unlocks_an_account_by_deleting_its_attempts_in_the_admin(client, editor):
    lock_account(client, "editor")
    admin = SuperUserFactory(username="root")
    client.force_login(admin)
    changelist = client.get("/admin/axes/accessattempt/?q=editor")
    assert changelist.status_code == 200
    attempts = list(AccessAttempt.objects.filter(username="editor").values_list("pk", flat=True))
    assert len(attempts) == LIMIT

    client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    client.logout()

    assert not AccessAttempt.objects.filter(username="editor").exists()
    assert is_logged_in(log_in(client, "editor", PASSWORD, address="203.0.113.9"))


def test_attempts_are_stored_in_the_database_without_passwords(client, editor):
    log_in(client, "editor", "hunter2-guess")

    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 1
    assert "hunter2-guess" not in attempt.post_data


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked_not_the_proxy(
    client, editor, settings
):
    settings.TRUSTED_PROXIES = 1
    for n in range(LIMIT):
        log_in(client, f"guess{n}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.5")

    locked = log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5")
    spoofed = log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5")
    neighbour = log_in(client, "editor", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert (locked.status_code, spoofed.status_code) == (429, 429)
    assert is_logged_in(neighbour)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
