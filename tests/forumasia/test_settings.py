"""Settings are read from the environment; an unsafe production configuration fails loudly."""

import ast
import os
import re
import secrets
import stat
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management.utils import get_random_secret_key
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "a9Zq-" + "".join(chr(48 + i % 75) for i in range(60))


# Variables the settings read that the developer's own shell may have set.
SETTINGS_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "NEWSLETTER_", "AWS_", "MEDIA_ROOT")


def run_settings(printed="s.DEBUG, s.SECURE_SSL_REDIRECT", **env):
    """Import the settings in a fresh process with only `env` set; print `printed`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import forumasia.settings as s; print({printed})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_manage(*args, **env):
    """`manage.py *args` in a fresh process with production settings and `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    clean.update(DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="example.org", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def production_settings(printed, **env):
    production = {"DJANGO_SECRET_KEY": PRODUCTION_KEY, "DJANGO_ALLOWED_HOSTS": "example.org"}
    result = run_settings(printed, **{**production, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


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
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


CACHE = "s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION')"


def test_production_without_redis_shares_one_database_cache_between_workers():
    assert production_settings(CACHE) == [
        "django.core.cache.backends.db.DatabaseCache",
        "forumasia_cache",
    ]


def test_redis_url_upgrades_the_production_cache():
    assert production_settings(CACHE, REDIS_URL="redis://127.0.0.1:6379/5") == [
        "forumasia.cache.RedisCache",
        "redis://127.0.0.1:6379/5",
    ]


def test_the_development_server_keeps_a_memory_cache():
    result = run_settings(CACHE, DJANGO_DEBUG="1")

    assert result.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "None"]


def test_one_proxy_count_serves_the_login_guard_and_the_signup_limit():
    printed = "s.TRUSTED_PROXIES"

    assert production_settings(printed) == ["0"]
    assert production_settings(printed, DJANGO_TRUSTED_PROXIES="2") == ["2"]
    # The variable's former name still works for existing deployments.
    assert production_settings(printed, NEWSLETTER_TRUSTED_PROXIES="1") == ["1"]


# --- The development secret key ------------------------------------------------------------------


def test_make_run_keeps_one_development_key_readable_by_its_owner_only(tmp_path):
    make = ["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path)]

    subprocess.run([*make, ".secret-key"], check=True, capture_output=True, timeout=60)
    key_file = tmp_path / ".secret-key"
    key = key_file.read_text()
    subprocess.run([*make, ".secret-key"], check=True, capture_output=True, timeout=60)

    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key.strip()) >= 50
    assert key_file.read_text() == key


def test_every_debug_process_reads_the_kept_key_and_production_never_does():
    key_file = ROOT / ".secret-key"
    made_here = not key_file.exists()
    if made_here:
        key_file.write_text("debug-only-" + "k" * 50 + "\n")
    try:
        first = run_settings("s.SECRET_KEY", DJANGO_DEBUG="1")
        reloaded = run_settings("s.SECRET_KEY", DJANGO_DEBUG="1")
        production = run_settings(DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="example.org")
        kept = key_file.read_text().strip()
    finally:
        if made_here:
            key_file.unlink()

    assert first.stdout.strip() == reloaded.stdout.strip() == kept
    assert production.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in production.stderr


def test_without_a_kept_key_debug_makes_one_per_process(tmp_path):
    from forumasia.settings import debug_secret_key

    missing = tmp_path / ".secret-key"

    assert debug_secret_key(missing) != debug_secret_key(missing)
    assert not missing.exists()


# --- Email ----------------------------------------------------------------------------------------


def test_the_file_email_backend_writes_to_email_file_path_for_the_sites_user_only(tmp_path):
    outbox = tmp_path / "outbox"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_VARIABLES)}
    clean.update(
        DJANGO_SETTINGS_MODULE="forumasia.settings",
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(outbox),
    )
    send = (
        "import django; django.setup(); from django.core.mail import send_mail; "
        "send_mail('Sample', 'Sample body.', None, ['reader@example.org'])"
    )

    result = subprocess.run(
        [sys.executable, "-c", send],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        umask=0o022,  # the usual: files 0644 unless the writer says otherwise
    )

    assert result.returncode == 0, result.stderr
    [message] = outbox.iterdir()
    assert "Subject: Sample" in message.read_text()
    # Django's backend named, the private one used (forumasia/mail.py).
    assert (stat.S_IMODE(outbox.stat().st_mode), stat.S_IMODE(message.stat().st_mode)) == (
        0o700,
        0o600,
    )


# --- every setting and every variable has its one place -----------------------------------------

PROJECT_PACKAGES = tuple(django_settings.LOCAL_APPS)


def project_modules():
    for package in PROJECT_PACKAGES:
        modules = sorted((ROOT / package).rglob("*.py"))
        yield from (path for path in modules if "migrations" not in path.parts)
    yield ROOT / "gunicorn.conf.py"


def constant(node):
    return node.value if isinstance(node, ast.Constant) else None


def settings_read(tree):
    """Names read as `settings.NAME` or `getattr(settings, "NAME", ...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "settings":
            yield node.attr
        elif is_getattr_of_settings(node):
            yield constant(node.args[1])


def is_getattr_of_settings(node):
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "getattr"
        and getattr(node.args[0], "id", "") == "settings"
        and isinstance(constant(node.args[1]), str)
    )


