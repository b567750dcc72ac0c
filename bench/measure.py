"""The measurements: queries in-process, latency and throughput with wrk against gunicorn, the
exports, the admin changelists and EXPLAIN of the heaviest queries. Needs `django.setup()`."""

import os
import re
import statistics
import subprocess
import threading
import time
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from . import server

WARM_CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "bench-warm",
    }
}


BROWSER_HEADERS = {"Accept-Encoding": "gzip"}


def client(user=None) -> Client:
    c = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        c.force_login(user)
    return c


def count_queries(path: str, user=None) -> dict:
    """Status and queries of one request, cold (no cache) and warm (second request, locmem).

    The harness process runs bench.settings_uncached, whose cache never hits: the cold count is
    what a request costs without any cache. The warm count repeats the request twice with a
    local-memory cache and counts the second: what is left once the site's own caches are full.
    """
    c = client(user)
    try:
        with CaptureQueriesContext(connection) as cold:
            response = c.get(path)
    except Exception as exc:  # a 500 in-process: record it, the table shows it
        return {"status": 500, "error": repr(exc)[:200], "cold": None, "warm": None, "sql": []}
    result = {"status": response.status_code, "cold": len(cold), "warm": None}
    result["sql"] = [(float(q["time"]), q["sql"]) for q in cold.captured_queries]
    if response.status_code == 200:
        with override_settings(CACHES=WARM_CACHES):
            c.get(path)
            with CaptureQueriesContext(connection) as warm:
                c.get(path)
        result["warm"] = len(warm)
    return result


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def heaviest(sql_list, n=2):
    """The n slowest SELECTs of a captured request (re-timed by EXPLAIN ANALYZE later)."""
    selects = [(t, s) for t, s in sql_list if s.lstrip().upper().startswith("SELECT")]
    return sorted(selects, key=lambda item: item[0], reverse=True)[:n]


def measure_page(
    base_url, path, *, latency_seconds, load_seconds, connections, threads=2, floor_path=None
):
    """wrk at one connection (latency) and at `connections` (throughput). None if not 200.

    With `floor_path`, the floor's throughput is measured just before the page's (`floor_rps`):
    the machine's speed drifts within a run (the floor moved from 360 to 760 req/s within a
    minute on 2026-11-29), so a page is compared with the floor of the same moment."""
    url = base_url + path
    status = None
    for _ in range(3):  # warm-up: fills caches, opens the worker's database connection
        status = server.get(url, timeout=60)[0]
    if status != 200:
        return {"status": status}
    # Like every browser, wrk asks for gzip: pages are compressed (GZipMiddleware, or stored
    # compressed by the page cache); robots.txt, the floor, is too short to be.
    headers = BROWSER_HEADERS
    single = server.wrk(url, seconds=latency_seconds, connections=1, threads=1, headers=headers)
    load = {"seconds": load_seconds, "connections": connections, "threads": threads}
    floor = server.wrk(base_url + floor_path, headers=headers, **load) if floor_path else {}
    loaded = server.wrk(url, headers=headers, **load)
    return {
        "status": status,
        "p50": single["p50"],
        "p99": single["p99"],
        "load_p50": loaded["p50"],
        "load_p99": loaded["p99"],
        "rps": loaded["rps"],
        "floor_rps": floor.get("rps"),
        "errors": single["errors"] + loaded["errors"],
        # Wall-clock figures on a shared machine: the load they were measured under.
        "loadavg": os.getloadavg()[0],
    }


# --- Exports ------------------------------------------------------------------------------------


def run_with_rusage(command, *, env, stdout_path, max_seconds=1800):
    """(seconds, peak RSS in MB) of a child process.

    GNU time (`/usr/bin/time`, apt-get install -y time) reports the child's own peak. Without
    it, /proc/<pid>/status VmHWM is polled every 50 ms. (os.wait4's ru_maxrss is not used: Linux
    carries the parent's high-water mark across fork+exec, so it reports the harness's size.)
    """
    gnu_time = Path("/usr/bin/time")
    report = Path(f"/tmp/forumasia-bench-time-{os.getpid()}.txt")
    if gnu_time.exists():
        command = [str(gnu_time), "-f", "%M", "-o", str(report), *command]
    peak_kb = 0
    with open(stdout_path, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.PIPE, cwd=server.BASE_DIR
        )
        stderr = []
        reader = threading.Thread(target=lambda: stderr.append(process.stderr.read()))
        reader.start()
        deadline = start + max_seconds
        while process.poll() is None:
            if not gnu_time.exists():
                peak_kb = max(peak_kb, server.proc_status_kb(process.pid, "VmHWM"))
            if time.perf_counter() > deadline:
                process.kill()
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        reader.join(timeout=10)
        process.stderr.close()
    if process.returncode != 0:
        message = b"".join(stderr).decode(errors="replace")[-500:]
        raise RuntimeError(f"{command[0]} failed ({process.returncode}): {message}")
    if gnu_time.exists():
        peak_kb = int(report.read_text().split()[-1])
        report.unlink(missing_ok=True)
    return seconds, peak_kb / 1024


