"""The WordPress import at scale: `python -m bench.wordpress_import [--posts 10000]`.

Writes FORUM-ASIA-shaped exports (prefixed titles, country categories, tags, shortcodes, a
featured image on one post in ten, PDFs) of two sizes to a temporary folder, with a matching
`wp-content/uploads` copy, and imports each with `manage.py import_wordpress` into a fresh
PostgreSQL database (`forumasia_bench_wordpress` on 127.0.0.1, dropped and recreated), with
debug off as in production. Prints, per run: posts, file size, seconds, posts per second and
the importing process's peak resident memory; then a second run of the large export
(everything unchanged). Peak memory that stays the same for a file ten times larger is the
streaming at work. `--scan-only-mb N` also reads an export of about N MB with the first pass
alone (the parser's memory on a file as large as a real archive).
"""

import argparse
import io
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import psycopg2
from PIL import Image

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "forumasia_bench_wordpress"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
SITE = "https://www.forum-asia.org"
PREFIXES = ["Joint Statement", "Statement", "Open Letter", "Joint Press Release", "Report"]
COUNTRIES = ["Cambodia", "Thailand", "Myanmar", "Nepal", "Sri Lanka", "Bangladesh", "Burma"]
THEMES = ["Land rights", "Freedom of expression", "Civic space", "Elections", "Migrants"]
IMAGES = 50
SCAN = "from wordpress.wxr import scan; print(scan({path!r}).item_count)"


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def post_xml(wp_id, rng, paragraphs):
    country = rng.choice(COUNTRIES)
    prefix = rng.choice(PREFIXES)
    year = 2006 + wp_id % 19
    body = "\n\n".join(
        f"Sample paragraph {n} about {country}: the undersigned organisations call for the "
        f"release of human rights defenders and the end of harassment.\nA second line."
        for n in range(paragraphs)
    )
    image = wp_id % IMAGES
    if wp_id % 10 == 0:
        body += (
            f'\n\n[caption id="attachment_{image}" width="300"]<img src="{SITE}/wp-content/'
            f'uploads/2019/05/photo-{image}-300x200.jpg" alt="A photo" /> A caption[/caption]'
        )
    if wp_id % 7 == 0:
        body += f'\n\n<a href="{SITE}/wp-content/uploads/2019/05/report-{image}.pdf">PDF</a>'
    if wp_id % 13 == 0:
        body += "\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ"
    meta = ""
    if wp_id % 10 == 0:
        meta = (
            "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
            f"<wp:meta_value>{1_000_000 + image}</wp:meta_value></wp:postmeta>"
        )
    status = "draft" if wp_id % 50 == 0 else "publish"
    return (
        f"<item><title>{escape(f'[{prefix}] {country}: Statement number {wp_id}')}</title>"
        f"<link>{SITE}/?p={wp_id}</link>"
        f"<content:encoded>{cdata(body)}</content:encoded>"
        f"<excerpt:encoded>{cdata('A sample summary.')}</excerpt:encoded>"
        f"<wp:post_id>{wp_id}</wp:post_id>"
        f"<wp:post_date>{year}-05-14 10:00:00</wp:post_date>"
        f"<wp:post_date_gmt>{year}-05-14 03:00:00</wp:post_date_gmt>"
        f"<wp:post_name>statement-number-{wp_id}</wp:post_name>"
        f"<wp:status>{status}</wp:status><wp:post_parent>0</wp:post_parent>"
        f"<wp:post_type>post</wp:post_type>"
        f'<category domain="category" nicename="{country.lower()}">{cdata(country)}</category>'
        f'<category domain="post_tag" nicename="t{wp_id % 5}">'
        f"{cdata(THEMES[wp_id % 5])}</category>"
        f"{meta}</item>"
    )


def attachment_xml(image):
    url = f"{SITE}/wp-content/uploads/2019/05/photo-{image}.jpg"
    return (
        f"<item><title>Photo {image}</title><wp:post_id>{1_000_000 + image}</wp:post_id>"
        f"<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
        f"<wp:attachment_url>{url}</wp:attachment_url>"
        "<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key>"
        f"<wp:meta_value>Photo {image}</wp:meta_value></wp:postmeta></item>"
    )


def write_export(path, posts, *, paragraphs=4, seed=1):
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>FORUM-ASIA</title>'
            f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version>"
            f"<wp:base_site_url>{SITE}</wp:base_site_url>"
            f"<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for image in range(IMAGES):
            out.write(attachment_xml(image) + "\n")
        for wp_id in range(1, posts + 1):
            out.write(post_xml(wp_id, rng, paragraphs) + "\n")
        out.write("</channel></rss>\n")
    return path.stat().st_size


def write_media(root):
    folder = root / "2019" / "05"
    folder.mkdir(parents=True, exist_ok=True)
    for image in range(IMAGES):
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 1067), (image * 5 % 255, 80, 120)).save(buffer, "JPEG")
        (folder / f"photo-{image}.jpg").write_bytes(buffer.getvalue())
        (folder / f"report-{image}.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")


def recreate_database():
    connection = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()


def django_env(media_root):
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": DB_URL,
        "MEDIA_ROOT": str(media_root),
        "REDIS_URL": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def run_child(args, env, log):
    """Run a manage.py command; return (seconds, peak RSS in MB of that process, output)."""
    started = time.perf_counter()
    with log.open("w+") as output:
        process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=env,
            cwd=BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        # wait4 gives this child's own peak memory (ru_maxrss is in KB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--scan-only-mb", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="forumasia-wp-bench-") as temp:
        temp = Path(temp)
        uploads = temp / "uploads"
        write_media(uploads)
        env = django_env(temp / "media")
        recreate_database()
        log = temp / "out.log"
        run_child(["migrate", "--noinput", "-v", "0"], env, log)
        rows = []
        small = max(args.posts // 10, 1)
        for label, posts in (("small", small), ("large", args.posts)):
            export = temp / f"{label}.xml"
            size = write_export(export, posts)
            if label == "large":
                recreate_database()
                run_child(["migrate", "--noinput", "-v", "0"], env, log)
            seconds, peak, _ = run_child(
                ["import_wordpress", str(export), "--media-dir", str(uploads)], env, log
            )
            rows.append((f"import {posts:,} posts", size, posts, seconds, peak))
        seconds, peak, output = run_child(
            ["import_wordpress", str(temp / "large.xml"), "--media-dir", str(uploads)], env, log
        )
        rows.append((f"re-run {args.posts:,} (unchanged)", size, args.posts, seconds, peak))
        if args.scan_only_mb:
            big = temp / "big.xml"
            posts = args.scan_only_mb * 1024 * 1024 // 4300
            size = write_export(big, posts, paragraphs=20)
            seconds, peak, _ = run_child(["shell", "-c", SCAN.format(path=big)], env, log)
            rows.append(("first pass only", size, posts, seconds, peak))
        print(f"{'run':<28} {'file MB':>8} {'posts':>8} {'s':>7} {'posts/s':>8} {'peak MB':>8}")
        for label, size, posts, seconds, peak in rows:
            print(
                f"{label:<28} {size / 2**20:>8.1f} {posts:>8,} {seconds:>7.1f} "
                f"{posts / seconds:>8.0f} {peak or 0:>8.0f}"
            )
        print("\n".join(output.splitlines()[:12]))


if __name__ == "__main__":
    main()
