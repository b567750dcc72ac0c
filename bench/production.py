"""Measurements of the production set-up (issue: production on more than one machine).

- `measure_signup`: the newsletter sign-up request's latency with the task queue (the email is
  queued, not sent: an SMTP server on loopback counts what reaches it during the requests), and
  for comparison with the email sent inside the request (immediate backend).
- `measure_export_task`: the export of every confirmed subscriber as a task: queued the way the
  admin queues it, run by `manage.py db_worker --batch`; time and peak RSS of the worker.
- `measure_hosts`: list-page req/s of two app hosts against one, on this same machine (two wrk
  clients, one per host, each with half the connections, their req/s added up).

All servers listen on 127.0.0.1 only; every loop is bounded.
"""

import re
import statistics
import subprocess
import sys
import threading
import time

import requests

from bench import server

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# How long the stand-in mail server takes to accept a message: a remote SMTP server over TLS
# answers in a few hundred milliseconds; on loopback it would take none.
SMTP_DELAY_SECONDS = 0.3


class Mailbox:
    """An SMTP server on loopback that counts the messages it receives, each accepted after
    SMTP_DELAY_SECONDS as a remote server would."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        self.count = 0
        mailbox = self

        class Count(Message):
            def handle_message(self, message):
                time.sleep(SMTP_DELAY_SECONDS)
                mailbox.count += 1

        self.controller = Controller(Count(), hostname=server.HOST, port=server.free_port())

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def _signups(url, count, prefix):
    """`count` sign-ups one after the other, each by a new visitor; their latencies in ms."""
    latencies = []
    for number in range(count):
        page = requests.get(url + "/newsletter/", timeout=30)
        form = page.text
        token = CSRF_FIELD.search(form).group(1)
        default_list = re.search(r'name="lists" value="([^"]+)"', form).group(1)
        started = time.perf_counter()
        # The CSRF cookie is marked Secure (production settings) and this is plain HTTP on
        # loopback: it is sent back by hand, as a browser would over HTTPS.
        response = requests.post(
            url + "/newsletter/",
            cookies=page.cookies.get_dict(),
            data={
                "csrfmiddlewaretoken": token,
                "email": f"{prefix}{number}@example.org",
                "consent": "on",
                "lists": default_list,
            },
            headers={"X-Forwarded-For": f"10.{number // 250}.{number % 250}.1"},
            timeout=60,
        )
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"sign-up answered {response.status_code}")
    return latencies


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def measure_signup(env, *, count=50):
    results = {}
    for mode, backend in (("queue", "database"), ("in request", "immediate")):
        with Mailbox() as mailbox:
            mode_env = {
                **env,
                "DJANGO_TASKS_BACKEND": backend,
                "EMAIL_HOST": server.HOST,
                "EMAIL_PORT": str(mailbox.controller.port),
                # The bench's requests come from one address: count each as its own client.
                "DJANGO_TRUSTED_PROXIES": "1",
            }
            with server.Gunicorn(mode_env, workers=2) as gunicorn:
                latencies = _signups(gunicorn.url, count, f"bench-{backend}-{time.time_ns()}-")
            sent = mailbox.count
        results[mode] = {
            "count": count,
            "p50": statistics.median(latencies),
            "p99": _percentile(latencies, 0.99),
            "emails_during_requests": sent,
        }
        print(f"[signup] {mode}: p50 {results[mode]['p50']:.1f} ms, {sent} emails sent", flush=True)
    return results


def measure_export_task(env, *, expected_rows):
    """Queue the export of confirmed subscribers, then run one worker until the queue is empty."""
    from bench.measure import run_with_rusage

    queue_env = {**env, "DJANGO_TASKS_BACKEND": "database"}
    enqueue = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", EXPORT_TASK],
        cwd=server.BASE_DIR, env=queue_env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    if enqueue.returncode != 0:
        return {"error": enqueue.stderr[-500:]}
    export_id = enqueue.stdout.split()[-1]
    seconds, rss = run_with_rusage(
        [sys.executable, "manage.py", "db_worker", "--batch", "--queue-name", "*",
         "--no-startup-delay", "--no-reload"],
        env=queue_env, stdout_path="/dev/null",
    )  # fmt: skip
    check = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c",
         EXPORT_RESULT.format(export_id=export_id)],
        cwd=server.BASE_DIR, env=queue_env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    rows = int(check.stdout.split()[-1]) if check.returncode == 0 else None
    result = {"rows": rows, "seconds": seconds, "rss_mb": rss, "expected_rows": expected_rows}
    print(f"[export task] {rows} rows in {seconds:.1f} s, worker peak {rss:.0f} MB", flush=True)
    return result


# Queues an export file the way the admin's "Prepare file" does (all confirmed subscribers).
EXPORT_TASK = """
from django.contrib.auth.models import User
from newsletter.exports import request_export_file
user = User.objects.filter(is_superuser=True, is_active=True).first()
export = request_export_file(query="status__exact=confirmed", fmt="csv", user_id=user.pk)
print(export.pk)
"""
EXPORT_RESULT = """
from newsletter.models import SubscriberExport
export = SubscriberExport.objects.get(pk={export_id})
print(export.row_count if export.file_state == "ready" else 0)
"""


def _wrk_together(urls, *, seconds, connections):
    """One wrk per URL at the same time, `connections` split between them; summed req/s."""
    results = [None] * len(urls)

    def run(index, url):
        results[index] = server.wrk(
            url, seconds=seconds, connections=max(1, connections // len(urls)), threads=1
        )

    threads = [threading.Thread(target=run, args=item) for item in enumerate(urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "rps": sum(r["rps"] or 0 for r in results),
        "errors": sum(r["errors"] for r in results),
        "p50": max(r["p50"] or 0 for r in results),
    }


def measure_hosts(env, path, *, workers, seconds, connections):
    """The list page: one host, then two hosts sharing the database and Redis."""
    results = {}
    with server.Gunicorn(env, workers=workers) as one:
        server.get(one.url + path)
        results["one"] = _wrk_together([one.url + path], seconds=seconds, connections=connections)
    with server.Gunicorn(env, workers=workers) as a, server.Gunicorn(env, workers=workers) as b:
        for host in (a, b):
            server.get(host.url + path)
        results["two"] = _wrk_together(
            [a.url + path, b.url + path], seconds=seconds, connections=connections
        )
    results["ratio"] = (
        results["two"]["rps"] / results["one"]["rps"] if results["one"]["rps"] else None
    )
    results["workers_per_host"] = workers
    print(
        f"[hosts] {path}: one {results['one']['rps']:.0f} req/s, two "
        f"{results['two']['rps']:.0f} req/s ({results['ratio']:.2f}×)",
        flush=True,
    )
    return results


def table(results):
    production = results.get("production")
    if not production:
        return "_Not measured._"
    lines = ["| measurement | result |", "|---|---|"]
    for mode, item in (production.get("signup") or {}).items():
        lines.append(
            f"| sign-up request, email {mode} ({item['count']} sign-ups, 1 at a time; mail "
            f"server accepting in {SMTP_DELAY_SECONDS * 1000:.0f} ms) | "
            f"p50 {item['p50']:.1f} ms, p99 {item['p99']:.1f} ms; "
            f"{item['emails_during_requests']} emails reached SMTP during the requests |"
        )
    export = production.get("export_task")
    if export:
        if "error" in export:
            lines.append(f"| export as a task | failed: {export['error']} |")
        else:
            rate = export["rows"] / export["seconds"] if export.get("rows") else 0
            lines.append(
                f"| export of {export['expected_rows']:,} confirmed subscribers as a task "
                f"(`db_worker --batch`) | {export['rows']:,} rows in {export['seconds']:.1f} s "
                f"({rate:,.0f} rows/s), worker peak RSS {export['rss_mb']:.0f} MB |"
            )
    for mode, item in (production.get("hosts") or {}).items():
        lines.append(
            f"| list page, {mode}: two app hosts against one ({item['workers_per_host']} workers "
            f"each, same machine) | {item['one']['rps']:,.0f} → {item['two']['rps']:,.0f} req/s "
            f"({item['ratio']:.2f}×) |"
        )
    return "\n".join(lines)
