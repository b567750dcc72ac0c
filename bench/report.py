"""Turns the harness's results into the Markdown that goes into BENCHMARKS.md."""

import re
from pathlib import Path

from bench.production import table as production_table
from bench.wordpress_import import table as wordpress_table
from bench.wordpress_import import target as wordpress_target

BEGIN = "<!-- bench:begin (written by bench/run.py; edit outside these markers) -->"
END = "<!-- bench:end -->"

LABELS = {
    "floor": "floor: /robots.txt (no DB)",
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
}
SEARCH_PAGES = ("search_common", "search_rare", "search_typo")
# Issue 15: the pages that must be fast cold and right after a publish.
COLD_PAGES = ("home", "list", "detail", "member")
AFTER_PUBLISH_TARGET_PAGES = ("home", "list", "detail")


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
        + (" after a publish p50 / p99 ms | after a publish req/s | × floor |" if after else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|---|---|" if after else ""),
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
    search = [uncached.get(n, {}).get("p50") for n in SEARCH_PAGES]
    known = [s for s in search if s is not None]
    rows.append(
        (
            "search p50 ≤ 50 ms",
            ", ".join(f"{_ms(s)}" for s in known) + " ms"
            if known
            else "search not installed (404)",
            verdict(max(known) <= 50 if known else None),
        )
    )
    rows += floor_targets(runs, verdict)
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
    for item in results.get("admin") or []:
        rows.append(
            (
                f"admin {item['label']} < 500 ms",
                f"{item['median_ms']:.0f} ms",
                verdict(item["median_ms"] < 500),
            )
        )
    lines = ["| target | measured | |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def floor_targets(runs, verdict):
    """Issue 15's targets, as shares of the floor's req/s measured by the same server."""
    rows = []

    def shares(mode, names):
        run = runs.get(mode) or {}
        floor = (run.get("floor") or {}).get("rps")
        if not floor:
            return None, {}
        return floor, {
            n: floor_share(run[n], floor) for n in names if (run.get(n) or {}).get("rps")
        }

    def row(label, mode, names, share):
        floor, found = shares(mode, names)
        if not found:
            return
        measured = ", ".join(f"{LABELS.get(n, n)} {found[n]:.0%}" for n in names if n in found)
        rows.append(
            (
                label,
                f"{measured} (floor {floor:,.0f} req/s)",
                verdict(len(found) == len(names) and min(found.values()) >= share),
            )
        )

    row("cold (uncached): home, list, detail, member ≥ 10% of floor req/s", "uncached",
        COLD_PAGES, 0.10)  # fmt: skip
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
    row("after a publish (page cache empty, fragments warm): home, list, detail ≥ 40% of floor "
        "req/s", "after_publish", AFTER_PUBLISH_TARGET_PAGES, 0.40)  # fmt: skip
    sitemap = uncached.get("sitemap") or {}
    if sitemap.get("p50") is not None and not sitemap.get("rps"):
        rows.append(("sitemap.xml ≤ 100 ms cold", "no request finished within wrk's run", "n/a"))
    elif sitemap.get("p50") is not None:
        p50 = sitemap["p50"]
        rows.append(("sitemap.xml ≤ 100 ms cold", f"{_ms(p50)} ms", verdict(p50 <= 100)))
    return rows


def explains(results):
    parts = []
    for name, q in results.get("queries", {}).items():
        for item in q.get("explain", []):
            sql = re.sub(r"\s+", " ", item["sql"])
            if len(sql) > 1500:
                sql = sql[:1500] + " …"
            parts.append(
                f"**{LABELS.get(name, name)}** (`{results['pages'][name]}`), "
                f"{item['ms'] * 1000:.1f} ms in-process:\n\n```sql\n{sql}\n```\n\n"
                f"```\n{item['plan']}\n```"
            )
    return "\n\n".join(parts) or "_None captured._"


def render(results):
    m, v = results["machine"], results["versions"]
    counts = results["counts"]
    load_lines = "\n".join(f"- {k}: {s:.1f} s" for k, s in results["load_timings"].items())
    return f"""{BEGIN}
## Latest run

- Date: {results["started"]}; whole run {results.get("wall_seconds", 0) / 60:.1f} min.
- Command: `{results["command"]}`
- Machine: {m["cores"]} cores, {m["memory_gib"]} GiB, {m["cpu"]}; load average at start
  {", ".join(f"{x:.2f}" for x in results["loadavg_start"])}, at end
  {", ".join(f"{x:.2f}" for x in results.get("loadavg_end", (0, 0, 0)))} (other work on the machine
  shares the 2 cores: compare runs only when both are low).
- Versions: Python {v["python"]}, Django {v["django"]}, PostgreSQL {v["postgresql"]},
  {v["gunicorn"]}, {v["wrk"]}, {v["redis"]}, {v["chromium"]}.
- Server: {results.get("server", "—")}, `forumasia.wsgi`, DJANGO_DEBUG=0, whitenoise,
  collectstatic'd, 127.0.0.1 only; wrk 2 threads × {results["args"]["connections"]} connections
  for {results["args"]["seconds"]:g} s (req/s) after 1 connection for
  {results["args"]["latency_seconds"]:g} s (p50/p99: service time without queueing).
- **uncached** = `bench.settings_uncached`: production settings with Django's DummyCache, so
  every `cache.get()` misses (sitemap `cache_page`, the members map, any page cache) and each
  request does its full work. **cached** = production settings with
  `REDIS_URL=redis://127.0.0.1:6379/{results["args"].get("redis_db", 12)}`, after 3 warm-up
  requests per page. **after a publish** = `bench.settings_after_publish`: the same with the
  page cache off, so every request renders its page as the first visitor after an editor's
  save would, with the fragments that a publish leaves warm (cards, filter fields, network map;
  forumasia/fragments.py) filled by the warm-up requests.
- × floor: the page's req/s over `/robots.txt`'s (through the full middleware, no database)
  measured by the same server just before the page (the floor row is its first measurement):
  the machine's speed varies 2× from day to day and drifts within a run, the ratios much less.
- Queries: counted in-process with `django.test.Client` + `CaptureQueriesContext` on the same
  database; cold = DummyCache, warm = second request with a local-memory cache.
- Data: {counts["publications_publication"]:,} publications (~2% drafts, ~1% scheduled, 2000–now),
  {counts["publications_signature"]:,} signatures, {counts["taggit_taggeditem"]:,} tag links,
  {counts["publications_publication_countries"]:,} country links,
  {counts["publications_attachment"]:,} attachments, {counts["members_memberorganisation"]}
  members, {counts["newsletter_subscriber"]:,} subscribers
  ({results["args"]["subscribers"]:,} confirmed), {counts["newsletter_subscription"]:,} list
  memberships; database {counts["database size"]}. Search column: {results["search_vectors"]}.
- Load timings:
{load_lines}

### Targets

{targets(results)}

### Pages

{page_table(results)}

### Growth (uncached, 1 connection)

{growth_table(results)}

### Export

{export_table(results)}

### Production: task queue and two app hosts

{production_table(results)}

### WordPress import (bench/wordpress_import.py)

{wordpress_table(results)}

### Page weight

{weight_table(results)}

### Admin at scale (superuser, uncached server, sequential requests)

{admin_table(results)}

### EXPLAIN (ANALYZE, BUFFERS) of the heaviest queries

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
