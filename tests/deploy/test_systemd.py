"""deploy/systemd/: every unit and timer is one systemd reads without a complaint, every
timer starts a service that is shipped, and every management command a unit runs exists and
accepts the arguments the unit gives it. A renamed command or option breaks the unit on the
server, silently, at 02:00; here it breaks the suite."""

import configparser
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").iterdir())
VENV_BIN = "/srv/forumasia/app/.venv/bin/"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def read_unit(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def manage_commands():
    """(unit name, command name, arguments) for each `manage.py` a unit runs, with the
    template's %i filled in by the instances README starts."""
    for path in UNITS:
        # Every ExecStart line (a oneshot service may have several; configparser keeps one).
        for line in path.read_text().splitlines():
            if not line.startswith("ExecStart="):
                continue
            words = shlex.split(line.removeprefix("ExecStart="))
            if "manage.py" not in words:
                continue
            name, *arguments = words[words.index("manage.py") + 1 :]
            instances = ["default", "bulk"] if "%i" in arguments else [None]
            for instance in instances:
                yield path.name, name, [instance if a == "%i" else a for a in arguments]


def test_the_units_and_timers_are_ones_systemd_reads_without_a_complaint(tmp_path):
    if SYSTEMD_ANALYZE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs systemd-analyze (Debian's systemd)")
        pytest.skip("no systemd-analyze")
    for path in UNITS:
        # The programs live on the server, not here; everything else is checked as shipped.
        (tmp_path / path.name).write_text(
            path.read_text()
            .replace(VENV_BIN + "python", "/bin/true")
            .replace(VENV_BIN + "gunicorn", "/bin/true")
        )

    checked = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
    )

    assert checked.returncode == 0, checked.stderr
    assert checked.stderr.strip() == ""


def test_every_timer_starts_a_shipped_service_on_a_valid_schedule():
    timers = [path for path in UNITS if path.suffix == ".timer"]
    names = {path.name for path in UNITS}

    assert timers
    for timer in timers:
        unit = read_unit(timer)
        assert unit.get("Timer", "Unit", fallback=timer.stem + ".service") in names
        if SYSTEMD_ANALYZE:
            schedule = unit.get("Timer", "OnCalendar")
            subprocess.run([SYSTEMD_ANALYZE, "calendar", schedule], check=True, capture_output=True)


@pytest.mark.parametrize(
    ("unit", "name", "arguments"),
    list(manage_commands()),
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_every_command_a_unit_runs_exists_and_accepts_its_arguments(
    unit, name, arguments, settings
):
    # As on the servers: the database queue (the tests' own runs tasks at once).
    settings.TASKS = {
        "default": {
            "BACKEND": settings.TASK_BACKENDS["database"],
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    commands = get_commands()

    assert name in commands, f"{unit} runs manage.py {name}, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(arguments)  # exits (SystemExit) on an option the command lacks
