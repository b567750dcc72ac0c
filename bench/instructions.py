"""Instructions a request costs in the Django process, counted by Valgrind's cachegrind.

A figure the machine's load does not move: on this shared 2-core machine the floor's req/s
moved tenfold within one run; an instruction count moves by less than 1 %.

`make bench` runs it after the wrk measures; on its own, against a loaded bench database:

    python -m bench.instructions --database forumasia_bench [--requests 5]

One process per cache mode runs under `valgrind --tool=cachegrind --cache-sim=no` with
PYTHONHASHSEED fixed. It sets Django up, calls the WSGI application as gunicorn does, and for
each page makes WARM_UP requests, then forks four children one after the other that each make
one more warm-up request (their own database and Redis connections) and then 0, 0, N and 2N
requests, with the cyclic garbage collector off. Cachegrind writes each child's total when it
exits; everything before the measured requests is the same in all, but for the parent's own
work between two forks, which the two children without requests measure. So
(I(2N) - I(N) - fork) / N is one request's cost; (I(N) - I(0) - fork) / N, the same requests one
window earlier, checks it: the two must agree within 1 %.

PostgreSQL's work is in its own process and is not counted. Each page's statements are run
again with EXPLAIN (ANALYZE, BUFFERS) and reported beside: pg_stat_statements would need the
server's `shared_preload_libraries`, which the harness does not own.
"""

import argparse
import gc
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

MODES = ("uncached", "after_publish", "cached")
PAGES = ("floor", "layout", "home", "list", "list_filtered", "list_page_500", "detail",
         "members", "member", "search_common", "search_rare", "search_typo", "rss", "sitemap",
         "sub_home", "sub_list", "sub_detail", "sub_search", "sub_feed")  # fmt: skip
# bench/urls.py's page: base.html with an empty content block, no query.
LAYOUT_ONLY_PATH = "/bench/layout-only/"
HASH_SEED = "0"
# Fixed, so that nothing keyed or signed with it differs between two runs.
SECRET_KEY = "bench-instructions-" + "k" * 50
AGREEMENT = 0.01
# Requests before the measured ones, in the process before it forks: imports, compiled
# templates, the caches a mode fills, and the interpreter's specialised bytecode (Python 3.11
# specialises a function after 8 calls: after 2, /robots.txt's first window cost 7 % more).
WARM_UP = 10
WORKER_TIMEOUT = 3 * 3600


# --- Pure parts ---------------------------------------------------------------------------------


def parse_total(text: str) -> int:
    """The instruction count of a cachegrind output file (its `summary:` line; Ir is the first
    event, the only one with --cache-sim=no)."""
    for line in text.splitlines():
        if line.startswith("summary:"):
            return int(line.split()[1])
    raise ValueError("no summary line: not a complete cachegrind output file")


def children(requests: int) -> tuple[int, ...]:
    """How many requests each child makes after its warm-up, in the order they are forked."""
    return (0, 0, requests, 2 * requests)


def per_request(totals: list[int], requests: int) -> dict:
    """One request's instructions from the totals of the children(requests), in fork order.

    Each child's total includes what the parent did before forking it, so two children forked
    one after the other with no request differ by the parent's own work between two forks;
    it is taken off each window. The second window (N to 2N) is the figure, the first (0 to N)
    checks it; `difference` is how far apart they are, as a share of the figure."""
    start, again, first_end, second_end = totals
    fork = again - start
    measured = (second_end - first_end - fork) / requests
    check = (first_end - again - fork) / requests
    return {
        "instructions": round(measured),
        "check": round(check),
        "difference": abs(measured - check) / measured,
        "fork": fork,
    }


def summarise_plans(plans: list[dict]) -> dict:
    """The server's side of a request from `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of each of
    its statements: times (wall clock, so load-dependent) and shared buffers (not)."""
    return {
        "statements": len(plans),
        "execution_ms": sum(p["Execution Time"] for p in plans),
        "planning_ms": sum(p["Planning Time"] for p in plans),
        "buffers_hit": sum(p["Plan"].get("Shared Hit Blocks", 0) for p in plans),
        "buffers_read": sum(p["Plan"].get("Shared Read Blocks", 0) for p in plans),
    }


