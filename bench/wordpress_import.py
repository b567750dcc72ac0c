"""The WordPress import at scale: `python -m bench.wordpress_import [--posts 10000]`.

Writes FORUM-ASIA-shaped exports (prefixed titles, country categories, tags, shortcodes, a
featured image on one post in ten, PDFs) of two sizes (a tenth of `--posts`, then `--posts`)
to a temporary folder, with a matching `wp-content/uploads` copy, and imports each with
`manage.py import_wordpress` into a fresh PostgreSQL database on 127.0.0.1 (`--database`,
dropped and recreated; its name must contain 'bench'), with debug off as in production.
Prints, per run: posts, file size, seconds, posts per second and the importing process's peak
resident memory; then a second run of the large export (everything unchanged). Peak memory
that stays the same for a file ten times larger is the streaming at work. `--scan-only-mb N`
also reads an export of about N MB with the first pass alone (the parser's memory on a file
as large as a real archive).

`make bench` runs it too (bench/run.py calls `measure()`), in a database of its own named
after the bench database (`<database>_wp`), so it never touches the main bench data.
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

from bench.documents import short_pages
from bench.run import recreate_database

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "forumasia_bench_wordpress"
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
    # A real (small) PDF: the import rebuilds each document it stores (forumasia/documents.py).
    report_pdf = short_pages(2)
    for image in range(IMAGES):
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 1067), (image * 5 % 255, 80, 120)).save(buffer, "JPEG")
        (folder / f"photo-{image}.jpg").write_bytes(buffer.getvalue())
        (folder / f"report-{image}.pdf").write_bytes(report_pdf)


def database_for(bench_database):
    """The import's own database beside the main bench database (never that one itself)."""
    return f"{bench_database}_wp"


