"""Scenario "publish under load": pages that are being read while an editor saves.

gunicorn (4 sync workers, Redis cache) serves wrk's 16 connections, each cycling home, the list,
the 30-signatory detail and one of a long tail of 50 filtered lists (country × type), for 20 s
steady, then 20 s more while an editor saves the detail's publication every 2 s through the
service (`save_publication`, as the admin does), so each save sends the real invalidation.
Two servers in turn, same data and same run: PAGE_STALE_SECONDS=0 (every save makes the next
request of each page render it, as before stale-while-revalidate) and the default (the page
rendered before the save is served while one request renders the new one). Targets, within
each server's own pair: 0 errors, p99 with saves ≤ 2 × steady p99, req/s ≥ 90 % of steady.

On its own, against a loaded bench database (or `--load N` to build a small one first, no
subscribers):

    python -m bench.publish_load --database forumasia_bench [--repeat 2] [--load 20000]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

TYPES = ("", "statement", "letter", "report", "story")
TAIL_COUNTRIES = 10
# What each server is told: 0 is main's behaviour before stale-while-revalidate.
SWR = "stale while revalidate (5 s)"
SERVERS = {"no stale copies (PAGE_STALE_SECONDS=0)": "0", SWR: "5"}
# wrk's Lua: each thread walks the same cycle (the hot pages, then the next page of the tail).
SCRIPT = """
hot = {%(hot)s}
tail = {%(tail)s}
step = 0
wrk.headers["Accept-Encoding"] = "gzip"
cycle = #hot + math.min(#tail, 1)
request = function()
  step = step + 1
  local turn = step %% cycle
  if turn < #hot then return wrk.format("GET", hot[turn + 1]) end
  return wrk.format("GET", tail[math.floor(step / cycle) %% #tail + 1])
end
"""


def lua_list(paths):
    return ", ".join(json.dumps(path) for path in paths)


def tail_paths():
    """The list filtered by the 10 countries with most publications, each with no type and with
    each of the four types: 50 pages each visitor asks for rarely."""
    from django.db.models import Count

    from publications.models import Publication

    through = Publication.countries.through
    codes = [
        row["country__code"]
        for row in through.objects.values("country__code")
        .annotate(n=Count("id"))
        .order_by("-n", "country__code")[:TAIL_COUNTRIES]
    ]
    return [
        f"/publications/?country={code}" + (f"&type={kind}" if kind else "")
        for code in codes
        for kind in TYPES
    ]


def edit(seconds, every):
    """The editor (`--editor`, a process of its own with the servers' settings): once set up,
    says so and waits for a line on stdin (so that its start-up is not in the window), then
    saves the detail's publication every `every` seconds for `seconds` through the service,
    changing its summary; prints how many saves it made."""
    from bench.load import DETAIL_ID, bench_user
    from publications import services
    from publications.models import Publication

    user = bench_user()
    print("ready", flush=True)
    sys.stdin.readline()
    saves = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() + every < deadline:
        time.sleep(every)
        publication = Publication.objects.get(pk=DETAIL_ID)
        publication.summary = f"Joint statement, edit {saves + 1} of this run."
        services.save_publication(publication=publication, user=user)
        saves += 1
    print(json.dumps({"saves": saves}))


def measure_server(env, paths, *, seconds, connections, workers, save_every, redis_db):
    """Steady, then with an editor's saves, against one fresh server."""
    from bench import server

    server.redis_flushdb(redis_db)
    hot, tail = paths["hot"], paths["tail"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SCRIPT % {"hot": lua_list(hot), "tail": lua_list(tail)})
    try:
        with server.Gunicorn(env, workers=workers) as gunicorn:
            for path in [*hot, *tail]:  # every page cached before the clock starts
                for _ in range(2):
                    status = server.get(gunicorn.url + path)[0]
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status}")
            load = {"seconds": seconds, "connections": connections, "threads": 2}
            load["redis_db"] = redis_db
            steady = wrk_counting_renders(gunicorn.url, script.name, **load)
            editor = subprocess.Popen(
                [sys.executable, "-m", "bench.publish_load", "--editor", str(seconds),
                 str(save_every)],
                cwd=BASE_DIR, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            try:
                if editor.stdout.readline().strip() != "ready":
                    raise RuntimeError("the editor did not start (its traceback is above)")
                editor.stdin.write("go\n")
                editor.stdin.flush()
                publishing = wrk_counting_renders(gunicorn.url, script.name, **load)
            finally:
                out, _ = editor.communicate(timeout=120)
    finally:
        os.unlink(script.name)
    if editor.returncode != 0:
        raise RuntimeError("the editor's saves failed (its traceback is above)")
    publishing.update(json.loads(out.strip().splitlines()[-1]))
    return {"steady": steady, "publishing": publishing}


def wrk_counting_renders(url, script, *, redis_db, **load):
    """wrk's figures, and the pages the servers rendered and stored meanwhile (`renders`),
    counted on Redis's MONITOR: a figure the machine's speed does not move."""
    from forumasia.cache import PAGE_KEY

    stored = PAGE_KEY.split("{")[0]
    with tempfile.TemporaryFile("w+") as log:
        monitor = subprocess.Popen(
            ["redis-cli", "-n", str(redis_db), "monitor"], stdout=log, text=True
        )
        try:
            result = wrk_script(url, script, **load)
        finally:
            monitor.terminate()
            monitor.wait(timeout=10)
        log.seek(0)
        result["renders"] = sum(
            1
            for line in log
            if f"[{redis_db} " in line and '"SET"' in line and stored in line
            and ":render" not in line  # the lock of single flight
        )  # fmt: skip
    return result


def wrk_script(url, script, *, seconds, connections, threads):
    from bench import server

    command = [
        "wrk", "--latency", "--timeout", "10s", "-s", script,
        "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", url,
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed: {result.stderr.strip()}")
    return server.parse_wrk(result.stdout)


def verdict(pair):
    steady, publishing = pair["steady"], pair["publishing"]
    p99 = publishing["p99"] / steady["p99"]
    rps = publishing["rps"] / steady["rps"]
    met = publishing["errors"] == 0 and p99 <= 2 and rps >= 0.9
    return p99, rps, met


def target(results):
    """The issue's row: the stale-while-revalidate server's worst round, as (name, measured,
    met)."""
    pairs = [rounds[SWR] for rounds in results["rounds"]]
    figures = [verdict(pair) for pair in pairs]
    return (
        "publish under load (a save every 2 s): 0 errors, p99 ≤ 2× steady, req/s ≥ 90% of steady",
        "; ".join(
            f"p99 {p99:.2f}×, req/s {rps:.0%}, {pair['publishing']['errors']} errors"
            for (p99, rps, _met), pair in zip(figures, pairs, strict=True)
        ),
        all(met for _p99, _rps, met in figures),
    )


def table(results):
    lines = [
        "| round | server | steady p50 / p99 ms, req/s | with a save every "
        f"{results['save_every']:g} s: p50 / p99 ms, req/s (saves, pages rendered, errors) "
        "| p99 × steady | req/s × steady | targets |",
        "|---|---|---|---|---|---|---|",
    ]
    for number, round_results in enumerate(results["rounds"], start=1):
        for name, pair in round_results.items():
            steady, publishing = pair["steady"], pair["publishing"]
            p99, rps, met = verdict(pair)
            lines.append(
                f"| {number} | {name} "
                f"| {steady['p50']:.1f} / {steady['p99']:.1f}, {steady['rps']:.0f} "
                f"| {publishing['p50']:.1f} / {publishing['p99']:.1f}, {publishing['rps']:.0f} "
                f"({publishing['saves']}, {publishing['renders']}, {publishing['errors']}) "
                f"| {p99:.2f}× | {rps:.0%} | {'met' if met else '**missed**'} |"
            )
    return "\n".join(lines)


def measure(
    env, *, seconds=20, connections=16, workers=4, save_every=2, repeat=2, tail=50, redis_db
):
    """Both servers in turn, `repeat` rounds; `env`: the cached servers' environment (Redis);
    `tail`: how many of the tail's pages (0: the three hot pages alone)."""
    from bench.load import DETAIL_SLUG

    paths = {"hot": ["/", "/publications/", f"/publications/{DETAIL_SLUG}/"]}
    paths["tail"] = tail_paths()[:tail]
    results = {
        "started": datetime.now().astimezone().isoformat(timespec="seconds"),
        "save_every": save_every,
        "seconds": seconds,
        "tail": len(paths["tail"]),
        "paths": paths,
        "rounds": [],
    }
    for number in range(1, repeat + 1):
        round_results = {}
        for name, stale in SERVERS.items():
            load = os.getloadavg()[0]
            round_results[name] = measure_server(
                {**env, "PAGE_STALE_SECONDS": stale},
                paths,
                seconds=seconds,
                connections=connections,
                workers=workers,
                save_every=save_every,
                redis_db=redis_db,
            )
            round_results[name]["loadavg"] = load
            print(f"[publish] round {number}, {name}: {round_results[name]}", flush=True)
        results["rounds"].append(round_results)
    results["loadavg_end"] = os.getloadavg()
    return results


def load_small(args):
    """A fresh bench database with `args.load` publications and no subscribers."""
    from django.core.management import call_command

    from bench import load, run

    run.recreate_database(args.database)
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    base = load.load_base(0)
    load.load_publications(args.load, base["image"])
    load.fill_search_vectors()
    load.analyze()


def parse_args(argv):
    from bench import run

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=run.DB_NAME, help="a loaded bench database")
    parser.add_argument("--redis-db", type=int, default=run.REDIS_DB)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--save-every", type=float, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="rounds of both servers")
    parser.add_argument("--tail", type=int, default=50, help="pages of the tail (0 to 50)")
    parser.add_argument(
        "--load", type=int, default=0, help="first build the database with N publications"
    )
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        parser.error("--database must name a bench database (its name contains 'bench')")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--editor"]:
        import django

        django.setup()
        edit(float(argv[1]), float(argv[2]))
        return 0
    args = parse_args(argv)
    from bench import run, server

    if not server.ensure_redis():
        raise SystemExit("Redis is not answering on 127.0.0.1:6379")
    env = run.mode_envs(run.base_env(args.database), args.redis_db)["cached"]
    os.environ.update(env)
    Path(run.media_root(args.database)).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    if args.load:
        load_small(args)
    try:
        results = measure(
            env,
            seconds=args.seconds,
            connections=args.connections,
            workers=args.workers,
            save_every=args.save_every,
            repeat=args.repeat,
            tail=args.tail,
            redis_db=args.redis_db,
        )
    finally:
        server.stop_all()
    run.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (run.RESULTS_DIR / f"publish-load-{stamp}.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    print(f"(raw: bench/results/publish-load-{stamp}.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
