"""Settings are read from the environment; an unsafe production configuration fails loudly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "a9Zq-" + "".join(chr(48 + i % 75) for i in range(60))


def run_settings(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import forumasia.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_fails_loudly():
    result = run_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_short_secret_key_in_production_is_refused():
    result = run_settings(DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="example.org")

    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_missing_allowed_hosts_in_production_is_refused():
    result = run_settings(DJANGO_SECRET_KEY=PRODUCTION_KEY)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_redirects_to_https_unless_a_proxy_terminates_tls():
    secure = run_settings(DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="example.org")
    behind_proxy = run_settings(
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )

    assert secure.stdout.split() == ["False", "True"]
    assert behind_proxy.stdout.split() == ["False", "False"]


def test_debug_mode_starts_without_a_secret_key():
    result = run_settings(DJANGO_DEBUG="1")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_check_deploy_is_clean_with_production_settings():
    env = {
        "DJANGO_SECRET_KEY": PRODUCTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
