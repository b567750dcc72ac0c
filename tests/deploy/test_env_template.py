"""Every environment variable the settings (and gunicorn.conf.py) read is in the env file
template of deploy/ and in README's Configuration table, and the template names nothing else:
an operator who fills in the template has seen every knob, and no stale one."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = {"os.environ.get", "os.getenv", "env_bool", "env_list", "env_networks"}
TEMPLATE = ROOT / "deploy" / "forumasia.env.example"


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return ""


def variables_read(path):
    """Names passed as constants to os.environ.get/os.getenv/env_bool/env_list/env_networks,
    os.environ[…],
    or as `env=` (dj_database_url.config)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            if dotted(node.func) in READERS and node.args:
                argument = node.args[0]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    names.add(argument.value)
            names.update(
                keyword.value.value
                for keyword in node.keywords
                if keyword.arg == "env" and isinstance(keyword.value, ast.Constant)
            )
        elif (
            isinstance(node, ast.Subscript)
            and dotted(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def read_by_the_site():
    return variables_read(ROOT / "forumasia" / "settings.py") | variables_read(
        ROOT / "gunicorn.conf.py"
    )


def in_template():
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", TEMPLATE.read_text(), flags=re.M))


def in_readme_table():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def test_the_parser_sees_the_ways_settings_read_the_environment():
    names = read_by_the_site()

    # os.environ.get, env_bool, env_list, dj_database_url's env=, and gunicorn.conf.py.
    assert {"DJANGO_SECRET_KEY", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"} <= names
    assert {"GUNICORN_BIND", "AWS_STORAGE_BUCKET_NAME", "DJANGO_TASKS_BACKEND"} <= names
    assert "DJANGO_HEALTH_ALLOWED_IPS" in names  # env_networks


def test_every_variable_read_is_in_the_env_template():
    assert sorted(read_by_the_site() - in_template()) == []


def test_the_env_template_names_no_variable_that_nothing_reads():
    assert sorted(in_template() - read_by_the_site()) == []


def test_every_variable_read_is_in_readmes_configuration_table():
    assert sorted(read_by_the_site() - in_readme_table()) == []