def drop_database(name):
    assert "bench" in name, "refusing to drop a database not named for the benchmark"
    connection = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def django_env(media_root, database):
    return {
        **os.environ,
        # Production settings, also under `make bench` (whose own process runs others).
        "DJANGO_SETTINGS_MODULE": "forumasia.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "MEDIA_ROOT": str(media_root),
        # Publications' own files (featured images, galleries, documents) go here.
        "PRIVATE_ROOT": str(media_root.with_name("private")),
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


def measure(*, posts=10_000, database=DB_NAME, rerun=True, scan_only_mb=0, keep=True):
    """Import exports of posts // 10 and `posts` posts into `database` (recreated); return
    {"runs": [{label, posts, file_mb, seconds, posts_per_s, peak_mb}], "report": first lines
    of the large import's report}. `keep=False` drops the database afterwards."""
    with tempfile.TemporaryDirectory(prefix="forumasia-wp-bench-") as temp:
        temp = Path(temp)
        uploads = temp / "uploads"
        write_media(uploads)
        env = django_env(temp / "media", database)
        log = temp / "out.log"
        runs = []
        small = max(posts // 10, 1)
        for label, count in (("small", small), ("large", posts)):
            export = temp / f"{label}.xml"
            size = write_export(export, count)
            recreate_database(database)
            run_child(["migrate", "--noinput", "-v", "0"], env, log)
            seconds, peak, output = run_child(
                ["import_wordpress", str(export), "--media-dir", str(uploads)], env, log
            )
            runs.append(_row(f"import {count:,} posts", size, count, seconds, peak))
        report = output.splitlines()[:12]
        if rerun:
            seconds, peak, _ = run_child(
                ["import_wordpress", str(temp / "large.xml"), "--media-dir", str(uploads)],
                env,
                log,
            )
            runs.append(_row(f"re-run {posts:,} (unchanged)", size, posts, seconds, peak))
        if scan_only_mb:
            big = temp / "big.xml"
            count = scan_only_mb * 1024 * 1024 // 4300
            size = write_export(big, count, paragraphs=20)
            seconds, peak, _ = run_child(["shell", "-c", SCAN.format(path=big)], env, log)
            runs.append(_row("first pass only", size, count, seconds, peak))
    if not keep:
        drop_database(database)
    return {"runs": runs, "report": report}


def _row(label, size, posts, seconds, peak):
    return {
        "label": label,
        "posts": posts,
        "file_mb": size / 2**20,
        "seconds": seconds,
        "posts_per_s": posts / seconds,
        "peak_mb": peak,
    }


# --- in `make bench` (bench/run.py, bench/report.py) --------------------------------------------

TARGET_POSTS = 10_000
TARGET_SECONDS = 120
# "Flat": the large export's peak memory within this factor of the one ten times smaller.
FLAT_FACTOR = 1.2


def _imports(results):
    """The first two runs of `measure()`: the small and the large import."""
    runs = (results or {}).get("runs") or []
    return runs[:2] if len(runs) >= 2 else None


def estimated_seconds(small, large, posts=TARGET_POSTS):
    """Seconds for `posts` posts from two runs of other sizes: the small run's time (start-up,
    images, the fixed work) plus the per-post time between the two runs."""
    if large["posts"] == posts:
        return large["seconds"]
    per_post = (large["seconds"] - small["seconds"]) / max(large["posts"] - small["posts"], 1)
    return small["seconds"] + (posts - small["posts"]) * max(per_post, 0)


def target(results):
    """(target, measured, ok) for the benchmark's target table, or None when not measured.
    A run of another size (--quick) is judged by its estimate for TARGET_POSTS."""
    imports = _imports(results)
    if imports is None:
        return None
    small, large = imports
    seconds = estimated_seconds(small, large)
    flat = bool(small["peak_mb"]) and large["peak_mb"] <= small["peak_mb"] * FLAT_FACTOR
    measured = (
        f"{large['posts']:,} posts in {large['seconds']:.1f} s ({large['posts_per_s']:,.0f} posts/s"
    )
    if large["posts"] != TARGET_POSTS:
        measured += f"; {TARGET_POSTS:,} estimated at ~{seconds:.0f} s from the two runs"
    measured += (
        f"); peak RSS {small['peak_mb']:.0f} MB at {small['posts']:,} → "
        f"{large['peak_mb']:.0f} MB at {large['posts']:,}"
    )
    return (
        f"WordPress import: {TARGET_POSTS:,} posts < {TARGET_SECONDS} s, memory flat",
        measured,
        seconds < TARGET_SECONDS and flat,
    )


def table(results):
    """The Markdown table of the runs, for BENCHMARKS.md."""
    wordpress = results.get("wordpress")
    if not wordpress:
        return "_Not measured (--no-wordpress)._"
    lines = [
        "| `manage.py import_wordpress` (PostgreSQL, own database) | file MB | posts | seconds "
        "| posts/s | peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for run in wordpress["runs"]:
        lines.append(
            f"| {run['label']} | {run['file_mb']:.1f} | {run['posts']:,} | {run['seconds']:.1f} "
            f"| {run['posts_per_s']:,.0f} | {run['peak_mb'] or 0:.0f} MB |"
        )
    return "\n".join(lines)


def print_results(results):
    print(f"{'run':<28} {'file MB':>8} {'posts':>8} {'s':>7} {'posts/s':>8} {'peak MB':>8}")
    for run in results["runs"]:
        print(
            f"{run['label']:<28} {run['file_mb']:>8.1f} {run['posts']:>8,} "
            f"{run['seconds']:>7.1f} {run['posts_per_s']:>8.0f} {run['peak_mb'] or 0:>8.0f}"
        )
    print("\n".join(results["report"]))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--scan-only-mb", type=int, default=0)
    parser.add_argument(
        "--database",
        default=DB_NAME,
        help="the database to import into (dropped and recreated; its name must contain "
        f"'bench'; default {DB_NAME})",
    )
    parser.add_argument("--no-rerun", action="store_true", help="skip the unchanged re-run")
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        parser.error("--database must name a bench database (its name contains 'bench')")
    print_results(
        measure(
            posts=args.posts,
            database=args.database,
            rerun=not args.no_rerun,
            scan_only_mb=args.scan_only_mb,
        )
    )


if __name__ == "__main__":
    main()
