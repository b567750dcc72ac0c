import datetime as dt
import os

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import clear_url_caches
from django.utils import translation

from forumasia.hosts import AllowedHosts

# CI runs the suite once with the clock at 23:30 UTC (Bangkok is already on the next day) and
# once at 00:30 Bangkok (17:30 UTC), so a test that mixes up UTC and the Secretariat's date fails
# in CI and not only between 17:00 and 24:00 UTC. `.ci/run` sets it; unset, the clock is real.
TEST_CLOCK = "FORUMASIA_TEST_CLOCK"


def clock_start(value, today=None):
    """The moment FORUMASIA_TEST_CLOCK names: an aware ISO datetime, or an ISO time with an
    offset ("23:30+00:00"), taken on today's date in that offset.

    A time alone keeps the clock within a day of the real one, so cookies the live server sets
    for Chromium (which keeps its own, real clock) are not already expired.
    """
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        clock = dt.time.fromisoformat(value)
        if clock.tzinfo is None:
            raise ValueError(f"{TEST_CLOCK}={value!r} needs an offset, e.g. 23:30+00:00") from None
        today = today or dt.datetime.now(clock.tzinfo).date()
        moment = dt.datetime.combine(today, clock)
    if moment.tzinfo is None:
        raise ValueError(f"{TEST_CLOCK}={value!r} needs an offset, e.g. 23:30+00:00")
    return moment


def pytest_report_header(config):
    value = os.environ.get(TEST_CLOCK)
    if value:
        return f"test clock: every test starts at {clock_start(value).isoformat()}"
    return "test clock: real time"


@pytest.fixture(autouse=True, scope="session")
def sub_site_hosts(django_test_environment):
    """The test runner makes ALLOWED_HOSTS a plain list (adding "testserver"): give it back the
    site's kind, which also accepts the host of the sub-site a request asks for
    (forumasia/hosts.py), so tests meet the host check production has."""
    settings.ALLOWED_HOSTS = AllowedHosts(settings.ALLOWED_HOSTS)


