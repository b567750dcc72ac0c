"""The benchmark harness: `make bench` (BENCH_ARGS="--quick" for a small try-out).

Builds a data set in its own PostgreSQL database (`forumasia_bench` on 127.0.0.1, dropped and
recreated), serves it with gunicorn as production would (debug off, whitenoise,
collectstatic), measures with wrk, counts the instructions a request costs under valgrind
(bench/instructions.py), times the WordPress import (bench/wordpress_import.py, in a
database of its own: `<database>_wp`), and writes the results into BENCHMARKS.md between the
`bench:begin`/`bench:end` markers (anything outside them is kept). All traffic goes to
127.0.0.1; every loop is bounded; servers are stopped on exit, Ctrl-C included.
"""

import argparse
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import psycopg2

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

DB_NAME = "forumasia_bench"
MEDIA_ROOT = "/tmp/forumasia-bench-media"
PRIVATE_ROOT = "/tmp/forumasia-bench-private"
REDIS_DB = 12
RESULTS_DIR = BASE_DIR / "bench" / "results"
GROWTH_STEPS = (1_000, 10_000, 100_000)
# The pages measured "after a publish" (bench/settings_after_publish.py), with the floor.
AFTER_PUBLISH_PAGES = ("floor", "home", "list", "list_filtered", "list_page_500", "detail",
                       "members", "member", "sub_home", "sub_list", "sub_detail")  # fmt: skip
# The bench sub-site's pages (bench/load.py, load_sub_site()), each the main site's page of the
# same name under /sites/bench/: the same views narrowed to its stream, side by side.
SUB_SITE_PAGES = {"sub_home": "home", "sub_list": "list", "sub_detail": "detail",
                  "sub_search": "search_common", "sub_feed": "rss"}  # fmt: skip


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--subscribers", type=int, default=1_000_000, help="confirmed ones")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small try-out: 2,000 publications, 20,000 subscribers, 500 WordPress posts, "
        "short wrk runs",
    )
    parser.add_argument("--seconds", type=float, default=5, help="wrk duration at load")
    parser.add_argument("--latency-seconds", type=float, default=3, help="wrk at 1 connection")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--skip-load", action="store_true", help="reuse the existing bench database (no growth)"
    )
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument(
        "--signups", type=int, default=200, help="sign-up requests timed, one at a time"
    )
    parser.add_argument("--no-weight", action="store_true")
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip the instruction counts under valgrind (bench/instructions.py)",
    )
    parser.add_argument(
        "--instruction-requests",
        type=int,
        default=5,
        help="N of the instruction measure: children make 0, 0, N and 2N requests",
    )
    parser.add_argument(
        "--wordpress-posts",
        type=int,
        default=10_000,
        help="posts in the WordPress import benchmark (bench/wordpress_import.py)",
    )
    parser.add_argument("--no-wordpress", action="store_true")
    parser.add_argument(
        "--newsletter-subscribers",
        type=int,
        default=100_000,
        help="recipients of the newsletter sending benchmark (bench/newsletter_send.py)",
    )
    parser.add_argument("--no-newsletter", action="store_true")
    parser.add_argument("--output", default=str(BASE_DIR / "BENCHMARKS.md"))
    parser.add_argument(
        "--database",
        default=DB_NAME,
        help="the bench database (dropped and recreated; its name must contain 'bench'), so "
        "two checkouts on one machine can each run their own",
    )
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="the cached run's Redis db")
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        parser.error("--database must name a bench database (its name contains 'bench')")
    if args.quick:
        args.publications = min(args.publications, 2_000)
        args.subscribers = min(args.subscribers, 20_000)
        args.signups = min(args.signups, 30)
        args.seconds = min(args.seconds, 2)
        args.latency_seconds = min(args.latency_seconds, 1)
        args.wordpress_posts = min(args.wordpress_posts, 500)
        args.newsletter_subscribers = min(args.newsletter_subscribers, 5_000)
        args.instruction_requests = min(args.instruction_requests, 2)
    return args


def recreate_database(name: str) -> None:
    """Drop and create `name` (only ever the bench database), connecting to `postgres`."""
    assert "bench" in name, "refusing to drop a database not named for the benchmark"
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def media_root(database):
    return MEDIA_ROOT if database == DB_NAME else f"/tmp/{database}-media"


