import types
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection

from tests.integration.hosts import Host, Worker, manage, site_environment
from tests.s3 import free_port

# A Redis database of the suite's own: the integration tests empty it before and after.
REDIS_URL = "redis://127.0.0.1:6379/14"
ADMIN = ("chief-editor", "a sample password for the two-host test")


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="several app hosts share PostgreSQL: runs in the PostgreSQL run of the suite"
    )
    for item in items:
        if item.nodeid.startswith("tests/integration/"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def suite_clock():
    """No moved clock here: the hosts and the worker are processes of their own on the
    machine's real clock (FORUMASIA_TEST_CLOCK could only move this one), and an item an editor
    publishes "now" must be public on their clock."""
    return None


@pytest.fixture(scope="module")
def mailbox():
    """A real SMTP server on loopback collecting what the hosts and workers send."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield types.SimpleNamespace(port=controller.port, messages=received)
    controller.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, s3_server, collected_static, mailbox):
    """Two app hosts and a task worker sharing PostgreSQL, Redis and an S3 bucket."""
    from tests.deploy.test_backup import create_and_drop, database_url

    logs = tmp_path_factory.mktemp("hosts")
    database = f"{settings.DATABASES['default']['NAME']}_hosts_{uuid.uuid4().hex[:8]}"
    create_and_drop([f'CREATE DATABASE "{database}"'])
    shared_redis = redis.Redis.from_url(REDIS_URL)
    shared_redis.flushdb()
    bucket = s3_server.create_bucket()
    environment = site_environment(
        DATABASE_URL=database_url(database),
        REDIS_URL=REDIS_URL,
        DJANGO_TASKS_BACKEND="database",
        STATIC_ROOT=str(collected_static),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mailbox.port),
        SITE_URL="http://127.0.0.1",
        **s3_server.environment(bucket),
    )
    manage(environment, "migrate", "--noinput", "-v", "0")
    manage(
        environment,
        "shell",
        "--no-imports",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser({ADMIN[0]!r}, 'chief@example.org', {ADMIN[1]!r}); "
        "from newsletter.models import MailingList; "
        "MailingList.objects.create(slug='e-newsletter', name='Monthly e-newsletter', "
        "is_default=True)",
    )
    hosts = types.SimpleNamespace(
        mailbox=mailbox,
        a=Host("host-a", environment, logs).start(),
        b=Host("host-b", environment, logs).start(),
        worker=Worker("worker-1", environment, logs).start(),
        environment=environment,
        bucket=bucket,
        logs=logs,
        redis=shared_redis,
        admin=ADMIN,
    )
    yield hosts
    for process in (hosts.a, hosts.b, hosts.worker):
        process.stop()
    create_and_drop([f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'])
    shared_redis.flushdb()