@pytest.fixture(autouse=True)
def suite_clock():
    """Every test runs with the clock moved to FORUMASIA_TEST_CLOCK, still ticking.

    time-machine patches the process's clock functions, so the live server's thread (browser
    journeys) runs on the same clock; time.monotonic() is left alone, so timeouts still work.
    The database's own clock (now() in SQL) is not moved: the code never uses it.
    """
    value = os.environ.get(TEST_CLOCK)
    if not value:
        yield None
        return
    with time_machine.travel(clock_start(value), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a fresh temporary folder, never the developer's media/; private files
    (exports waiting for staff) to another one, never the developer's private/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **private,
            "OPTIONS": {**private["OPTIONS"], "location": settings.PRIVATE_ROOT},
        },
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def permissive_umask():
    """The process's umask at 0, the worst a server may run with: a file is readable by every
    local user unless the code that writes it says otherwise."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


@receiver(setting_changed)
def forget_reversed_prefixes(setting, **kwargs):
    """A test that changes the default language or the languages: the URL resolver keeps, per
    language, the prefix it reversed with (none for the default), which would outlive the test
    (/about/ reversed in Thai after a test that made Thai the default)."""
    if setting in {"LANGUAGE_CODE", "LANGUAGES"}:
        clear_url_caches()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in English: a request to /th/... leaves Thai active in the thread (the
    locale middleware activates a language and, as in a server, nothing deactivates it)."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def page_cache_off(settings):
    """Every request is rendered by its view: for tests of what a view does (its queries, its
    context), not of what the page cache serves."""
    settings.PAGE_CACHE_ENABLED = False


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, page_cache_off):
    """pytest-django's query budget, with every page rendered: a page served from the page cache
    makes no query, so a budget over it could never fail. (A test of the cache asserts its
    hits with `django_assert_num_queries(0)`.)"""
    return django_assert_max_num_queries


@pytest.fixture
def network(db):
    """Four current members in Nepal, Cambodia and Thailand, and a former one in Thailand."""
    from tests.factories import member

    member("Informal Sector Service Centre", "NP", acronym="INSEC", city="Kathmandu")
    member("Nepal Law Society", "NP", city="Kathmandu")
    member("Cambodian League", "KH", acronym="LICADHO", city="Phnom Penh")
    member("Thai Lawyers for Rights", "TH", city="Bangkok")
    member("Gone Away Centre", "TH", is_active=False)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto's S3 server on a free loopback port, for the whole run (tests/s3.py)."""
    from tests.s3 import S3Server

    server = S3Server(tmp_path_factory.mktemp("moto") / "moto.log").start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(settings, s3_server):
    """A fresh bucket on the S3 server, and the site's uploads switched to it."""
    from tests.s3 import use_bucket

    bucket = s3_server.create_bucket()
    use_bucket(settings, s3_server, bucket)
    return bucket


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected once (production settings), as every install does before it
    serves; for tests that run the site in processes of its own."""
    from tests.integration.hosts import manage, site_environment

    root = tmp_path_factory.mktemp("static")
    manage(site_environment(STATIC_ROOT=str(root)), "collectstatic", "--noinput", "-v", "0")
    return root


DATA_MIGRATIONS = [
    ("members.migrations.0002_load_asian_countries", "load_countries"),
    ("publications.migrations.0002_editors_group", "create_editors"),
    ("publications.migrations.0007_publishers_group_and_editorial_permissions", "set_up_groups"),
    ("publications.migrations.0008_partner_organisations", "editors_manage_partners"),
    ("publications.migrations.0014_editors_change_only_what_is_not_public", "restrict_editors"),
    ("newsletter.migrations.0002_communications_staff_group", "create_group"),
    ("pages.migrations.0002_editorial_pages", "create_sample_pages"),
    ("pages.migrations.0003_page_rights", "give_page_rights"),
    ("mailings.migrations.0002_communications_staff_manage_suppressions", "grant"),
    ("mailings.migrations.0003_communications_staff_send_issues", "grant"),
    ("subsites.migrations.0002_sub_site_rights", "give_sub_site_rights"),
    ("pages.migrations.0009_sub_site_editors_group", "give_sub_site_editors_rights"),
]


@pytest.fixture
def migration_data(transactional_db):
    """What the data migrations made (countries, groups, editorial pages), put back with the
    migrations' own idempotent functions: a transactional test's flush empties every table."""
    from importlib import import_module

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture
def publisher_client(db):
    """A client logged in as a Publisher (may publish, schedule and unpublish)."""
    from django.test import Client

    from tests.factories import publisher

    client = Client()
    client.force_login(publisher())
    return client


@pytest.fixture
def commit():
    """`commit()` runs what the test's writes left for their commit (pytest-django wraps each
    test in a transaction that never commits): above all the change event of each editorial
    action (forumasia/events.py), which refreshes search vectors and cached pages."""
    from django.db import connection

    def run():
        held, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, callback, _robust in held:
            callback()

    return run


@pytest.fixture
def change_counts(monkeypatch):
    """How often the two entry points the change event calls were called, by the real
    functions wrapped: {"vectors": calls of refresh_search_vectors, "pages": [the `takedown`
    of each bump_content_version]}."""
    from forumasia import cache as page_cache
    from publications import search

    counts = {"vectors": 0, "pages": []}
    refresh, bump = search.refresh_search_vectors, page_cache.bump_content_version

    def counted_refresh(publications):
        counts["vectors"] += 1
        return refresh(publications)

    def counted_bump(*, takedown=False):
        counts["pages"].append(takedown)
        return bump(takedown=takedown)

    monkeypatch.setattr(search, "refresh_search_vectors", counted_refresh)
    monkeypatch.setattr(page_cache, "bump_content_version", counted_bump)
    return counts
