"""An editor who keeps mistyping is locked out with a clear page, in real Chromium."""

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def sign_in(page, live_server, password):
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_an_editor_locked_out_after_repeated_mistakes_is_told_why_and_unlocked_by_a_superuser(
    page, live_server, csp_violations, screenshot
):
    StaffUserFactory(username="editor")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(page, live_server, "wrong password")
        assert "Please enter the correct username and password" in page.inner_text(".errornote")

    sign_in(page, live_server, "wrong password")
    assert page.inner_text("h1") == "Sign-in locked"
    sign_in(page, live_server, PASSWORD)
    assert page.inner_text("h1") == "Sign-in locked"
    assert "Ask a site administrator to unlock your account" in page.inner_text("#content")
    screenshot("locked-out")
    assert csp_violations == []

    call_command("axes_reset_username", "editor")
    sign_in(page, live_server, PASSWORD)

    assert page.url == live_server.url + "/admin/"
    assert page.inner_text("#site-name") == "forumasia administration"
