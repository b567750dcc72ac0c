"""deploy/systemd/: every unit and timer is one systemd reads without a complaint, every
timer starts a service that is shipped, and every management command a unit runs exists and
accepts the arguments the unit gives it. A renamed command or option breaks the unit on the
server, silently, at 02:00; here it breaks the suite.

Every service runs in the sandbox (forumasia-.service.d/sandbox.conf): read from the files
as systemd merges them, and rated by `systemd-analyze security --offline=yes`, which must find
nothing left but what the app cannot do without (its network, /proc, the root directory).
systemd is not PID 1 on the test machines: the units are analysed, not started."""

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = sorted(path for path in SYSTEMD.iterdir() if path.is_file())
SERVICES = [path for path in UNITS if path.suffix == ".service"]
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


def needs_systemd_analyze():
    if SYSTEMD_ANALYZE is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs systemd-analyze (Debian's systemd)")
        pytest.skip("no systemd-analyze (apt-get install systemd)")


def shipped_copy(folder):
    """deploy/systemd/ copied into `folder` with its drop-ins, the programs (which live on the
    server) replaced by /bin/true; everything else as shipped."""
    shutil.copytree(SYSTEMD, folder, dirs_exist_ok=True)
    for path in folder.iterdir():
        if path.is_file():
            path.write_text(
                path.read_text()
                .replace(VENV_BIN + "python", "/bin/true")
                .replace(VENV_BIN + "gunicorn", "/bin/true")
            )
    return folder


def test_the_units_and_timers_are_ones_systemd_reads_without_a_complaint(tmp_path):
    needs_systemd_analyze()
    units = [str(shipped_copy(tmp_path) / path.name) for path in UNITS]

    checked = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *units],
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


# --- the sandbox ---------------------------------------------------------------------------------

APP = "/srv/forumasia/app"
WRITABLE = {"/srv/forumasia/media", "/srv/forumasia/private"}
# What `systemd-analyze security` still counts, and why the app needs it.
TOLERATED = {
    "PrivateNetwork": "PostgreSQL, Redis, SMTP, S3 and the clients are on the network",
    "IPAddressDeny": "their addresses are the operator's, not known here",
    "RestrictAddressFamilies_AF_INET_INET6": "the same network, over TCP",
    "RestrictAddressFamilies_AF_UNIX": "PostgreSQL's local socket, systemd's notify socket",
    "ProcSubset": "Python and its libraries read /proc/meminfo, /proc/cpuinfo",
    "RootDirectoryOrRootImage": "the app runs from the host's Python and libraries",
    "DeviceAllow": "PrivateDevices keeps /dev/rtc readable; nothing to remove",
}


def service_directives(path):
    """{key: [values]} of the [Service] section of `path` merged with its drop-ins the way
    systemd reads them: the unit, the prefix drop-ins `<prefix>-.service.d/` (systemd 246+),
    shortest first, then `<name>.d/`; a later value of a key after an earlier one."""
    stem = path.name.removesuffix(".service")
    folders = [
        path.parent / f"{stem[: index + 1]}.service.d"
        for index, char in enumerate(stem)
        if char == "-"
    ] + [path.parent / f"{path.name}.d"]
    sources = [path] + [
        file for folder in folders if folder.is_dir() for file in folder.glob("*.conf")
    ]
    directives = {}
    for source in sources:
        section = None
        for line in source.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line.strip("[]")
            elif section == "Service":
                key, _, value = line.partition("=")
                directives.setdefault(key.strip(), []).append(value.strip())
    return directives


@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_every_service_runs_in_the_sandbox(unit):
    directives = service_directives(unit)

    def last(key):
        return directives.get(key, [None])[-1]

    assert last("User") == "forumasia" and last("Group") == "forumasia"
    assert last("NoNewPrivileges") == "yes"
    assert last("ProtectSystem") == "strict"
    assert {path for value in directives["ReadWritePaths"] for path in value.split()} == WRITABLE
    assert last("PrivateTmp") == "yes"
    assert last("UMask") == "0077"
    assert re.fullmatch(r"\d+[KMG]", last("MemoryMax") or "")
    assert last("CapabilityBoundingSet") == ""
    # The code is read-only: it runs from the code's folder, which is not writable.
    assert last("WorkingDirectory") == APP
    assert not any(APP.startswith(path) or path.startswith(APP) for path in WRITABLE)
    assert all(start.startswith(APP + "/.venv/bin/") for start in directives["ExecStart"])


@pytest.mark.parametrize("unit", SERVICES, ids=lambda path: path.name)
def test_systemd_analyze_security_finds_nothing_the_app_could_do_without(unit, tmp_path):
    needs_systemd_analyze()
    copy = shipped_copy(tmp_path) / unit.name

    rated = subprocess.run(
        [SYSTEMD_ANALYZE, "security", "--offline=yes", "--json=short", "--threshold=20", copy],
        capture_output=True,
        text=True,
    )

    assert rated.returncode == 0, f"exposure above 2.0: {rated.stderr}"
    left = {entry["json_field"] for entry in json.loads(rated.stdout) if not entry["set"]}
    assert left <= set(TOLERATED), sorted(left - set(TOLERATED))


def test_the_install_keeps_the_code_roots_and_makes_the_writable_folders():
    """README's install and upgrade: the code, its packages and its static files are written by
    root (the units may only read them), and the two folders the units may write exist."""
    readme = (ROOT / "README.md").read_text()
    production = readme.split("## Production", 1)[1].split("\n## ", 1)[0]
    as_app = [line for line in production.splitlines() if "-u forumasia" in line]

    assert as_app  # migrate, check, ensure_admin
    assert not [line for line in as_app if re.search(r"git |pip |collectstatic", line)]
    for folder in sorted(WRITABLE):
        assert re.search(
            rf"install -d -m 07[05][05] -o forumasia -g forumasia {folder}\n", production
        )
    assert "cp -r deploy/systemd/. /etc/systemd/system/" in production
