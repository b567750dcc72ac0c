"""What a newcomer meets: `make run` on a port of their choice, and commands that print only
what they promise (no start-up banners, no warnings that look like errors)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "SITE_URL")


def development_environment(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    return {**clean, "DJANGO_DEBUG": "1", **env}


def test_make_run_serves_and_announces_the_port_given():
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "run", "PORT=8001"],
        cwd=ROOT,
        env=development_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )

    commands = dry_run.stdout.splitlines()
    runserver = [line for line in commands if "manage.py runserver" in line]
    ensure_admin = [line for line in commands if "manage.py ensure_admin" in line]
    assert runserver and runserver[0].endswith("runserver 127.0.0.1:8001")
    assert "SITE_URL=http://127.0.0.1:8001" in ensure_admin[0]


def test_make_run_stops_before_migrating_when_the_port_is_taken():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = subprocess.run(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=development_environment(DATABASE_URL="sqlite:////nonexistent/never-made.sqlite3"),
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode != 0
    assert f"Port {port} is in use" in result.stderr
    assert "make run PORT=" in result.stderr
    assert "migrate" not in result.stdout


def test_migrate_on_a_fresh_sqlite_database_prints_no_warning_and_no_banner(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=development_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}"),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "WARNING" not in output.upper()
    assert "AXES" not in output
    assert output.lstrip().startswith("Operations to perform:")


def test_make_run_installs_the_sites_requirements_and_make_test_adds_the_test_tools():
    def installs(target):
        dry_run = subprocess.run(
            ["make", "--no-print-directory", "-n", "-B", target],
            cwd=ROOT,
            env=development_environment(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        return [line for line in dry_run.stdout.splitlines() if "pip install" in line]

    assert any("-r requirements.txt" in line for line in installs("run"))
    assert not any("requirements-dev.txt" in line for line in installs("run"))
    assert any("-r requirements-dev.txt" in line for line in installs("test"))