def is_environment(node):
    """`os.environ`, as an expression."""
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def variables_read(tree):
    """Names read as `os.environ.get("NAME")`, `os.environ["NAME"]`, `os.getenv("NAME")`,
    `env_bool("NAME")` or `env_list("NAME")`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and is_environment(node.value):
            yield constant(node.slice)
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            reads = (
                getattr(function, "id", "") in ("env_bool", "env_list")
                or getattr(function, "attr", "") == "getenv"
                or (getattr(function, "attr", "") == "get" and is_environment(function.value))
            )
            if reads:
                yield constant(node.args[0])


def test_every_setting_the_code_reads_is_defined_in_settings():
    """No setting lives only as a default at the place that reads it (`getattr(settings, ...)`):
    each is in forumasia/settings.py, or one of Django's own."""
    from django.conf import global_settings

    import forumasia.settings as project_settings

    undefined = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in project_modules()
        for name in settings_read(ast.parse(path.read_text(encoding="utf-8")))
        if name.isupper()
        and not hasattr(project_settings, name)
        and not hasattr(global_settings, name)
    }

    assert undefined == set()


def test_every_environment_variable_the_site_reads_is_in_the_readme_table():
    table = "\n".join(
        line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("|")
    )
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    read = {
        name
        for path in project_modules()
        for name in variables_read(ast.parse(path.read_text(encoding="utf-8")))
        if name  # not a variable's name held in a variable (env_bool's own body)
    }

    assert read - {"DJANGO_SETTINGS_MODULE"} <= documented
    assert {"DJANGO_LOG_LEVEL", "GUNICORN_FORWARDED_ALLOW_IPS"} <= read


def test_health_addresses_are_read_as_networks_and_nonsense_is_refused():
    (networks,) = production_settings(
        "','.join(s.HEALTH_ALLOWED_IPS)", DJANGO_HEALTH_ALLOWED_IPS="10.0.0.7, 10.1.0.0/16,::1"
    )
    refused = run_settings(
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_HEALTH_ALLOWED_IPS="10.0.0.7,load-balancer.internal",
    )

    assert networks == "10.0.0.7/32,10.1.0.0/16,::1/128"
    assert refused.returncode != 0
    assert "DJANGO_HEALTH_ALLOWED_IPS: 'load-balancer.internal'" in refused.stderr


def template_value(name):
    """The value deploy/forumasia.env.example gives `name`."""
    template = (ROOT / "deploy" / "forumasia.env.example").read_text()
    return re.search(rf"^{name}=(.*)$", template, flags=re.M).group(1)


@pytest.mark.parametrize(
    "key",
    [
        template_value("DJANGO_SECRET_KEY"),
        "change-me-" + PRODUCTION_KEY,
        "CHANGE_ME" + PRODUCTION_KEY,
        PRODUCTION_KEY + "changeme",
        "replace-me-with-a-long-random-value-" + PRODUCTION_KEY,
        "django-insecure-" + PRODUCTION_KEY,
        "your-secret-key-" + PRODUCTION_KEY,
        "placeholder" + PRODUCTION_KEY,
        "x" * 60,
        "ab" * 30,
        "0123456789" * 6,
        "Secret!12" * 7,
    ],
)
def test_a_placeholder_secret_key_is_refused(key):
    as_key = run_settings(DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="example.org")
    as_fallback = run_settings(
        DJANGO_SECRET_KEY=PRODUCTION_KEY,
        DJANGO_SECRET_KEY_FALLBACKS=f"{PRODUCTION_KEY}x,{key}",
        DJANGO_ALLOWED_HOSTS="example.org",
    )

    assert as_key.returncode != 0
    assert "DJANGO_SECRET_KEY looks like a placeholder, not a secret" in as_key.stderr
    assert as_fallback.returncode != 0
    assert "DJANGO_SECRET_KEY_FALLBACKS looks like a placeholder" in as_fallback.stderr


@pytest.mark.parametrize(
    "key",
    [
        secrets.token_urlsafe(50),
        secrets.token_hex(32),
        get_random_secret_key(),
        "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50)),
    ],
    ids=["token_urlsafe", "token_hex", "django", "alphanumeric"],
)
def test_a_generated_secret_key_is_accepted(key):
    assert production_settings("s.DEBUG", DJANGO_SECRET_KEY=key) == ["False"]


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="JIT is a PostgreSQL setting (DATABASE_URL)"
)
def test_postgresql_connections_compile_no_query_just_in_time():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