def count_lines(path) -> int:
    lines = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines


EXPORT_SQL = """
COPY (
  SELECT s.email, s.name, s.organisation, c.name AS country,
         (SELECT string_agg(ml.slug, ', ' ORDER BY ml.position)
            FROM newsletter_subscription su JOIN newsletter_mailinglist ml
              ON ml.id = su.mailing_list_id
           WHERE su.subscriber_id = s.id AND su.unsubscribed_at IS NULL) AS lists,
         s.status,
         to_char(s.consented_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD"T"HH24:MI:SS+07:00'),
         to_char(s.confirmed_at AT TIME ZONE 'Asia/Bangkok', 'YYYY-MM-DD"T"HH24:MI:SS+07:00')
    FROM newsletter_subscriber s LEFT JOIN members_country c ON c.id = s.country_id
   WHERE s.status = 'confirmed' ORDER BY s.id
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def measure_exports(*, env, db_name, session_cookie, expected_rows) -> dict:
    tmp = Path("/tmp")
    results = {}
    copy_out = tmp / "forumasia-bench-copy.csv"
    command_out = tmp / "forumasia-bench-export.csv"
    try:
        seconds, rss = run_with_rusage(
            ["psql", "-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", db_name,
             "-c", " ".join(EXPORT_SQL.split())],
            env=env, stdout_path=copy_out,
        )  # fmt: skip
        rows = count_lines(copy_out) - 1
        results["copy"] = {"rows": rows, "seconds": seconds, "rss_mb": rss}
        print(f"[export] COPY floor: {rows:,} rows in {seconds:.1f} s", flush=True)

        seconds, rss = run_with_rusage(
            [str(server.VENV_BIN / "python"), "manage.py", "export_subscribers",
             "--status", "confirmed", "-o", str(command_out)],
            env=env, stdout_path=os.devnull,
        )  # fmt: skip
        rows = count_lines(command_out) - 1
        neutralised = _count_neutralised(command_out)
        results["command"] = {
            "rows": rows,
            "seconds": seconds,
            "rss_mb": rss,
            "neutralised_formulas": neutralised,
        }
        print(f"[export] command: {rows:,} rows in {seconds:.1f} s, {rss:.0f} MB", flush=True)
    finally:
        for path in (copy_out, command_out):
            path.unlink(missing_ok=True)

    # The admin's streaming export over HTTP, from a one-worker gunicorn so that worker's own
    # peak RSS is the export's. The timeout is raised: a sync worker is killed after --timeout
    # seconds in one request, and the result says how long the export needs.
    uncached_env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_uncached"}
    with server.Gunicorn(uncached_env, workers=1, timeout=1800) as gunicorn:
        worker = gunicorn.worker_pids()[0]
        headers = {"Cookie": f"sessionid={session_cookie}"}
        # The export is a POST with the form token, as the changelist's button sends it; the
        # admin's home page (its logout form) gives the token and its cookie.
        _, answer_headers, page = server.get(gunicorn.url + "/admin/", headers=headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", answer_headers["set-cookie"]).group(1)
        baseline = server.proc_status_kb(worker, "VmRSS") / 1024
        status, size, lines, seconds = server.stream_to_null(
            gunicorn.url + "/admin/newsletter/subscriber/export/csv/?status__exact=confirmed",
            headers={
                "Cookie": f"sessionid={session_cookie}; csrftoken={csrf_cookie}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            method="POST",
            body=b"csrfmiddlewaretoken=" + token,
        )
        peak = server.proc_status_kb(worker, "VmHWM") / 1024
        results["admin"] = {
            "status": status,
            "rows": lines - 1,
            "bytes": size,
            "seconds": seconds,
            "rss_mb": peak,
            "baseline_mb": baseline,
            "server": gunicorn.describe(),
        }
        print(f"[export] admin: {lines - 1:,} rows in {seconds:.1f} s, {peak:.0f} MB", flush=True)
    results["expected_rows"] = expected_rows
    return results


def _count_neutralised(path) -> int:
    count = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if ",'=HYPERLINK" in line or ",\"'=HYPERLINK" in line:
                count += 1
            elif ",=HYPERLINK" in line or ',"=HYPERLINK' in line:
                raise AssertionError("an unneutralised formula reached the export")
    return count


# --- Admin changelists --------------------------------------------------------------------------


def measure_admin(base_url, paths, *, user, session_cookie, repeat=5) -> list[dict]:
    headers = {"Cookie": f"sessionid={session_cookie}"}
    results = []
    for label, path in paths:
        queries = count_queries(path, user=user)
        status = server.get(base_url + path, headers=headers, timeout=120)[0]
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            status = server.get(base_url + path, headers=headers, timeout=120)[0]
            timings.append((time.perf_counter() - start) * 1000)
        results.append(
            {
                "label": label,
                "path": path,
                "status": status,
                "queries": queries["cold"],
                "median_ms": statistics.median(timings),
                "max_ms": max(timings),
                "sql": heaviest(queries["sql"], 2),
            }
        )
        print(f"[admin] {label}: {statistics.median(timings):.0f} ms", flush=True)
    return results
