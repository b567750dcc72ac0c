"""Static files from the apps' `static/` folders, minus CKEditor's demo and test pages.

django-ckeditor ships, inside its static folder, CKEditor's manual-test pages and sample or
dialog HTML. Served from our origin they would be pages of an end-of-life editor with inline
script, under our name; the admin's editor loads none of them (only its scripts, skin,
plugins and language files). Hiding them in the finder keeps them out of every consumer:
`collectstatic` (so production never serves them), `findstatic`, `runserver` and
WhiteNoise's finder mode. An `ignore_patterns` on the staticfiles app config would reach
`collectstatic` only.
"""

import posixpath

from django.contrib.staticfiles import finders

EDITOR_DIR = "ckeditor"
DEMO_DIRS = {"samples", "tests"}
PAGE_EXTENSIONS = {".html", ".htm"}


def is_editor_demo(path):
    """True for an HTML page, or anything in a samples/tests folder, under ckeditor/."""
    parts = posixpath.normpath(path.replace("\\", "/")).lower().split("/")
    if parts[0] != EDITOR_DIR:
        return False
    return posixpath.splitext(parts[-1])[1] in PAGE_EXTENSIONS or bool(DEMO_DIRS & set(parts))


class AppDirectoriesFinder(finders.AppDirectoriesFinder):
    def list(self, ignore_patterns):
        for path, storage in super().list(ignore_patterns):
            if not is_editor_demo(path):
                yield path, storage

    def find(self, path, find_all=False, **kwargs):
        if is_editor_demo(path):
            return []  # what Django's finders answer for a path they do not have
        return super().find(path, find_all, **kwargs)
