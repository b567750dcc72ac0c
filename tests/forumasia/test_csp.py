"""forumasia/csp.py: the public pages' policy allows only our own scripts; the admin's allows
the editor's inline styles, never eval."""

import pytest

pytestmark = pytest.mark.django_db


def test_public_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in policy


def test_admin_policy_allows_editor_styles_but_never_eval(client):
    response = client.get("/admin/login/")

    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "unsafe-eval" not in policy
    # Directive order is not fixed; compare the script-src directive itself.
    directives = {part.strip() for part in policy.split(";")}
    assert "script-src 'self'" in directives
