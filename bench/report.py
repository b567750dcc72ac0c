"""Turns the harness's results into the Markdown that goes into BENCHMARKS.md."""

import re
from pathlib import Path

from bench.instructions import AGREEMENT
from bench.newsletter_send import table as newsletter_table
from bench.newsletter_send import targets as newsletter_targets
from bench.production import table as production_table
from bench.publish_load import table as publish_load_table
from bench.publish_load import target as publish_load_target
from bench.wordpress_import import table as wordpress_table
from bench.wordpress_import import target as wordpress_target

BEGIN = "<!-- bench:begin (written by bench/run.py; edit outside these markers) -->"
END = "<!-- bench:end -->"

LABELS = {
    "floor": "floor: /robots.txt (no DB)",
    "layout": "layout only: base.html, no query",
    "home": "home",
    "list": "list",
    "list_filtered": "list, country + tag",
    "list_page_500": "list, page 500",
    "list_q": "list, ?q= common word",
    "detail": "detail (30 signatories, 10 attachments)",
    "members": "members directory",
    "member": "member page",
    "search_common": "search, common word",
    "search_rare": "search, rare word",
    "search_typo": "search, typo",
    "rss": "RSS feed",
    "sitemap": "sitemap.xml",
    "sub_home": "sub-site: home",
    "sub_list": "sub-site: list",
    "sub_detail": "sub-site: detail (the same publication)",
    "sub_search": "sub-site: search, common word",
    "sub_feed": "sub-site: RSS feed",
}
SEARCH_PAGES = ("search_common", "search_rare", "search_typo")
# Issue 15: the pages that must be fast cold.
COLD_PAGES = ("home", "list", "detail", "member")
MODE_LABELS = {"uncached": "nothing cached", "after_publish": "after a publish", "cached": "cached"}
# Issue 21: what a request may cost in instructions, as a multiple of the layout-only page.
INSTRUCTION_TARGETS = (("after_publish", ("home", "list", "detail"), 6),
                       ("uncached", ("home", "list", "detail"), 15))  # fmt: skip


def _ms(value):
    return "—" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _num(value, digits=0):
    return "—" if value is None else f"{value:,.{digits}f}"


def _mb(value):
    return f"{value:.0f} MB"


def floor_share(run, floor_rps):
    """The page's req/s over the floor's measured just before it (else the mode's floor)."""
    floor_rps = run.get("floor_rps") or floor_rps
    return run["rps"] / floor_rps if floor_rps and run.get("rps") else None


def _cell(run, floor_rps):
    if not run:
        return ["—", "—", "—"]
    if run.get("p50") is None:
        return [f"n/a ({run.get('status')})", "—", "—"]
    share = floor_share(run, floor_rps)
    ratio = f"{share:.0%}" if share is not None else "—"
    errors = f" ⚠{run['errors']} errors" if run.get("errors") else ""
    return [f"{_ms(run['p50'])} / {_ms(run['p99'])}", f"{_num(run['rps'])}{errors}", ratio]


