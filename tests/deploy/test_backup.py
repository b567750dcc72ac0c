"""deploy/backup and deploy/restore bring the same site back: the demo site on PostgreSQL is
backed up, restored into a fresh database and fresh storage (local disk, or another bucket),
and serves the same pages and counts the same subscribers.

Everything runs as an operator would: real `manage.py` processes with production settings,
the scripts themselves, pg_dump and pg_restore.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from tests.integration.hosts import manage, site_environment

ROOT = Path(__file__).resolve().parents[2]

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="deploy/backup dumps PostgreSQL (pg_dump): runs in the PostgreSQL run of the suite",
)

# Printed as JSON by a manage.py process: several public pages rendered afresh (the cache is
# emptied first) and what the newsletter holds.
SNAPSHOT = """
import json
from django.core.cache import cache
from django.test import Client
from members.models import MemberOrganisation
from newsletter.models import MailingList, Subscriber, Subscription
from publications.models import Attachment, Publication

cache.clear()
with_image = Publication.objects.published().exclude(featured_image="").order_by("pk").first()
with_file = Publication.objects.published().exclude(attachments=None).order_by("pk").first()
member = MemberOrganisation.objects.exclude(logo="").order_by("pk").first()
urls = ["/", "/publications/", "/reports/", "/members/", "/countries/th/", "/feeds/rss/",
        "/sitemap.xml", with_image.get_absolute_url(), with_file.get_absolute_url(),
        member.get_absolute_url()]
client = Client()
pages = {url: client.get(url, secure=True) for url in urls}
# Publications' files are private (their own folders), logos public uploads.
owned = with_image.featured_image.storage
files = [(owned, with_image.featured_image.name), (owned, with_file.attachments.first().file.name),
         (member.logo.storage, member.logo.name),
         *((owned, r["webp"]) for r in with_image.featured_image_renditions)]
from django.core.files.storage import default_storage
print(json.dumps({
    "pages": {url: [r.status_code, r.content.decode()] for url, r in pages.items()},
    "files": {name: storage.open(name).read().hex() for storage, name in files},
    "counts": {
        "subscribers": Subscriber.objects.count(),
        "confirmed": Subscriber.objects.filter(status="confirmed").count(),
        "subscriptions": Subscription.objects.count(),
        "lists": MailingList.objects.count(),
        "publications": Publication.objects.count(),
        "attachments": Attachment.objects.count(),
    },
    "media_url": default_storage.url("x")[:-1],
}))
"""


def database_url(name):
    """The address of database `name` on the suite's own PostgreSQL server."""
    server = settings.DATABASES["default"]
    password = f":{server['PASSWORD']}" if server.get("PASSWORD") else ""
    host, port = server["HOST"] or "127.0.0.1", server["PORT"] or 5432
    return f"postgres://{server['USER']}{password}@{host}:{port}/{name}"


class Site:
    """One installation: its own database and storage, reached through its environment."""

    def __init__(self, database, **storage):
        self.database = database
        self.url = database_url(database)
        self.environment = site_environment(
            DJANGO_ALLOWED_HOSTS="testserver",
            DATABASE_URL=self.url,
            FORUMASIA_PYTHON=sys.executable,  # the scripts' Python: this run's
            **storage,
        )

    def run(self, *command):
        result = subprocess.run(
            command, cwd=ROOT, env=self.environment, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def manage(self, *args):
        return manage(self.environment, *args)

    def snapshot(self):
        return json.loads(self.manage("shell", "--no-imports", "-c", SNAPSHOT).splitlines()[-1])


def create_and_drop(statements):
    server = settings.DATABASES["default"]
    connection = psycopg2.connect(
        dbname="postgres",
        user=server["USER"],
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        password=server.get("PASSWORD") or None,
    )
    connection.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture
def databases():
    """Two fresh, empty databases named after this run's own database; dropped afterwards."""
    stem = f"{settings.DATABASES['default']['NAME']}_bk_{uuid.uuid4().hex[:8]}"
    names = [f"{stem}_a", f"{stem}_b"]
    create_and_drop(f'CREATE DATABASE "{name}"' for name in names)
    yield names
    create_and_drop(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in names)


def local_storage(root, collected_static):
    return {
        "MEDIA_ROOT": str(root / "media"),
        "PRIVATE_ROOT": str(root / "private"),
        "STATIC_ROOT": str(collected_static),
    }


@needs_postgres
def test_a_backup_restores_the_same_site_into_a_fresh_database_and_folder(
    databases, tmp_path, collected_static
):
    source = Site(databases[0], **local_storage(tmp_path / "before", collected_static))
    source.manage("migrate", "--noinput", "-v", "0")
    source.manage("load_demo")
    (tmp_path / "before" / "private" / "wordpress-exports").mkdir(parents=True)
    (tmp_path / "before" / "private" / "wordpress-exports" / "export.xml").write_text("<rss/>")
    before = source.snapshot()

    source.run(str(ROOT / "deploy" / "backup"), str(tmp_path / "backup"))
    restored = Site(databases[1], **local_storage(tmp_path / "after", collected_static))
    restored.run(str(ROOT / "deploy" / "restore"), str(tmp_path / "backup"))
    after = restored.snapshot()

    assert after["counts"] == before["counts"] and before["counts"]["subscribers"] > 100
    assert after["files"] == before["files"]
    for url, (status, html) in before["pages"].items():
        assert status == 200, url
        assert after["pages"][url] == [status, html], url
    assert (tmp_path / "after" / "private" / "wordpress-exports" / "export.xml").read_text() == (
        "<rss/>"
    )


@needs_postgres
def test_a_backup_of_a_bucket_restores_into_another_bucket(
    databases, tmp_path, collected_static, s3_server
):
    def bucket_site(database):
        bucket = s3_server.create_bucket()
        return Site(database, STATIC_ROOT=str(collected_static), **s3_server.environment(bucket))

    source = bucket_site(databases[0])
    source.manage("migrate", "--noinput", "-v", "0")
    source.manage("load_demo")
    before = source.snapshot()

    source.run(str(ROOT / "deploy" / "backup"), str(tmp_path / "backup"))
    restored = bucket_site(databases[1])
    restored.run(str(ROOT / "deploy" / "restore"), str(tmp_path / "backup"))
    after = restored.snapshot()

    assert after["counts"] == before["counts"]
    assert after["files"] == before["files"]
    assert after["media_url"] != before["media_url"]  # really another bucket
    for url, (status, html) in before["pages"].items():
        same_site = html.replace(before["media_url"], after["media_url"])
        assert after["pages"][url] == [status, same_site], url


def test_backup_refuses_a_database_it_cannot_dump(tmp_path):
    result = subprocess.run(
        [str(ROOT / "deploy" / "backup"), str(tmp_path / "backup")],
        env={**os.environ, "DATABASE_URL": "sqlite:///db.sqlite3"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert "must name a PostgreSQL database" in result.stderr
    assert not (tmp_path / "backup").exists()
