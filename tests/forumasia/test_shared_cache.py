"""Production without Redis: one cache for every worker, in a table that `migrate` makes.

The processes here are real `manage.py` processes with production settings (debug off, no
REDIS_URL) against one SQLite file, as gunicorn workers would run against one database. The
fixture's `migrate` of a fresh database is itself a test: data migrations save content, which
writes to the cache, so the table must exist before the first migration runs.
"""

import sqlite3

import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forumasia import cache as page_cache
from tests.factories import PublicationFactory, country
from tests.forumasia.test_settings import run_manage

TABLE = settings.DATABASE_CACHE_TABLE
# A cold list page (142 statements when each card was a fragment in the table): its own
# queries, and the page cache's reads (the last takedown's token among them, read before a
# render) and three writes (the facets, the next scheduled change, the page), each a
# transaction (a savepoint in a test).
COLD_LIST_STATEMENTS = 30
COLD_LIST_CACHE_STATEMENTS = 14


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Runs manage.py commands like a production worker; the database is migrated once."""
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"

    def manage(*args):
        result = run_manage(*args, DJANGO_DEBUG="0", DATABASE_URL=f"sqlite:///{database}")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout.strip()

    def in_worker(code):
        return manage("shell", "--no-imports", "-c", code)

    manage("migrate", "--noinput", "-v", "0")
    in_worker.manage = manage
    in_worker.database = database
    in_worker.tables = lambda: {
        row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")
    }
    return in_worker


def test_migrate_makes_the_cache_table(production):
    assert TABLE in production.tables()
    assert production(
        "from django.core.cache import caches; print(type(caches['default']).__name__)"
    ) == ("DatabaseCache")


def test_a_write_in_one_worker_is_read_by_another(production):
    production("from django.core.cache import cache; cache.set('greeting', 'from worker one')")

    read = production("from django.core.cache import cache; print(cache.get('greeting'))")

    assert read == "from worker one"


def test_a_content_change_in_one_worker_refreshes_pages_in_every_worker(production):
    """After "Unpublish" in one worker, no other worker may keep serving its cached pages."""
    read_version = "from forumasia.cache import content_version; print(content_version())"
    before = production(read_version)
    assert production(read_version) == before  # a second worker agrees on the version

    production("from forumasia.cache import bump_content_version; bump_content_version()")

    after = production(read_version)
    assert after != before
    assert production(read_version) == after


def test_a_database_migrated_before_the_cache_table_existed_gets_it_on_the_next_migrate(
    production,
):
    with sqlite3.connect(production.database) as database:
        database.execute(f"DROP TABLE {TABLE}")
    assert TABLE not in production.tables()

    production.manage("migrate", "--noinput", "-v", "0")

    assert TABLE in production.tables()
    assert production("from django.core.cache import cache; print(cache.add('k', 1))") == "True"


@pytest.mark.django_db
def test_the_test_database_has_a_working_cache_table_too():
    """`migrate` makes the table on PostgreSQL and SQLite alike, whatever CACHES the run uses,
    so switching a running site to the database cache needs no extra step."""
    assert TABLE in connection.introspection.table_names()
    database_cache = DatabaseCache(TABLE, {})

    database_cache.set("probe", {"works": True})

    assert database_cache.get("probe") == {"works": True}


def statements(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
def test_a_list_page_on_the_database_cache_costs_few_statements_cold_and_one_warm(client, settings):
    """Every statement counts, the cache table's included. Cards and the other `{% cache %}`
    fragments are not kept in the table (settings.py): cold, a list page of 20 cards ran 142
    statements, 132 of them on the cache table (a transaction per card written)."""
    settings.CACHES = settings.DATABASE_CACHES
    for number in range(25):
        PublicationFactory(title=f"Statement {number}", countries=[country("TH")], tags=["Land"])
    # The site's two tokens (content version, last takedown) are made once in a cache's life
    # (12 statements on the table), not per page: a cold page is measured with them in place.
    page_cache.content_version(), page_cache.current_token(page_cache.TAKEDOWN_KEY)

    cold = statements(client, "/publications/")
    warm = statements(client, "/publications/")

    on_table = [sql for sql in cold if TABLE in sql]
    assert len(cold) <= COLD_LIST_STATEMENTS, "\n".join(cold)
    assert len(on_table) <= COLD_LIST_CACHE_STATEMENTS, "\n".join(on_table)
    assert len(warm) == 1 and TABLE in warm[0]