def wsgi_environ(path: str) -> dict:
    """A GET as gunicorn hands it to the application, with wrk's headers (bench.measure)."""
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


# --- The process under valgrind -----------------------------------------------------------------


def get(application, path: str) -> int:
    """One request through the WSGI application, its body read and closed as a server does."""
    statuses = []
    response = application(wsgi_environ(path), lambda status, headers: statuses.append(status))
    try:
        for _chunk in response:
            pass
    finally:
        response.close()
    return int(statuses[0].split()[0])


def release_connections():
    """Close the database and cache connections, so that a forked child opens its own."""
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    caches.close_all()


def measured_child(application, path: str, count: int) -> int:
    """Fork a child that makes 1 + `count` requests and exits; its pid (its cachegrind file)."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for _ in range(1 + count):
                if get(application, path) != 200:
                    code = 1
        except BaseException:  # noqa: BLE001 - reported by the exit code, the trace on stderr
            import traceback

            traceback.print_exc()
            code = 2
        finally:
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{path}: the measuring child exited with {code}")
    return pid


def measured_children(application, path: str, requests: int) -> list[int]:
    """The pids of children forked one after the other, making children(requests) requests.

    The cyclic garbage collector is off from the first fork (the children inherit it): its
    passes fall in one window or the other (with it on, windows of five /robots.txt requests
    differed by up to 6 %; off, by less than 0.2 %), and in the parent they would make the work
    between two forks vary. What the requests allocate and free is counted either way."""
    release_connections()
    gc.disable()
    try:
        return [measured_child(application, path, count) for count in children(requests)]
    finally:
        gc.enable()


def database_side(application, path: str) -> dict:
    """The statements of one request, each run again with EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get(application, path)
    statements = [query["sql"] for query in captured.captured_queries]
    plans = []
    with connection.cursor() as cursor:
        for sql in statements:
            if sql.lstrip(" (").upper().startswith(("SELECT", "WITH")):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plans.append(cursor.fetchone()[0][0])
    return {
        "queries": len(statements),
        "database": {**summarise_plans(plans), "loadavg": os.getloadavg()[0]},
    }


def worker(spec_path: str) -> None:
    """Runs under valgrind: the pages of one mode, children forked per page (module doc)."""
    spec = json.loads(Path(spec_path).read_text())
    n = spec["requests"]
    from django.test.utils import override_settings

    from forumasia.wsgi import application

    # The site's URLs and the layout-only page (bench/urls.py).
    override_settings(ROOT_URLCONF="bench.urls").enable()
    pages = {}
    for name, path in spec["pages"].items():
        started = time.perf_counter()
        for _ in range(WARM_UP):
            status = get(application, path)
        entry = {"path": path, "status": status}
        if entry["status"] == 200:
            entry["children"] = measured_children(application, path, n)
            entry.update(database_side(application, path))
        entry["seconds"] = time.perf_counter() - started
        pages[name] = entry
        print(f"[instructions] {spec['mode']} {name}: {entry['seconds']:.0f} s", flush=True)
    Path(spec["output"]).write_text(json.dumps(pages))


# --- The harness's side -------------------------------------------------------------------------


def check_valgrind() -> str:
    valgrind = shutil.which("valgrind")
    if not valgrind:
        raise SystemExit(
            "Missing valgrind: apt-get install -y valgrind (or --no-instructions to skip)"
        )
    return valgrind


