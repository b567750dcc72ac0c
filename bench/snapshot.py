"""Every kind of public page, saved, to compare two commits byte for byte.

    python -m bench.snapshot OUTDIR              # on one commit
    python -m bench.snapshot OTHER && diff -r OUTDIR OTHER

The demo content (`load_demo`, seeded) is loaded into a new SQLite database at a fixed instant,
then each page is fetched twice as an anonymous visitor (the second answer may come from the page
cache, so a cache that serves something else than a fresh render shows as a difference too).
The addresses are every `<loc>` of the sitemaps plus the lists, filters, search, feeds and error
pages no sitemap names. What differs by design from one run to the next is masked: random file
names and keys, CSRF tokens and CSP nonces.
"""

import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

# A moment when demo content is past, scheduled and current alike, far from any midnight.
FIXED_INSTANT = datetime(2026, 6, 15, 4, 0, tzinfo=UTC)
FIXED_PAGES = [
    "/",
    "/publications/",
    "/publications/?page=2",
    "/publications/?type=statement",
    "/publications/?year=2026",
    "/publications/?country=th",
    "/publications/?tag=human-rights-defenders",
    "/publications/?q=rights",
    "/publications/?q=rigths",
    "/publications/?q=nothing-matches-this",
    "/letters/",
    "/reports/",
    "/stories/",
    "/search/?q=rights",
    "/search/?q=myanmar+election",
    "/members/",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/rss/?type=statement",
    "/sitemap.xml",
    "/robots.txt",
    "/newsletter/",
    "/no-such-page/",
]
MASKS = [
    (re.compile(rb"[0-9a-f]{32}"), b"<hex>"),
    (re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), b"<uuid>"),
    (re.compile(rb'nonce="[^"]*"'), b'nonce="<nonce>"'),
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"'), b'name="csrfmiddlewaretoken"'),
]
LOC = re.compile(r"<loc>([^<]+)</loc>")


def masked(content):
    for pattern, replacement in MASKS:
        content = pattern.sub(replacement, content)
    return content


def file_name(address):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", address).strip("_") or "home"


def sitemap_addresses(client):
    addresses, sections = [], LOC.findall(client.get("/sitemap.xml").content.decode())
    for section in sections:
        for loc in LOC.findall(client.get(urlsplit(section).path).content.decode()):
            parts = urlsplit(loc)
            addresses.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return addresses


def main(argv):
    if len(argv) != 1:
        sys.exit(__doc__)
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="forumasia-snapshot-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PRIVATE_ROOT"] = str(workdir / "private")
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

    import django
    import time_machine

    with time_machine.travel(FIXED_INSTANT, tick=False):
        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        call_command("load_demo", verbosity=0)
        client = Client()
        addresses = FIXED_PAGES + sitemap_addresses(client)
        for address in addresses:
            first, second = client.get(address), client.get(address)
            body = b"%d\n" % first.status_code + masked(first.content)
            (out / file_name(address)).write_bytes(body)
            if masked(second.content) != masked(first.content):
                print(f"{address}: the second answer differs from the first", file=sys.stderr)
    print(f"{len(addresses)} pages in {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
