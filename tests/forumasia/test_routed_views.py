"""Every routed view is the project's own or an allow-listed part of Django.

django-ckeditor's upload and browse views were routed at /ckeditor/ and skipped CSRF, image
checks and metadata stripping. The class of fault is a third-party view reachable by URL:
the whole resolver is walked, every pattern, in the test settings and with debug on.
"""

import importlib
import inspect
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, path

# Django's own views that we route on purpose. The admin accepts uploads only through our
# models' fields, whose validators and save() run the image pipeline (tests/forumasia/
# test_images.py proves it for every image field); the others never read files.
ALLOWED_DJANGO_MODULES = (
    "django.contrib.admin.",
    "django.contrib.auth.",
    "django.contrib.contenttypes.views",
    "django.contrib.sitemaps.views",
    "django.views.generic.base",  # the admin's RedirectView for old object URLs
    "django.views.static",  # media files, in debug only
)
# Other views reviewed one by one, with what they accept. None today: taggit's "merge tags"
# view is replaced by the themes admin's own (publications/admin_themes.py).
REVIEWED_VIEWS = set()


def routed_views(resolver, prefix=""):
    """(route, callback) for every pattern under `resolver`, included URLconfs too."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routed_views(pattern, route)
        else:
            assert isinstance(pattern, URLPattern)
            yield route, pattern.callback


def view_behind(callback):
    """What a callback runs: the class of a class-based view or of a callable instance (a
    feed), or the function or method inside its decorators."""
    view = inspect.unwrap(callback)
    view = getattr(view, "view_class", view)
    if not (inspect.isfunction(view) or inspect.ismethod(view) or inspect.isclass(view)):
        view = type(view)
    return view


def is_project_module(module_name):
    location = Path(sys.modules[module_name].__file__).resolve()
    return location.is_relative_to(settings.BASE_DIR) and "site-packages" not in location.parts


def foreign_views(resolver):
    """Routes whose view is neither the project's own nor an allow-listed Django one."""
    found = []
    for route, callback in routed_views(resolver):
        view = view_behind(callback)
        module = view.__module__
        if not (
            is_project_module(module)
            or module.startswith(ALLOWED_DJANGO_MODULES)
            or f"{module}.{view.__qualname__}" in REVIEWED_VIEWS
        ):
            found.append((route, module))
    return found


def test_every_routed_view_is_the_projects_own_or_allowed_django():
    assert foreign_views(get_resolver()) == []


def test_every_routed_view_is_ours_with_debug_on_too():
    # forumasia/urls.py adds routes when DEBUG is on; build that URLconf and walk it.
    urls = sys.modules[settings.ROOT_URLCONF]
    try:
        with override_settings(DEBUG=True):
            debug_urls = importlib.reload(urls)
            assert any("media" in route for route, _ in routed_views(get_resolver(debug_urls)))
            assert foreign_views(get_resolver(debug_urls)) == []
    finally:
        importlib.reload(urls)
        clear_url_caches()


def test_the_walk_finds_django_ckeditors_upload_views_wherever_they_are_included():
    nested = URLResolver(
        get_resolver().pattern,
        [path("editor/", ([path("files/", ("ckeditor_uploader.urls", None, None))], None, None))],
    )

    found = foreign_views(nested)

    assert [module for _, module in found] == ["ckeditor_uploader.views"] * 2
    assert [route for route, _ in found] == ["editor/files/^upload/", "editor/files/^browse/"]


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("/", "pages.views"),
        ("/publications/", "publications.views"),
        ("/feeds/rss/", "publications.feeds"),
        ("/ckeditor/upload/", "publications.uploads"),
        # The publication admin's add view: its history mixin saves it as a revision.
        ("/admin/publications/publication/add/", "forumasia.history_admin"),
        # django-anymail's tracking webhooks, behind ours: none without a webhook secret.
        ("/anymail/postmark/tracking/", "mailings.webhooks"),
    ],
)
def test_views_are_traced_through_their_decorators(route, expected):
    from django.urls import resolve

    assert view_behind(resolve(route).func).__module__ == expected
