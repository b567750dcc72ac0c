"""deploy/nginx/forumasia.conf, run by a real nginx on loopback in front of a stand-in app:
TLS and HSTS, the forwarded headers the app trusts, static files and media (only the kinds the
site stores, never private files or listings), publications' files only through the app (its
X-Accel-Redirect, never a direct path), the headers of every file, gzip, the cache that honours
the app's Cache-Control and stays out of the way of logged-in staff, and the request size
limit.

The site file is used as shipped; only addresses, ports and paths are swapped for the test's.
"""

import gzip
import http.client
import json
import os
import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from forumasia.documents import MAX_BYTES
from tests.s3 import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

if NGINX is None and os.environ.get("CI") == "true":
    pytest.fail("CI needs nginx (apt-get install nginx-light)", pytrace=False)
pytestmark = pytest.mark.skipif(NGINX is None, reason="no nginx (apt-get install nginx-light)")


# A publication's file in PRIVATE_ROOT, as forumasia/files.py names them.
REPORT = "publications/3f0c2a9e-8d1b-4c5e-9a7f-2b6d4e8f1a3c/9ab1c2d3e4f5a6b7c8d9e0f1a2b3c4d5.pdf"
DRAFT = "publications/7d1e4b2a-0c3f-4a5b-8e6d-9f1a2b3c4d5e/0f1e2d3c4b5a69788796a5b4c3d2e1f0.pdf"
ACCEL = "/internal/private/"