def base_env(database=DB_NAME):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        MEDIA_ROOT=media_root(database),
        PRIVATE_ROOT=PRIVATE_ROOT,
        DJANGO_LOG_LEVEL="WARNING",
        # The harness's own work (the search-index rebuild after loading) runs at once; the
        # queue is measured on its own (bench/production.py).
        DJANGO_TASKS_BACKEND="immediate",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def check_tools(args):
    tools = ("wrk", "psql") + (() if args.no_instructions else ("valgrind",))
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        packages = {"wrk": "wrk", "psql": "postgresql-client", "valgrind": "valgrind"}
        raise SystemExit(
            f"Missing {', '.join(missing)}: apt-get install -y "
            + " ".join(packages[t] for t in missing)
        )
    probe = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False, timeout=10
    )
    if probe.returncode != 0:
        raise SystemExit("PostgreSQL is not answering on 127.0.0.1:5432")


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    check_tools(args)
    env = base_env(args.database)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_uncached"
    os.environ.pop("REDIS_URL", None)

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    from bench import server

    started = time.time()
    try:
        results = run(args, env)
        results["wall_seconds"] = time.time() - started
        from bench import report

        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        (RESULTS_DIR / f"{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
        text = report.render(results)
        print(text)
        report.write(Path(args.output), text)
        print(f"Written to {args.output} (raw: bench/results/{stamp}.json)")
    except KeyboardInterrupt:
        print("Interrupted: stopping servers.", file=sys.stderr)
        return 130
    finally:
        server.stop_all()
    return 0


def run(args, env):
    results = {
        "args": vars(args),
        "command": "make bench"
        + (f' BENCH_ARGS="{shlex.join(sys.argv[1:])}"' if sys.argv[1:] else ""),
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "loadavg_start": os.getloadavg(),
    }
    media = media_root(args.database)
    if not args.skip_load:
        print(f"[load] recreating database {args.database}", flush=True)
        recreate_database(args.database)
        shutil.rmtree(media, ignore_errors=True)
    Path(media).mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import load, server

    timings = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    call_command("collectstatic", verbosity=0, interactive=False)
    timings["collectstatic"] = time.perf_counter() - t0

    results["growth"] = []
    if not args.skip_load:
        t0 = time.perf_counter()
        base = load.load_base(args.subscribers)
        timings["base data"] = time.perf_counter() - t0
        steps = [s for s in GROWTH_STEPS if s < args.publications] + [args.publications]
        for step in steps:
            t0 = time.perf_counter()
            load.load_publications(step, base["image"])
            timings[f"publications to {step:,}"] = time.perf_counter() - t0
            # The search column first (manage.py rebuild_search_index), then ANALYZE, so the
            # planner's statistics include it.
            t0 = time.perf_counter()
            results["search_vectors"] = load.fill_search_vectors()
            timings[f"search index at {step:,}"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            load.analyze()
            timings[f"analyze at {step:,}"] = time.perf_counter() - t0
            results["growth"].append(measure_growth(args, env, step))
    else:
        results["search_vectors"] = load.fill_search_vectors()
    t0 = time.perf_counter()
    load.load_sub_site()
    timings["sub-site"] = time.perf_counter() - t0
    results["load_timings"] = timings
    results["counts"] = table_counts()
    results["machine"] = machine()
    results["versions"] = versions()

    pages = page_paths()
    results["pages"] = pages
    results["queries"] = {}
    from bench import measure

    for name, path in pages.items():
        counted = measure.count_queries(path)
        results["queries"][name] = {k: v for k, v in counted.items() if k != "sql"}
        if name in ("list", "list_filtered", "list_q", "search_common", "search_rare", "detail"):
            results["queries"][name]["explain"] = [
                {"ms": ms, "sql": sql, "plan": measure.explain(sql)}
                for ms, sql in measure.heaviest(counted["sql"], 2)
            ]

    modes = mode_envs(env, args.redis_db)
    if not server.ensure_redis():
        print("[bench] Redis unavailable: the cached columns are skipped", flush=True)
        del modes["cached"], modes["after_publish"]
    results["runs"] = {}
    for mode, mode_env in modes.items():
        if mode != "uncached":
            # Empty: the page cache and the fragments are filled by the warm-up requests.
            server.redis_flushdb(args.redis_db)
        with server.Gunicorn(mode_env, workers=args.workers) as gunicorn:
            results["server"] = gunicorn.describe()
            run_results = {}
            for name, path in pages.items():
                if mode == "after_publish" and name not in AFTER_PUBLISH_PAGES:
                    continue
                run_results[name] = measure.measure_page(
                    gunicorn.url,
                    path,
                    latency_seconds=args.latency_seconds,
                    load_seconds=args.seconds,
                    connections=args.connections,
                    floor_path=None if name == "floor" else pages["floor"],
                )
                print(f"[{mode}] {name}: {short(run_results[name])}", flush=True)
            results["runs"][mode] = run_results
            if mode == "uncached":
                results["admin"] = measure_admin(gunicorn)

    if not args.no_instructions:
        from bench import instructions

        results["instructions"] = instructions.measure(
            modes, pages, requests=args.instruction_requests, redis_db=args.redis_db
        )
    if not args.no_export:
        from django.contrib.sessions.models import Session  # noqa: F401 - sessions are in the DB

        results["export"] = measure.measure_exports(
            env=modes["uncached"],
            db_name=args.database,
            session_cookie=session_cookie(),
            expected_rows=args.subscribers,
        )
    if not args.no_weight:
        results["weight"] = measure_weight(env, pages)
    results["production"] = measure_production(args, modes, pages)
    if "cached" in modes:
        from bench import publish_load

        results["publish_under_load"] = publish_load.measure(
            modes["cached"],
            workers=args.workers,
            redis_db=args.redis_db,
            **({"seconds": 5, "repeat": 1} if args.quick else {}),
        )
    if not args.no_wordpress:
        results["wordpress"] = measure_wordpress(args)
    if not args.no_newsletter:
        results["newsletter"] = measure_newsletter(args)
    results["loadavg_end"] = os.getloadavg()
    return results


def mode_envs(env, redis_db):
    """The three cache modes' environments: nothing cached (DummyCache), cached (Redis, page
    cache on) and after a publish (Redis, page cache off, fragments warm)."""
    cached = {
        **env,
        "DJANGO_SETTINGS_MODULE": "forumasia.settings",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
    }
    return {
        "uncached": {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_uncached"},
        "cached": cached,
        "after_publish": {**cached, "DJANGO_SETTINGS_MODULE": "bench.settings_after_publish"},
    }


def measure_production(args, modes, pages):
    """The task queue and two app hosts (bench/production.py)."""
    from bench import production

    results = {"signup": production.measure_signup(modes["uncached"], count=args.signups)}
    if not args.no_export:
        results["export_task"] = production.measure_export_task(
            modes["uncached"], expected_rows=args.subscribers
        )
    results["hosts"] = {
        mode: production.measure_hosts(
            mode_env,
            pages["list"],
            workers=args.workers,
            seconds=args.seconds,
            connections=args.connections,
        )
        for mode, mode_env in modes.items()
        if mode != "after_publish"
    }
    return results


def measure_wordpress(args):
    """The WordPress import (bench/wordpress_import.py) in a database of its own, named after
    the bench database and dropped afterwards; the main bench data is not touched."""
    from bench import wordpress_import

    database = wordpress_import.database_for(args.database)
    print(f"[wordpress] importing {args.wordpress_posts:,} posts into {database}", flush=True)
    results = wordpress_import.measure(
        posts=args.wordpress_posts, database=database, rerun=True, keep=False
    )
    for run in results["runs"]:
        print(
            f"[wordpress] {run['label']}: {run['seconds']:.1f} s, "
            f"{run['posts_per_s']:,.0f} posts/s, peak {run['peak_mb']:.0f} MB",
            flush=True,
        )
    return results


def measure_newsletter(args):
    """Sending an issue (bench/newsletter_send.py) in a database of its own, named after the
    bench database and dropped afterwards."""
    from bench import newsletter_send

    database = newsletter_send.database_for(args.database)
    print(
        f"[newsletter] sending to {args.newsletter_subscribers:,} subscribers in {database}",
        flush=True,
    )
    return newsletter_send.measure(
        subscribers=args.newsletter_subscribers,
        rate_recipients=min(1_000, args.newsletter_subscribers),
        database=database,
        keep=False,
    )


def short(result):
    if result.get("p50") is None:
        return f"status {result.get('status')}"
    text = f"p50 {result['p50']:.1f} ms"
    if "rps" in result:
        text += f", {result['rps']:.0f} req/s, errors {result['errors']}"
    return text


def page_paths():
    from django.db.models import Count
    from taggit.models import TaggedItem

    from bench.datagen import COMMON_WORD, RARE_WORD, TYPO_WORD
    from bench.load import DETAIL_SLUG, SUB_SITE_SLUG
    from members.models import MemberOrganisation
    from publications.models import Publication

    # The busiest country and tag, so the filtered list has many pages, like the real one.
    through = Publication.countries.through
    country = through.objects.values("country__code").annotate(n=Count("id")).order_by("-n").first()
    tag = TaggedItem.objects.values("tag__slug").annotate(n=Count("id")).order_by("-n").first()
    member = (
        MemberOrganisation.objects.active()
        .annotate(n=Count("signatures"))
        .order_by("-n", "pk")
        .first()
    )
    pages = {
        "floor": "/robots.txt",
        "home": "/",
        "list": "/publications/",
        "list_filtered": f"/publications/?country={country['country__code']}"
        f"&tag={tag['tag__slug']}",
        "list_page_500": "/publications/?page=500",
        "list_q": f"/publications/?q={COMMON_WORD}",
        "detail": f"/publications/{DETAIL_SLUG}/",
        "members": "/members/",
        "member": member.get_absolute_url(),
        "search_common": f"/search/?q={COMMON_WORD}",
        "search_rare": f"/search/?q={RARE_WORD}",
        "search_typo": f"/search/?q={TYPO_WORD}",
        "rss": "/feeds/rss/",
        "sitemap": "/sitemap.xml",
    }
    return {**pages, **sub_site_paths(pages, f"/sites/{SUB_SITE_SLUG}/")}


def sub_site_paths(pages, prefix):
    """SUB_SITE_PAGES' addresses: each main page's path (and query) under the sub-site's
    `prefix`, so that the two differ by the sub-site alone (its detail page is the main
    one's publication, a pick of its stream)."""
    return {name: prefix + pages[main].lstrip("/") for name, main in SUB_SITE_PAGES.items()}


def measure_growth(args, env, step):
    from bench import measure, server

    pages = page_paths()
    chosen = {k: pages[k] for k in ("list", "detail", "list_page_500", "search_common")}
    uncached = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_uncached"}
    entry = {"publications": step}
    with server.Gunicorn(uncached, workers=args.workers) as gunicorn:
        for name, path in chosen.items():
            for _ in range(3):
                status = server.get(gunicorn.url + path)[0]
            if status != 200:
                entry[name] = {"status": status}
                continue
            single = server.wrk(
                gunicorn.url + path,
                seconds=args.latency_seconds,
                connections=1,
                threads=1,
                headers=measure.BROWSER_HEADERS,
            )
            entry[name] = {"status": status, "p50": single["p50"], "p99": single["p99"]}
            entry[name]["queries"] = measure.count_queries(path)["cold"]
    print(
        f"[growth] {step:,}: "
        + ", ".join(f"{k} {short(v)}" for k, v in entry.items() if isinstance(v, dict)),
        flush=True,
    )
    return entry


def session_cookie():
    from bench import measure
    from bench.load import bench_user

    client = measure.client(bench_user())
    return client.cookies["sessionid"].value


def measure_admin(gunicorn):
    from urllib.parse import quote

    from bench import measure
    from bench.datagen import COMMON_WORD, RARE_WORD, TYPO_WORD
    from bench.load import bench_user
    from members.models import MemberOrganisation

    # A member's name (signatories are in the search index and the signatory filter).
    member = MemberOrganisation.objects.active().order_by("pk").first().name
    paths = [
        ("publications", "/admin/publications/publication/"),
        ("publications, search", f"/admin/publications/publication/?q={COMMON_WORD}"),
        ("publications, search a body word", f"/admin/publications/publication/?q={RARE_WORD}"),
        ("publications, search a typo", f"/admin/publications/publication/?q={TYPO_WORD}"),
        (
            "publications, search a signatory",
            f"/admin/publications/publication/?q={quote(member)}",
        ),
        (
            "publications, signatory filter",
            f"/admin/publications/publication/?signatory={quote(member)}",
        ),
        ("publications, type filter", "/admin/publications/publication/?type__exact=report"),
        ("subscribers", "/admin/newsletter/subscriber/"),
        ("subscribers, confirmed", "/admin/newsletter/subscriber/?status__exact=confirmed"),
        ("subscribers, search", "/admin/newsletter/subscriber/?q=reader123456"),
    ]
    user = bench_user()
    return measure.measure_admin(gunicorn.url, paths, user=user, session_cookie=session_cookie())


def measure_weight(env, pages):
    from bench import server

    chosen = {k: pages[k] for k in ("home", "list", "detail")}
    # The browser loads the pages' images too: the app serves the uploads itself, as a small
    # install does (DJANGO_SERVE_MEDIA); in production a web server or object storage does.
    weight_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.settings_uncached",
        "DJANGO_SERVE_MEDIA": "1",
    }
    with server.Gunicorn(weight_env, workers=2) as gunicorn:
        result = subprocess.run(
            [sys.executable, "-m", "bench.weight", gunicorn.url, json.dumps(chosen)],
            cwd=BASE_DIR, env=weight_env, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
    if result.returncode != 0:
        return {"error": result.stderr[-500:]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def table_counts():
    from django.db import connection

    tables = [
        "publications_publication",
        "publications_signature",
        "publications_attachment",
        "publications_publication_countries",
        "taggit_taggeditem",
        "members_memberorganisation",
        "newsletter_subscriber",
        "newsletter_subscription",
    ]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        counts["database size"] = cursor.fetchone()[0]
    return counts


def machine():
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {"cores": os.cpu_count(), "memory_gib": round(total_kb / 2**20, 1), "cpu": cpu}


def versions():
    import django
    from django.db import connection

    def first_line(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
        except OSError:
            return "missing"
        return (out.stdout or out.stderr).strip().splitlines()[0]

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "gunicorn": first_line([str(Path(sys.executable).parent / "gunicorn"), "--version"]),
        "wrk": first_line(["wrk", "-v"]),
        "redis": first_line(["redis-server", "--version"]),
        "chromium": first_line(["chromium", "--version"]),
    }


if __name__ == "__main__":
    sys.exit(main())