def page_table(results):
    runs = results.get("runs", {})
    floors = {mode: (r.get("floor") or {}).get("rps") for mode, r in runs.items()}
    after = "after_publish" in runs
    lines = [
        "| page | queries cold / warm | uncached p50 / p99 ms (1 conn) | uncached req/s "
        f"({results['args']['connections']} conn) | × floor | cached p50 / p99 ms | "
        "cached req/s | × floor |"
        + (" after a publish p50 / p99 ms | after a publish req/s | × floor |" if after else "")
        + " load average (1 min): uncached / cached"
        + (" / after a publish |" if after else " |"),
        "|---|---|---|---|---|---|---|---|" + ("---|---|---|" if after else "") + "---|",
    ]
    for name, path in results["pages"].items():
        q = results["queries"].get(name, {})
        if q.get("status") == 200:
            queries = f"{q['cold']} / {q['warm']}"
        else:
            queries = f"n/a ({q.get('status')})"
        row = [f"{LABELS.get(name, name)} `{path}`", queries]
        row += _cell(runs.get("uncached", {}).get(name), floors.get("uncached"))
        row += _cell(runs.get("cached", {}).get(name), floors.get("cached"))
        if after:
            row += _cell(runs["after_publish"].get(name), floors.get("after_publish"))
        loads = [(runs[mode].get(name) or {}).get("loadavg") for mode in runs]
        row.append(" / ".join(f"{x:.1f}" for x in loads if x is not None) or "—")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def growth_table(results):
    growth = results.get("growth") or []
    if not growth:
        return "_Not measured (run with a fresh load, not --skip-load)._"
    names = ["list", "list_page_500", "detail", "search_common"]
    lines = [
        "| publications | "
        + " | ".join(f"{LABELS[n]} p50 / p99 ms (queries)" for n in names)
        + " |",
        "|---|" + "---|" * len(names),
    ]
    for entry in growth:
        cells = []
        for name in names:
            item = entry.get(name) or {}
            if item.get("p50") is None:
                cells.append(f"n/a ({item.get('status')})")
            else:
                cells.append(f"{_ms(item['p50'])} / {_ms(item['p99'])} ({item['queries']})")
        lines.append(f"| {entry['publications']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def export_table(results):
    export = results.get("export")
    if not export:
        return "_Not measured (--no-export)._"
    copy = export["copy"]
    floor = copy["rows"] / copy["seconds"]
    lines = [
        "| export of confirmed subscribers | rows | seconds | rows/s | % of COPY | peak RSS |",
        "|---|---|---|---|---|---|",
        f"| floor: psql `COPY (SELECT same columns …) TO STDOUT` | {copy['rows']:,} | "
        f"{copy['seconds']:.1f} | {floor:,.0f} | 100% | {_mb(copy['rss_mb'])} (psql) |",
    ]
    for key, label in (
        ("command", "`manage.py export_subscribers --status confirmed -o …`"),
        ("admin", "admin streaming export over HTTP"),
    ):
        item = export.get(key)
        if not item:
            continue
        rate = item["rows"] / item["seconds"]
        extra = ""
        if key == "admin":
            extra = f" (worker at start {_mb(item['baseline_mb'])})"
        elif key == "command":
            extra = f"; {item['neutralised_formulas']} formula cells neutralised"
        lines.append(
            f"| {label} | {item['rows']:,} | {item['seconds']:.1f} | {rate:,.0f} | "
            f"{rate / floor:.0%} | {_mb(item['rss_mb'])}{extra} |"
        )
    return "\n".join(lines)


def weight_table(results):
    weight = results.get("weight")
    if not weight:
        return "_Not measured (--no-weight)._"
    if "error" in weight:
        return f"_Failed: {weight['error']}_"
    served, browser = weight["served"], weight.get("browser", {})
    lines = [
        "| page | HTML as served | HTML if gzipped | CSS+JS as served (files) | "
        "HTML+CSS+JS | browser: requests / KB, images blocked | "
        "browser: requests / KB with images, 390 px | HTML Cache-Control / ETag |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, item in served.items():
        assets = [a for a in item["assets"] if not a.get("third_party")]
        asset_bytes = sum(a["bytes"] for a in assets)
        encodings = sorted({a["encoding"] for a in assets})
        b = browser.get(name, {}) if isinstance(browser, dict) else {}

        def shown(key, b=b):
            x = b.get(key)
            if not x:
                return "—"
            third = f", third-party: {x['third_party_hosts']}" if x["third_party_hosts"] else ""
            return f"{x['requests']} / {x['bytes'] / 1024:.1f}{third}"

        lines.append(
            f"| {LABELS.get(name, name)} | {item['html_bytes'] / 1024:.1f} KB "
            f"({item['html_encoding']}) | {item['html_gzip'] / 1024:.1f} KB | "
            f"{asset_bytes / 1024:.1f} KB ({len(assets)}, {'/'.join(encodings) or '—'}) | "
            f"{item['total_bytes'] / 1024:.1f} KB | {shown('no_images')} | {shown('images')} | "
            f"{item['html_cache_control'] or '—'} / {'yes' if item['html_etag'] else 'no'} |"
        )
    if isinstance(browser, dict) and "error" in browser:
        lines.append(f"\nBrowser measurement failed: {browser['error']}")
    static_cc = {a["cache_control"] for i in served.values() for a in i["assets"] if "bytes" in a}
    lines.append(f"\nStatic files' Cache-Control: {', '.join(sorted(static_cc)) or '—'}.")
    return "\n".join(lines)


def admin_table(results):
    admin = results.get("admin")
    if not admin:
        return "_Not measured._"
    lines = ["| changelist | queries | median ms (5 runs) | max ms |", "|---|---|---|---|"]
    for item in admin:
        status = "" if item["status"] == 200 else f" (status {item['status']})"
        lines.append(
            f"| {item['label']} `{item['path']}`{status} | {item['queries']} | "
            f"{item['median_ms']:.0f} | {item['max_ms']:.0f} |"
        )
    return "\n".join(lines)


def targets(results):
    """Each target of the performance issue, with the figure that meets or misses it."""
    runs = results.get("runs", {})
    uncached, cached = runs.get("uncached", {}), runs.get("cached", {})
    rows = []

    def verdict(ok):
        return "n/a" if ok is None else ("met" if ok else "**missed**")

    for name in ("list", "detail"):
        p50 = (uncached.get(name) or {}).get("p50")
        rows.append(
            (
                f"{name} p50 ≤ 15 ms uncached",
                f"{_ms(p50)} ms",
                verdict(None if p50 is None else p50 <= 15),
            )
        )
    growth = results.get("growth") or []
    if len(growth) >= 2:
        for name in ("list", "detail"):
            first, last = growth[0].get(name, {}), growth[-1].get(name, {})
            if first.get("p50") and last.get("p50"):
                ratio = last["p50"] / first["p50"]
                rows.append(
                    (
                        f"{name} flat from {growth[0]['publications']:,} to "
                        f"{growth[-1]['publications']:,} (≤ 1.5×)",
                        f"{_ms(first['p50'])} → {_ms(last['p50'])} ms ({ratio:.2f}×)",
                        verdict(ratio <= 1.5),
                    )
                )
    searches = [uncached[n] for n in SEARCH_PAGES if (uncached.get(n) or {}).get("p50")]
    loads = [f"{s['loadavg']:.1f}" for s in searches if s.get("loadavg") is not None]
    publications = results.get("counts", {}).get("publications_publication")
    rows.append(
        (
            "search p50 ≤ 50 ms"
            + (f" at {publications:,} publications" if publications else "")
            + " (common, rare, misspelt word; nothing cached, 1 connection)",
            ", ".join(_ms(s["p50"]) for s in searches)
            + " ms"
            + (f" (load average {', '.join(loads)})" if loads else "")
            if searches
            else "search not installed (404)",
            verdict(max(s["p50"] for s in searches) <= 50 if searches else None),
        )
    )
    rows += instruction_targets(results, verdict)
    rows += latency_targets(runs, verdict)
    floor = (cached.get("floor") or {}).get("rps")
    if floor:
        ratios = {
            n: floor_share(r, floor) for n, r in cached.items() if n != "floor" and r.get("rps")
        }
        worst = min(ratios, key=ratios.get)
        rows.append(
            (
                "anonymous pages with production caching ≥ 50% of floor req/s",
                f"worst {LABELS.get(worst, worst)} {ratios[worst]:.0%}; best "
                f"{max(ratios.values()):.0%} (floor {floor:,.0f} req/s)",
                verdict(ratios[worst] >= 0.5),
            )
        )
    export = results.get("export")
    if export:
        floor_rate = export["copy"]["rows"] / export["copy"]["seconds"]
        for key in ("command", "admin"):
            item = export.get(key)
            if item:
                share = item["rows"] / item["seconds"] / floor_rate
                rows.append(
                    (
                        f"export ({key}) ≥ 25% of COPY rows/s, < 150 MB",
                        f"{share:.0%}, {_mb(item['rss_mb'])}",
                        verdict(share >= 0.25 and item["rss_mb"] < 150),
                    )
                )
    weight = results.get("weight") or {}
    for name, item in (weight.get("served") or {}).items():
        no_images = ((weight.get("browser") or {}).get(name) or {}).get("no_images") or {}
        requests = no_images.get("requests")
        rows.append(
            (
                f"{name}: ≤ 100 KB HTML+CSS+JS compressed, ≤ 10 requests before images",
                f"{item['total_bytes'] / 1024:.1f} KB, {requests} requests",
                verdict(item["total_bytes"] <= 100 * 1024 and (requests is None or requests <= 10)),
            )
        )
    wordpress = wordpress_target(results.get("wordpress"))
    if wordpress:
        name, measured, ok = wordpress
        rows.append((name, measured, verdict(ok)))
    for name, measured, ok in newsletter_targets(results.get("newsletter")):
        rows.append((name, measured, verdict(ok)))
    if results.get("publish_under_load"):
        name, measured, ok = publish_load_target(results["publish_under_load"])
        rows.append((name, measured, verdict(ok)))
    admin = results.get("admin") or []
    if admin:
        over = [item for item in admin if item["median_ms"] >= 500]
        measured = f"{len(admin) - len(over)} of {len(admin)} under 500 ms"
        if over:
            measured += "; " + ", ".join(f"{i['label']} {i['median_ms']:,.0f} ms" for i in over)
        rows.append(("admin changelists < 500 ms (table below)", measured, verdict(not over)))
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def latency_targets(runs, verdict):
    """Issue 15's latency targets. (Its shares of the floor's req/s, ≥ 10 % cold and ≥ 40 %
    after a publish, were withdrawn by issue 21: the instruction targets replace them.)"""
    rows = []
    uncached = runs.get("uncached") or {}
    p50s = {n: (uncached.get(n) or {}).get("p50") for n in COLD_PAGES}
    if any(v is not None for v in p50s.values()):
        rows.append(
            (
                "cold (uncached): home, list, detail, member p50 ≤ 15 ms",
                ", ".join(f"{LABELS.get(n, n)} {_ms(v)} ms" for n, v in p50s.items()),
                verdict(all(v is not None and v <= 15 for v in p50s.values())),
            )
        )
    sitemap = uncached.get("sitemap") or {}
    if sitemap.get("p50") is not None and not sitemap.get("rps"):
        rows.append(("sitemap.xml ≤ 100 ms cold", "no request finished within wrk's run", "n/a"))
    elif sitemap.get("p50") is not None:
        p50 = sitemap["p50"]
        rows.append(("sitemap.xml ≤ 100 ms cold", f"{_ms(p50)} ms", verdict(p50 <= 100)))
    return rows


def explains(results):
    """The heaviest statements of some pages, one line each; the plans are in the run's JSON."""
    lines = [
        "| page | statement | ms in-process | EXPLAIN ANALYZE |",
        "|---|---|---|---|",
    ]
    for name, q in results.get("queries", {}).items():
        for item in q.get("explain", []):
            sql = re.sub(r"\s+", " ", item["sql"]).replace("|", "\\|")
            lines.append(
                f"| {LABELS.get(name, name)} | `{sql[:90]}…` | {item['ms'] * 1000:.1f} | "
                f"{plan_summary(item['plan'])} |"
            )
    return "\n".join(lines) if len(lines) > 2 else "_None captured._"


def plan_summary(plan: str) -> str:
    """Execution time and the top node's buffers of an `EXPLAIN (ANALYZE, BUFFERS)` text."""
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    buffers = re.search(r"Buffers: (shared [^\n]*)", plan)
    parts = [f"{float(execution.group(1)):.1f} ms" if execution else None]
    parts.append(buffers.group(1).strip() if buffers else None)
    return ", ".join(p for p in parts if p) or "—"


def _millions(value):
    return f"{value / 1e6:.2f} M" if value < 10e6 else f"{value / 1e6:.1f} M"


def instruction_ratios(results):
    """{mode: {page: instructions / the layout-only page's}} of the instruction measure."""
    modes = (results.get("instructions") or {}).get("modes", {})
    ratios = {}
    for mode, pages in modes.items():
        layout = (pages.get("layout") or {}).get("instructions")
        ratios[mode] = {
            name: item["instructions"] / layout
            for name, item in pages.items()
            if layout and "instructions" in item
        }
    return ratios


def instruction_targets(results, verdict):
    ratios = instruction_ratios(results)
    rows = []
    for mode, names, limit in INSTRUCTION_TARGETS:
        found = {n: ratios[mode][n] for n in names if n in ratios.get(mode, {})}
        if not found:
            continue
        rows.append(
            (
                f"{MODE_LABELS[mode]}: {', '.join(names)} ≤ {limit}× the layout-only page "
                "(instructions)",
                ", ".join(f"{n} {r:.1f}×" for n, r in found.items()),
                verdict(len(found) == len(names) and max(found.values()) <= limit),
            )
        )
    return rows


def instructions_table(results):
    """Instructions per request and multiples of the layout-only page, per mode."""
    data = results.get("instructions")
    if not data:
        return "_Not measured (--no-instructions)._"
    modes = [m for m in MODE_LABELS if m in data["modes"]]
    ratios = instruction_ratios(results)
    lines = [
        "| page | "
        + " | ".join(f"{MODE_LABELS[m]}: instructions (queries) | × layout" for m in modes)
        + " |",
        "|---|" + "---|---|" * len(modes),
    ]
    names = list(dict.fromkeys(n for m in modes for n in data["modes"][m]))
    for name in names:
        path = next(data["modes"][m][name]["path"] for m in modes if name in data["modes"][m])
        row = [f"{LABELS.get(name, name)} `{path}`"]
        for mode in modes:
            item = data["modes"][mode].get(name) or {}
            if "instructions" not in item:
                row += [f"n/a ({item.get('status', '—')})", "—"]
                continue
            flag = " ⚠" if item["difference"] > AGREEMENT else ""
            row.append(f"{_millions(item['instructions'])} ({item['queries']}){flag}")
            row.append(f"{ratios[mode][name]:.2f}×")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def instructions_agreement(results):
    """The check of the measure: the worst difference between the two windows of a page."""
    items = [
        (item["difference"], mode, name)
        for mode, pages in results["instructions"]["modes"].items()
        for name, item in pages.items()
        if "difference" in item
    ]
    if not items:
        return "no page measured"
    worst, mode, name = max(items)
    over = sum(1 for d, *_ in items if d > AGREEMENT)
    return (
        f"the two windows of each page agree within {worst:.2%} (worst: {LABELS.get(name, name)}, "
        f"{MODE_LABELS[mode]}); {over or 'no'} page{'s' if over != 1 else ''} over the 1 % limit"
    )


def database_table(results):
    """PostgreSQL's side of one request per page and mode (EXPLAIN ANALYZE of each statement)."""
    data = results.get("instructions")
    if not data:
        return "_Not measured (--no-instructions)._"
    modes = [
        mode
        for mode in MODE_LABELS
        if any(
            (item.get("database") or {}).get("statements")
            for item in data["modes"].get(mode, {}).values()
        )
    ]
    if not modes:
        return "_No statements._"
    loads = {
        m: [i["database"]["loadavg"] for i in data["modes"][m].values() if i.get("database")]
        for m in modes
    }
    lines = [
        "| page | "
        + " | ".join(
            f"{MODE_LABELS[m]}: statements, buffers hit + read, execution + planning ms "
            f"(load {min(loads[m]):.1f}–{max(loads[m]):.1f})"
            for m in modes
        )
        + " |",
        "|---|" + "---|" * len(modes),
    ]
    names = list(dict.fromkeys(n for m in modes for n in data["modes"][m]))
    for name in names:
        row = [LABELS.get(name, name)]
        for mode in modes:
            item = data["modes"][mode].get(name) or {}
            db = item.get("database")
            if not db or not item["queries"]:
                row.append("0" if db else "—")
                continue
            # Only SELECTs can be explained; any other statement is counted apart.
            other = item["queries"] - db["statements"]
            row.append(
                f"{db['statements']}{f' (+{other} not explained)' if other else ''}, "
                f"{db['buffers_hit']:,} + {db['buffers_read']:,}, "
                f"{db['execution_ms']:.1f} + {db['planning_ms']:.1f}"
            )
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def instructions_section(results):
    """The instruction measure's part of the report (also printed by bench/instructions.py)."""
    data = results.get("instructions")
    if not data:
        return "### Instructions per request\n\n_Not measured (--no-instructions)._"
    load = ", ".join(f"{x:.1f}" for x in data["loadavg_start"])
    return f"""### Instructions per request (the Django process, cachegrind)

`valgrind --tool=cachegrind --cache-sim=no`, PYTHONHASHSEED={data["hash_seed"]}, the WSGI
application called in-process as gunicorn calls it: (I(2N) − I(N)) / N with N = {data["requests"]}
after {data["warm_up"]} warm-up requests, the parent's work between forks taken off
(bench/instructions.py). × layout: over the layout-only page of the same mode (bench/urls.py:
base.html, an empty content block, no query). Check: {instructions_agreement(results)}.
{data["seconds"] / 60:.0f} min under valgrind (load average at start {load}: the counts do not
depend on it). Queries: statements the request sent (PostgreSQL's work is not counted here).

{instructions_table(results)}

### Database side (PostgreSQL's process)

Each statement of one request run again with `EXPLAIN (ANALYZE, BUFFERS)` (pg_stat_statements is
not loaded on this server): shared buffers of the top plan nodes (stable) and PostgreSQL's
execution and planning time (wall clock, so with the load average).

{database_table(results)}"""


def run_header(results):
    """When, where and how the run was made, one bullet each."""
    m, v, c, args = results["machine"], results["versions"], results["counts"], results["args"]

    def loads(key):
        return ", ".join(f"{x:.2f}" for x in results.get(key, (0, 0, 0)))

    bullets = [
        f"Date: {results['started']}; whole run {results.get('wall_seconds', 0) / 60:.1f} min. "
        f"Command: `{results['command']}`",
        f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['cpu']}; load average at start "
        f"{loads('loadavg_start')}, at end {loads('loadavg_end')} (the cores are shared with "
        "other work: wall-clock figures carry their load average).",
        f"Versions: Python {v['python']}, Django {v['django']}, PostgreSQL {v['postgresql']}, "
        f"{v['gunicorn']}, {v['wrk']}, {v['redis']}, {v['chromium']}.",
        f"Server: {results.get('server', '—')}, `forumasia.wsgi`, DJANGO_DEBUG=0, whitenoise, "
        f"collectstatic'd, 127.0.0.1 only; wrk 2 threads × {args['connections']} connections "
        f"for {args['seconds']:g} s (req/s) after 1 connection for {args['latency_seconds']:g} "
        "s (p50/p99: service time without queueing).",
        "**uncached** (nothing cached) = `bench.settings_uncached`: production settings with "
        "Django's DummyCache, so every `cache.get()` misses and each request does its full "
        "work. **cached** = production settings with "
        f"`REDIS_URL=redis://127.0.0.1:6379/{args.get('redis_db', 12)}`, after 3 warm-up "
        "requests per page. **after a publish** = `bench.settings_after_publish`: the same "
        "with the page cache off, so every request renders its page as the first visitor "
        "after an editor's save would, with the fragments a publish leaves warm (cards, "
        "filter fields, network map).",
        "× floor: the page's req/s over `/robots.txt`'s (full middleware, no database) "
        "measured by the same server just before the page. Queries: counted in-process "
        "(`CaptureQueriesContext`); cold = DummyCache, warm = second request with a "
        "local-memory cache.",
        f"Data: {c['publications_publication']:,} publications (~2% drafts, ~1% scheduled, "
        f"2000–now), {c['publications_signature']:,} signatures, "
        f"{c['taggit_taggeditem']:,} tag links, {c['publications_publication_countries']:,} "
        f"country links, {c['publications_attachment']:,} attachments, "
        f"{c['members_memberorganisation']} members, {c['newsletter_subscriber']:,} subscribers "
        f"({args['subscribers']:,} confirmed), {c['newsletter_subscription']:,} list "
        f"memberships; database {c['database size']}. Search column: "
        f"{results['search_vectors']}.",
        "Load timings: "
        + ", ".join(f"{k} {s:.1f} s" for k, s in results["load_timings"].items())
        + ".",
    ]
    return "\n".join(f"- {bullet}" for bullet in bullets)


def publish_table(results):
    if "publish_under_load" not in results:
        return "Not measured (no Redis)."
    return publish_load_table(results["publish_under_load"])


def render(results):
    return f"""{BEGIN}
## Latest run

{run_header(results)}

### Targets

{targets(results)}

### Pages

{page_table(results)}

{instructions_section(results)}

### Growth (uncached, 1 connection)

{growth_table(results)}

### Export

{export_table(results)}

### Publish under load (bench/publish_load.py)

{publish_table(results)}

### Production: task queue and two app hosts

{production_table(results)}

### WordPress import (bench/wordpress_import.py)

{wordpress_table(results)}

### Sending the newsletter (bench/newsletter_send.py)

{newsletter_table(results.get("newsletter"))}

### Page weight

{weight_table(results)}

### Admin at scale (superuser, uncached server, sequential requests)

{admin_table(results)}

### The heaviest statements (EXPLAIN (ANALYZE, BUFFERS); plans in bench/results/*.json)

{explains(results)}
{END}"""


def write(path: Path, text: str) -> None:
    """Replace the generated block in `path`, keeping everything around it."""
    if path.exists():
        current = path.read_text()
        if BEGIN in current and END in current:
            head, rest = current.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            path.write_text(head + text + tail)
            return
    path.write_text(
        "# Benchmarks\n\nProduced by `make bench` (bench/run.py); the block between the markers "
        "is rewritten on every run, the notes after it are kept.\n\n" + text + "\n"
    )