def run_mode(mode: str, env: dict, pages: dict, *, requests: int) -> dict:
    """One mode's pages under cachegrind (the worker above); per page, the per_request() figures
    with the worker's status, queries and database side."""
    valgrind = check_valgrind()
    with tempfile.TemporaryDirectory(prefix="forumasia-instructions-") as tmp:
        folder = Path(tmp)
        spec = folder / "spec.json"
        output = folder / "pages.json"
        spec.write_text(
            json.dumps({"mode": mode, "pages": pages, "requests": requests, "output": str(output)})
        )
        command = [
            valgrind, "--tool=cachegrind", "--cache-sim=no",
            f"--cachegrind-out-file={folder}/cachegrind.%p", f"--log-file={folder}/valgrind.%p",
            sys.executable, "-m", "bench.instructions", "--worker", str(spec),
        ]  # fmt: skip
        worker_env = {
            **env,
            "PYTHONHASHSEED": HASH_SEED,
            "DJANGO_SECRET_KEY": SECRET_KEY,
            # Under valgrind a request takes ~20 times as long: with the usual 60 s a heavy
            # page's child would reconnect within its windows, where at full speed thousands
            # of requests share a connection.
            "DJANGO_CONN_MAX_AGE": "86400",
        }
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=worker_env, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            _, stderr = process.communicate(timeout=WORKER_TIMEOUT)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        if process.returncode != 0:
            raise RuntimeError(f"the {mode} worker failed ({process.returncode}): {stderr[-2000:]}")
        results = {}
        for name, entry in json.loads(output.read_text()).items():
            result = {k: v for k, v in entry.items() if k != "children"}
            if "children" in entry:
                totals = [
                    parse_total((folder / f"cachegrind.{pid}").read_text())
                    for pid in entry["children"]
                ]
                result.update(per_request(totals, requests))
            results[name] = result
        return results


def measure(mode_envs: dict, pages: dict, *, requests: int, redis_db=None) -> dict:
    """Every mode of `mode_envs` (uncached, after_publish, cached: bench/run.py's) over the
    PAGES found in `pages`, and always the layout-only page: every figure is a multiple of it."""
    from bench import server

    chosen = {name: ({**pages, "layout": LAYOUT_ONLY_PATH}).get(name) for name in PAGES}
    chosen = {name: path for name, path in chosen.items() if path}
    started = time.time()
    results = {
        "requests": requests,
        "warm_up": WARM_UP,
        "hash_seed": HASH_SEED,
        "loadavg_start": os.getloadavg(),
        "modes": {},
    }
    for mode in MODES:
        if mode not in mode_envs:
            continue
        if mode != "uncached" and redis_db is not None:
            server.redis_flushdb(redis_db)  # filled again by the warm-up requests
        results["modes"][mode] = run_mode(mode, mode_envs[mode], chosen, requests=requests)
        for name, item in results["modes"][mode].items():
            print(f"[instructions] {mode} {name}: {short(item)}", flush=True)
    results["seconds"] = time.time() - started
    results["loadavg_end"] = os.getloadavg()
    return results


def short(item: dict) -> str:
    if "instructions" not in item:
        return f"status {item['status']}"
    agree = "agree" if item["difference"] <= AGREEMENT else "DISAGREE"
    return (
        f"{item['instructions'] / 1e6:.2f} M instructions a request, {item.get('queries')} "
        f"queries; first window {item['check'] / 1e6:.2f} M ({item['difference']:.2%}, {agree})"
    )


def parse_args(argv):
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=run.DB_NAME, help="a loaded bench database")
    parser.add_argument("--redis-db", type=int, default=run.REDIS_DB)
    parser.add_argument(
        "--requests", type=int, default=5, help="N: children make 0, 0, N and 2N requests"
    )
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        parser.error("--database must name a bench database (its name contains 'bench')")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        import django

        django.setup()
        worker(argv[1])
        return 0
    args = parse_args(argv)
    from bench import report, run, server

    check_valgrind()
    env = run.base_env(args.database)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_uncached"
    import django

    django.setup()
    modes = run.mode_envs(env, args.redis_db)
    if not server.ensure_redis():
        print("[instructions] Redis unavailable: the cached modes are skipped", flush=True)
        modes = {"uncached": modes["uncached"]}
    modes = {mode: modes[mode] for mode in args.modes if mode in modes}
    paths = run.page_paths()
    pages = {name: path for name, path in paths.items() if name in args.pages}
    results = {
        "instructions": measure(modes, pages, requests=args.requests, redis_db=args.redis_db),
        "pages": paths,
    }
    run.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (run.RESULTS_DIR / f"instructions-{stamp}.json").write_text(json.dumps(results, indent=1))
    print(report.instructions_section(results))
    print(f"(raw: bench/results/instructions-{stamp}.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
