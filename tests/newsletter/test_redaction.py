import logging
import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import Client
from gunicorn.config import Config

from newsletter import tokens
from newsletter.redaction import REDACTED, redact
from tests.factories import SubscriberFactory

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def a_token():
    return signing.dumps({"s": 12, "h": "0123456789abcdef"}, salt=tokens.MANAGE_SALT)


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/manage/{token}/",
        "/newsletter/unsubscribe/{token}/",
        "/newsletter/confirm/{token}/",
        "/newsletter/manage/{token}",
        "/newsletter/manage/eyJzIjoxfQ:1abc:forged/",
        "/elsewhere/{token}/x/",
        "https://forum-asia.example/newsletter/manage/{token}/?utm=1",
    ],
)
def test_every_kind_of_token_in_a_path_or_url_is_redacted(path):
    token = a_token()

    redacted = redact(path.format(token=token))

    assert token not in redacted
    assert token.split(":")[-1] not in redacted
    assert "forged" not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "text",
    [
        "/publications/a-very-long-slug-about-human-rights-defenders-in-asia-2025/",
        "/search/?q=thailand",
        "[28/Nov/2026:13:55:36 +0700]",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
    ],
)
def test_paths_without_tokens_are_logged_as_they_are(text):
    assert redact(text) == text


def gunicorn_access_line(tmp_path, path, access_log_format=None):
    """One access-log line, formatted by the logger class gunicorn.conf.py sets, with its
    format or the one given."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    config.set("logger_class", conf["logger_class"])
    config.set("access_log_format", access_log_format or conf["access_log_format"])
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = config.logger_class(config)
    referer = "https://mail.example" + path
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + "?from=email",
        "PATH_INFO": path,
        "QUERY_STRING": "from=email",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": referer,
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=1234)
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    return (tmp_path / "access.log").read_text()


def test_the_gunicorn_access_log_writes_newsletter_paths_without_their_tokens(tmp_path):
    token = a_token()

    line = gunicorn_access_line(tmp_path, f"/newsletter/manage/{token}/")

    assert line.startswith('"GET /newsletter/manage/[token]/" 200 1234 12ms')
    assert token not in line


def test_the_gunicorn_access_log_redacts_every_atom_a_format_may_use(tmp_path):
    token = a_token()
    every_atom = "%(r)s %(U)s %(f)s %({referer}i)s %({raw_uri}e)s %({path_info}e)s"

    line = gunicorn_access_line(tmp_path, f"/newsletter/unsubscribe/{token}/", every_atom)

    assert token not in line
    assert line.count(REDACTED) == 6


@pytest.mark.django_db
def test_django_request_and_csrf_logs_write_paths_without_their_tokens(caplog):
    token = tokens.manage_token(SubscriberFactory())
    caplog.set_level(logging.WARNING)

    Client(enforce_csrf_checks=True).post(f"/newsletter/manage/{token}/", {"action": "x"})
    Client().put(f"/newsletter/unsubscribe/{token}/")

    logged = caplog.text
    assert "Forbidden" in logged and "Method Not Allowed" in logged
    assert token not in logged
    assert "/newsletter/manage/[token]/" in logged
