"""Page weight: what a visitor downloads for a page, as served by gunicorn + whitenoise.

Run as `python -m bench.weight BASE_URL '{"home": "/", ...}'` (its own process: Playwright's
sync API runs an event loop that Django's ORM must not share). Prints one JSON object.

- HTML, CSS and JS: fetched with `Accept-Encoding: br, gzip` as a browser would, so the bytes
  are what the server really sends (whitenoise pre-compresses static files; whether the HTML
  is compressed depends on the site). `html_gzip` is what the HTML would weigh gzipped.
- Browser: Debian's Chromium at 390×844 CSS px (device scale 2), empty cache; requests and
  transferred bytes (CDP `encodedDataLength`, headers included), once with images blocked and
  once with them, after the load event and network idle.
"""

import gzip
import json
import re
import shutil
import sys
from urllib.parse import urljoin, urlsplit

from . import server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
ASSET = re.compile(
    r'<(?:link[^>]+rel="stylesheet"[^>]*href|script[^>]+src)="([^"]+)"', re.IGNORECASE
)
ACCEPT = {"Accept-Encoding": "br, gzip"}


def served_weight(base_url, path):
    status, headers, body = server.get(base_url + path, headers=ACCEPT)
    encoding = headers.get("content-encoding", "identity")
    raw = body if encoding == "identity" else None
    html = (
        raw.decode("utf-8", "replace")
        if raw is not None
        else server.get(base_url + path)[2].decode()
    )
    raw_size = len(raw) if raw is not None else len(html.encode())
    assets = []
    for href in dict.fromkeys(ASSET.findall(html)):
        url = urljoin(base_url + path, href)
        if urlsplit(url).hostname != server.HOST:
            assets.append({"url": href, "third_party": True})
            continue
        a_status, a_headers, a_body = server.get(url, headers=ACCEPT)
        assets.append(
            {
                "url": href,
                "status": a_status,
                "bytes": len(a_body),
                "encoding": a_headers.get("content-encoding", "identity"),
                "cache_control": a_headers.get("cache-control", ""),
            }
        )
    return {
        "status": status,
        "html_bytes": len(body),
        "html_raw": raw_size,
        "html_gzip": len(gzip.compress(html.encode(), 6)),
        "html_encoding": encoding,
        "html_cache_control": headers.get("cache-control", ""),
        "html_etag": headers.get("etag", ""),
        "assets": assets,
        "total_bytes": len(body) + sum(a.get("bytes", 0) for a in assets),
    }


def browser_weight(base_url, paths):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        return {"error": "no chromium on PATH (apt-get install -y chromium)"}
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            for name, path in paths.items():
                results[name] = {
                    "no_images": _load(browser, base_url + path, images=False),
                    "images": _load(browser, base_url + path, images=True),
                }
        finally:
            browser.close()
    return results


def _load(browser, url, *, images):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        if not images:
            page.route(
                "**/*",
                lambda route: (
                    route.abort()
                    if route.request.resource_type in ("image", "media")
                    else route.continue_()
                ),
            )
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        sent, finished, failed, hosts = {}, {}, set(), set()

        def on_sent(event):
            request_url = event["request"]["url"]
            if request_url.startswith(("http://", "https://")):
                sent[event["requestId"]] = request_url
                hosts.add(urlsplit(request_url).netloc)

        cdp.on("Network.requestWillBeSent", on_sent)
        cdp.on(
            "Network.loadingFinished",
            lambda event: finished.__setitem__(event["requestId"], event["encodedDataLength"]),
        )
        cdp.on("Network.loadingFailed", lambda event: failed.add(event["requestId"]))
        page.goto(url, wait_until="load", timeout=60_000)
        page.wait_for_load_state("networkidle", timeout=30_000)
        ours = urlsplit(url).netloc
        return {
            "requests": len(set(sent) - failed),
            "bytes": int(sum(finished.get(rid, 0) for rid in sent)),
            "third_party_hosts": sorted(h for h in hosts if h != ours),
        }
    finally:
        context.close()


def main():
    base_url, paths = sys.argv[1], json.loads(sys.argv[2])
    if urlsplit(base_url).hostname != server.HOST:
        raise SystemExit("page weight only against 127.0.0.1")
    served = {name: served_weight(base_url, path) for name, path in paths.items()}
    try:
        browser = browser_weight(base_url, paths)
    except Exception as exc:  # the table says why instead of losing the rest of the run
        browser = {"error": repr(exc)[:300]}
    print(json.dumps({"served": served, "browser": browser}))


if __name__ == "__main__":
    main()