class StandInApp(BaseHTTPRequestHandler):
    """Answers like the app: public pages with a max-age, staff pages private; echoes what it
    was sent, and counts the requests that reached it. Under /files/ it answers as
    forumasia/files.py does with DJANGO_FILES_ACCEL_REDIRECT=/internal/private/: a public
    publication's file is handed to nginx with its headers, a draft's is a 404."""

    hits = {}

    def do_GET(self):  # noqa: N802 - the http.server API
        StandInApp.hits[self.path] = StandInApp.hits.get(self.path, 0) + 1
        if self.path.startswith("/files/"):
            return self.owned_file(self.path.removeprefix("/files/"))
        body = json.dumps(
            {
                "path": self.path,
                "hits": StandInApp.hits[self.path],
                "host": self.headers.get("Host"),
                "forwarded_proto": self.headers.get("X-Forwarded-Proto"),
                "forwarded_for": self.headers.get("X-Forwarded-For"),
                "padding": "x" * 2000,
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header(
            "Cache-Control",
            "public, max-age=60" if self.path.startswith("/public") else "private, no-cache",
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def owned_file(self, name):
        if name == REPORT:
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.send_header("Content-Disposition", 'attachment; filename="Annual report.pdf"')
            self.send_header("Cache-Control", "public, max-age=60")
            self.send_header("X-Accel-Redirect", ACCEL + name)
        elif name == "hand-me-the-exports":  # what a bug in the app could send
            self.send_response(200)
            self.send_header("X-Accel-Redirect", ACCEL + "exports/subscribers.csv")
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """nginx with the shipped site config; yields a function making HTTPS requests to it."""
    tmp = tmp_path_factory.mktemp("nginx")
    app = ThreadingHTTPServer(("127.0.0.1", 0), StandInApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    http_port, https_port = free_port(), free_port()

    media, static, private = tmp / "media", tmp / "static", tmp / "private"
    for name, data in [
        (REPORT, b"%PDF-1.7 the annual report"),
        (DRAFT, b"%PDF-1.7 embargoed"),
        ("exports/subscribers.csv", b"secret@example.org"),
    ]:
        (private / name).parent.mkdir(parents=True, exist_ok=True)
        (private / name).write_bytes(data)
    (media / "publications" / "images").mkdir(parents=True)
    (media / "publications" / "images" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"j" * 500)
    (media / "uploads").mkdir()
    (media / "uploads" / "page.html").write_text("<script>alert(1)</script>")
    (media / "uploads" / ".hidden.jpg").write_bytes(b"\xff\xd8\xff")
    (media / "private").mkdir()
    (media / "private" / "subscribers.pdf").write_bytes(b"%PDF-1.7 secret")
    (media / "wordpress").mkdir()
    (media / "wordpress" / "annex.pdf").write_bytes(b"%PDF-1.7 annex")
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.0123abcd.css").write_text("body { color: #222; }\n" * 200)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=forum-asia.example", "-keyout", str(tmp / "key.pem")]
        + ["-out", str(tmp / "cert.pem")],
        check=True,
        capture_output=True,
    )

    snippet = (ROOT / "deploy" / "nginx" / "forumasia-proxy.conf").read_text()
    (tmp / "proxy.conf").write_text(snippet)
    config = (ROOT / "deploy" / "nginx" / "forumasia.conf").read_text()
    for shipped, here in [
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{app.server_port}"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/var/cache/nginx/forumasia", str(tmp / "cache")),
        ("/etc/letsencrypt/live/forum-asia.example/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/letsencrypt/live/forum-asia.example/privkey.pem", str(tmp / "key.pem")),
        ("/etc/nginx/snippets/forumasia-proxy.conf", str(tmp / "proxy.conf")),
        ("/srv/forumasia/app/staticfiles/", f"{static}/"),
        ("/srv/forumasia/media/", f"{media}/"),
        ("/srv/forumasia/private/publications/", f"{private}/publications/"),
        ("/var/log/nginx/forumasia.access.log", str(tmp / "access.log")),
    ]:
        assert shipped in config, shipped
        config = config.replace(shipped, here)
    config = "\n".join(line for line in config.splitlines() if "listen [::]" not in line)
    (tmp / "site.conf").write_text(config)
    (tmp / "nginx.conf").write_text(
        f"""
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""
    )
    checked = subprocess.run(
        [NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    context = ssl.create_default_context(cafile=str(tmp / "cert.pem"))
    context.check_hostname = False

    def request(path, method="GET", headers=None, body=None, tls=True):
        if tls:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", https_port, context=context, timeout=10
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
        connection.request(
            method, path, body=body, headers={"Host": "forum-asia.example", **(headers or {})}
        )
        response = connection.getresponse()
        response.data = response.read()
        connection.close()
        return response

    deadline = time.monotonic() + 20
    while True:
        try:
            request("/static/css/site.0123abcd.css")
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.1)
    request.access_log = tmp / "access.log"
    yield request
    server.terminate()
    server.wait(timeout=10)
    app.shutdown()


def test_plain_http_is_sent_to_https(site):
    response = site("/publications/?page=2", tls=False)

    assert response.status == 301
    assert response.getheader("Location") == "https://forum-asia.example/publications/?page=2"


def test_the_app_is_told_the_scheme_and_the_visitors_address(site):
    response = site("/members/")

    sent = json.loads(response.data)
    assert sent["forwarded_proto"] == "https"
    assert sent["forwarded_for"] == "127.0.0.1"  # one address: DJANGO_TRUSTED_PROXIES=1
    assert sent["host"] == "forum-asia.example"


def test_an_uploaded_image_is_served_from_disk_with_its_type_and_security_headers(site):
    response = site("/media/publications/images/photo.jpg")

    assert response.status == 200
    assert response.getheader("Content-Type") == "image/jpeg"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    assert response.data.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize(
    "path",
    [
        "/media/",
        "/media/uploads/",
        "/media/uploads/page.html",
        "/media/uploads/.hidden.jpg",
        "/media/private/subscribers.pdf",
        "/media/publications/../private/subscribers.pdf",
    ],
)
def test_listings_hidden_and_private_files_and_odd_types_are_not_served(site, path):
    response = site(path)

    assert response.status in (400, 404)
    assert b"alert(1)" not in response.data and b"secret" not in response.data


def test_static_files_are_served_compressed_for_a_year(site):
    response = site("/static/css/site.0123abcd.css", headers={"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(response.data).startswith(b"body { color: #222; }")
    assert "immutable" in response.getheader("Cache-Control")


def test_public_pages_are_cached_for_their_max_age_and_private_ones_never(site):
    first, second = site("/public-page/"), site("/public-page/")
    assert json.loads(first.data)["hits"] == json.loads(second.data)["hits"] == 1
    # Nothing tells a visitor that the page came from the cache (someone asked for it before).
    assert [h for h in first.getheaders() if h[0] != "Date"] == [
        h for h in second.getheaders() if h[0] != "Date"
    ]
    assert not {"x-cache-status", "age"} & {name.lower() for name, _ in second.getheaders()}

    staff = site("/public-page/", headers={"Cookie": "sessionid=abc"})
    assert json.loads(staff.data)["hits"] == 2  # staff always reach the app

    private = [json.loads(site("/admin/").data)["hits"] for _ in range(2)]
    assert private == [1, 2]


def test_an_oversized_request_is_refused_before_it_reaches_the_app(site):
    response = site("/newsletter/", method="POST", body=b"x" * (26 * 1024 * 1024))

    assert response.status == 413


def test_an_admin_upload_as_large_as_the_app_accepts_reaches_the_app(site):
    """A PDF at the app's own limit (forumasia/documents.py) plus its form is not cut off by
    nginx with a bare 413: the app answers it, with its own message when a file is refused."""
    body = b"x" * (MAX_BYTES + 64 * 1024)

    response = site("/admin/publications/publication/add/", method="POST", body=body)

    assert response.status == 204


def test_the_access_log_keeps_no_address_query_or_newsletter_token(site):
    token = "MTIz:1w9Xyz:" + "s" * 43
    site(f"/newsletter/confirm/{token}/")
    site("/search/?q=someone%40example.org")
    site(f"/newsletter/manage/{token}/", tls=False)

    deadline = time.monotonic() + 5
    expected = ("/newsletter/confirm/", "/newsletter/manage/", "/search/")
    while time.monotonic() < deadline and not all(
        path in site.access_log.read_text() for path in expected
    ):
        time.sleep(0.05)
    logged = site.access_log.read_text()

    assert '"GET /newsletter/confirm/[token]/"' in logged
    assert '"GET /newsletter/manage/[token]/"' in logged
    assert '"GET /search/"' in logged
    assert token not in logged and "someone" not in logged
    assert "127.0.0.1" not in logged


FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"


@pytest.mark.parametrize(
    "path",
    [
        "/static/css/site.0123abcd.css",
        "/media/publications/images/photo.jpg",
        "/media/wordpress/annex.pdf",
        f"/files/{REPORT}",
    ],
)
def test_every_file_nginx_serves_runs_nothing_and_cannot_be_framed(site, path):
    response = site(path)

    assert response.status == 200
    assert response.getheader("Content-Security-Policy") == FILE_POLICY
    assert response.getheader("X-Frame-Options") == "DENY"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")


def test_public_documents_are_downloaded_and_images_shown(site):
    assert site("/media/wordpress/annex.pdf").getheader("Content-Disposition") == "attachment"
    assert site("/media/publications/images/photo.jpg").getheader("Content-Disposition") is None


def test_a_publications_file_is_sent_by_nginx_with_the_apps_headers(site):
    response = site(f"/files/{REPORT}")

    assert response.data == b"%PDF-1.7 the annual report"
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Content-Disposition") == 'attachment; filename="Annual report.pdf"'
    assert response.getheader("Cache-Control") == "public, max-age=60"
    assert response.getheader("X-Accel-Redirect") is None
    assert response.getheader("ETag")  # nginx's own, for revalidation
    partial = site(f"/files/{REPORT}", headers={"Range": "bytes=0-7"})
    assert partial.status == 206 and partial.data == b"%PDF-1.7"


@pytest.mark.parametrize(
    "path",
    [
        f"/files/{DRAFT}",  # the app says no
        f"{ACCEL}{REPORT}",  # the internal location, asked from outside
        f"{ACCEL}{DRAFT}",
        f"{ACCEL}exports/subscribers.csv",
        f"/private/{REPORT}",
        f"/media/private/../../private/{REPORT}",
    ],
)
def test_publications_files_are_reached_only_through_the_app(site, path):
    response = site(path)

    assert b"embargoed" not in response.data and b"secret" not in response.data
    assert b"annual report" not in response.data
    if response.status == 200:  # passed to the app, which answers for itself (a 404 there)
        assert json.loads(response.data)["path"]
    else:
        assert response.status in (400, 404)


def test_the_app_can_hand_nginx_nothing_but_publications_files(site):
    response = site("/files/hand-me-the-exports")

    assert response.status == 404
    assert b"secret" not in response.data


def test_a_publications_file_is_asked_of_the_app_every_time(site):
    before = StandInApp.hits.get(f"/files/{REPORT}", 0)
    site(f"/files/{REPORT}")
    site(f"/files/{REPORT}")

    assert StandInApp.hits[f"/files/{REPORT}"] == before + 2
