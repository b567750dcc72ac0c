"""CKEditor's demo and test pages are neither collected nor served."""

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from forumasia.staticfiles import is_editor_demo

# Shipped by django-ckeditor; the first is where CKEditor 4 releases keep their samples.
DEMO_PAGES = [
    "ckeditor/ckeditor/samples/index.html",
    "ckeditor/ckeditor/plugins/exportpdf/tests/manual/integration.html",
    "ckeditor/ckeditor/plugins/preview/preview.html",
    "ckeditor/ckeditor/plugins/wsc/dialogs/ciframe.html",
]
EDITOR_FILES = [
    "ckeditor/ckeditor/ckeditor.js",
    "ckeditor/ckeditor/skins/moono-lisa/editor.css",
    "ckeditor/ckeditor/plugins/pastefromword/filter/default.js",
]


def listed_paths():
    return {path for finder in finders.get_finders() for path, _ in finder.list([])}


def test_the_finders_list_no_editor_page_or_test_file_but_every_editor_asset():
    paths = listed_paths()

    under_editor = [path for path in paths if path.startswith("ckeditor/")]
    assert len(under_editor) > 100
    assert not [path for path in under_editor if path.lower().endswith((".html", ".htm"))]
    assert not [path for path in under_editor if {"samples", "tests"} & set(path.split("/"))]
    assert set(EDITOR_FILES) <= paths


@pytest.mark.parametrize("path", DEMO_PAGES + ["ckeditor/ckeditor/./samples/../samples/x.HTML"])
def test_the_finders_do_not_find_editor_pages(path):
    assert is_editor_demo(path)
    assert finders.find(path) is None
    assert finders.find(path, find_all=True) == []


def test_pages_of_the_sites_own_are_not_hidden():
    assert not is_editor_demo("forumasia/ckeditor-csp.js")
    assert not is_editor_demo("admin/ckeditor/page.html")
    assert finders.find("ckeditor/ckeditor/ckeditor.js") is not None


@pytest.mark.django_db
def test_collectstatic_copies_no_editor_page_and_none_is_served(settings, tmp_path, client):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)

    collected = [path.relative_to(settings.STATIC_ROOT) for path in settings.STATIC_ROOT.rglob("*")]
    editor = [str(path) for path in collected if path.parts[0] == "ckeditor"]
    assert editor and not [path for path in editor if path.endswith((".html", ".htm"))]
    for path in DEMO_PAGES:
        # Not a static file, so CommonMiddleware first adds a slash (APPEND_SLASH).
        assert client.get(f"/static/{path}", follow=True).status_code == 404
    for path in EDITOR_FILES:
        assert client.get(f"/static/{path}").status_code == 200
