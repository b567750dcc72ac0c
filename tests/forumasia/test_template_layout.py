"""One convention for where templates live (README, Layout): partials in `<folder>/includes/`,
admin overrides and admin views' templates under `admin/<app_label>/<model_name>/`, where
Django's admin looks them up. Every template name the code or a template uses exists."""

import re
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PROJECT_PACKAGES = tuple(settings.LOCAL_APPS)
INCLUDED = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")
EXTENDED = re.compile(r"""{%\s*extends\s+["']([^"']+)["']""")
INCLUSION_TAG = re.compile(r"""inclusion_tag\(\s*["']([^"']+)["']""")
NAMED_IN_PYTHON = re.compile(r"""["'](\w[\w/.-]*\.html)["']""")


def template_files():
    return sorted(path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*.html"))


def python_files():
    root = Path(settings.BASE_DIR)
    for package in PROJECT_PACKAGES:
        for path in (root / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def partial_names():
    """Templates used as partials: by `{% include %}` or by an inclusion tag."""
    names = set()
    for name in template_files():
        names.update(INCLUDED.findall((TEMPLATES / name).read_text()))
    for path in python_files():
        names.update(INCLUSION_TAG.findall(path.read_text()))
    return names


def test_every_partial_lives_in_an_includes_folder_and_nothing_else_does():
    partials = partial_names()

    assert partials
    assert sorted(name for name in partials if "/includes/" not in f"/{name}") == []
    stray = [
        name for name in template_files() if "/includes/" in f"/{name}" and name not in partials
    ]
    assert stray == []


def test_no_template_name_starts_with_an_underscore():
    assert [name for name in template_files() if Path(name).name.startswith("_")] == []


def test_admin_templates_live_under_admin_by_app_label():
    """A template that extends the admin's is an admin override or an admin view's page: it
    lives under admin/, in the folder of the app (and model) it belongs to."""
    misplaced = []
    for name in template_files():
        parents = EXTENDED.findall((TEMPLATES / name).read_text())
        if any(parent.startswith("admin/") for parent in parents) and not name.startswith("admin/"):
            misplaced.append(name)
    assert misplaced == []


def test_every_template_name_in_code_and_templates_exists():
    names = set(partial_names())
    for name in template_files():
        names.update(EXTENDED.findall((TEMPLATES / name).read_text()))
    for path in python_files():
        names.update(NAMED_IN_PYTHON.findall(path.read_text()))

    missing = []
    for name in sorted(names):
        try:
            get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError) as error:
            missing.append(f"{name}: {type(error).__name__}")
    assert missing == []
