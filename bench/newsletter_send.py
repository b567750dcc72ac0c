"""Sending the newsletter at scale: `python -m bench.newsletter_send [--subscribers 100000]`.

In a fresh PostgreSQL database on 127.0.0.1 (`--database`, dropped and recreated; its name must
contain 'bench'), with production settings (debug off):

1. loads `--subscribers` confirmed subscribers (plus 5 % pending and 2 % unsubscribed, by COPY:
   bench/load.py) on one list, and an issue of 8 publications to that list;
2. starts a local SMTP server (aiosmtpd, a thread of this process) that accepts every message at
   once and notes when each arrived;
3. the floor: a plain smtplib client in a process of its own sends messages of the issue's size
   to that server over one connection as fast as it takes them — the server's own ceiling on
   this machine, which the sender cannot beat;
4. the send: `manage.py send_newsletter ID` (one process, the worker's code) with DKIM signing
   configured (a fresh 2048-bit key) and no rate cap: messages a second (from the first
   message's arrival to the last's), the whole run's time (start-up and ledger included), and
   the process's resident memory sampled every half second and at its peak;
5. the cap: a second issue to `--rate-recipients` of them with NEWSLETTER_SEND_RATE=50,
   measured from the arrival times (the first 50 left out: the window starts once under way).

`make bench` runs it too (bench/run.py calls `measure()`) in a database of its own named after
the bench database (`<database>_newsletter`).
"""

import argparse
import base64
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

from bench.run import recreate_database
from bench.wordpress_import import drop_database

BASE_DIR = Path(__file__).resolve().parent.parent
DB_NAME = "forumasia_bench_newsletter"
TARGET_RATE = 200
TARGET_MB = 150
CAP = 50
FLOOR_MESSAGES = 5_000
# Messages kept (a uniform sample over the whole send) whose signatures are verified afterwards.
VERIFIED_SAMPLE = 20
# RSS is sampled every half second; the first 5 s are the process starting.
STARTUP_SAMPLES = 10
SETUP = "from bench.newsletter_send import setup; setup({subscribers}, {rate_recipients})"


def setup(subscribers, rate_recipients):
    """In a child process with the bench database: the subscribers and the two issues. Prints
    `issues <sending issue id> <rate issue id>` on its last line."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from bench import load
    from mailings.models import Issue, IssueItem, IssueVariant
    from members.models import Country
    from newsletter.models import MailingList, Subscriber
    from publications.models import Publication

    lists = [
        MailingList.objects.create(slug=f"bench-{n}", name=f"Bench list {n}", position=n)
        for n in range(3)
    ]
    countries = list(Country.objects.values_list("pk", flat=True))
    load._load_subscribers(subscribers, countries, [ml.pk for ml in lists])
    capped = MailingList.objects.create(slug="bench-capped", name="Bench, capped", position=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO newsletter_subscription (subscriber_id, mailing_list_id, subscribed_at)"
            " SELECT id, %s, created_at FROM newsletter_subscriber WHERE status = 'confirmed'"
            " ORDER BY id LIMIT %s",
            [capped.pk, rate_recipients],
        )
        cursor.execute("ANALYZE")
    now = timezone.now()
    publications = [
        Publication.objects.create(
            type="statement",
            title=f"Joint statement on civic space in Asia, number {n}",
            slug=f"bench-statement-{n}",
            standfirst="The undersigned organisations call for the release of human rights "
            "defenders and an end to their harassment.",
            body="<p>Sample body.</p>",
            status="published",
            publish_at=now - timedelta(days=n + 1),
        )
        for n in range(8)
    ]
    ids = []
    for slug, mailing_list in (("bench-issue", lists[0]), ("bench-capped", capped)):
        issue = Issue.objects.create(slug=slug)
        issue.mailing_lists.set([mailing_list])
        IssueVariant.objects.create(
            issue=issue,
            language="en",
            subject="FORUM-ASIA monthly: human rights in Asia",
            preheader="Statements, letters and stories of the month",
            introduction="<p>Dear friends,</p><p>" + "This month in the region. " * 40 + "</p>",
        )
        IssueItem.objects.bulk_create(
            IssueItem(issue=issue, publication=p, position=n) for n, p in enumerate(publications)
        )
        ids.append(issue.pk)
    confirmed = Subscriber.objects.filter(status="confirmed").count()
    print(f"subscribers {confirmed}")
    print(f"issues {ids[0]} {ids[1]}")


class Sink:
    """aiosmtpd's handler: accept at once, note the arrival time and whether it was signed, and
    keep a uniform sample of the messages (reservoir sampling) for their signatures' check."""

    def __init__(self):
        self.arrivals = []
        self.signed = 0
        self.size = 0
        self.sample = []
        self.random = random.Random(23)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content
        with self.lock:
            self.arrivals.append(time.monotonic())
            if b"DKIM-Signature:" in content[:8192]:
                self.signed += 1
            self.size = len(content)
            seen = len(self.arrivals)
            if seen <= VERIFIED_SAMPLE:
                self.sample.append(content)
            else:
                slot = self.random.randrange(seen)
                if slot < VERIFIED_SAMPLE:
                    self.sample[slot] = content
        return "250 OK"

    def reset(self):
        with self.lock:
            self.arrivals, self.signed, self.sample = [], 0, []


def verified(messages, key, *, selector=b"bench"):
    """How many of `messages` carry a DKIM signature that dkimpy verifies against the public
    key of `key`, published (as a DNS TXT record would be) at <selector>._domainkey.<domain>."""
    import dkim
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dnsfunc(name, timeout=5):
        return record if name.startswith(selector + b"._domainkey.") else None

    return sum(bool(dkim.verify(message, dnsfunc=dnsfunc)) for message in messages)


FLOOR_CLIENT = textwrap.dedent(
    """
    import smtplib, sys, time
    port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    body = b"Subject: floor\\r\\n\\r\\n" + (b"x" * 76 + b"\\r\\n") * (size // 78)
    smtp = smtplib.SMTP("127.0.0.1", port)
    for n in range(count):
        smtp.sendmail("floor@example.org", [f"floor{n}@example.org"], body)
    smtp.quit()
    """
)


def django_env(database, key_file, **extra):
    from bench.wordpress_import import django_env as base

    media = Path(tempfile.gettempdir()) / f"{database}-media"
    return {
        **base(media, database),
        "DJANGO_TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "SITE_URL": "https://www.example.org",
        "DEFAULT_FROM_EMAIL": "FORUM-ASIA <newsletter@example.org>",
        "NEWSLETTER_DKIM_KEY_FILE": str(key_file),
        "NEWSLETTER_DKIM_SELECTOR": "bench",
        "NEWSLETTER_DKIM_DOMAIN": "example.org",
        **extra,
    }


def write_key(folder):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = Path(folder) / "dkim.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return path, key


def manage(args, env):
    result = subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_sender(issue_id, env):
    """`manage.py send_newsletter ID`; returns (seconds, peak RSS MB, RSS samples MB, output,
    CPU seconds of the process: what a message costs whatever else the machine runs)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(
            [sys.executable, str(BASE_DIR / "manage.py"), "send_newsletter", str(issue_id)],
            env=env,
            cwd=BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        samples = []
        # Reaped by wait4 rather than poll(), for its ru_maxrss (KB on Linux): the child's own
        # peak, between the samples too.
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            sample = rss_mb(process.pid)
            if sample:
                samples.append(sample)
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"send_newsletter failed:\n{text[-3000:]}")
    peak = max(usage.ru_maxrss / 1024, max(samples or [0]))
    return seconds, peak, samples, text, usage.ru_utime + usage.ru_stime


def timeline(samples, points=6, skip=STARTUP_SAMPLES):
    """`points` of the RSS samples (MB), evenly spaced from the end of start-up (`skip` samples
    in: Python and Django still loading) to the last: flat or not."""
    samples = samples[skip:] if len(samples) > skip + points else samples
    if len(samples) <= points:
        return samples
    return [samples[round(n * (len(samples) - 1) / (points - 1))] for n in range(points)]


def rate_of(arrivals, skip=0):
    window = sorted(arrivals)[skip:]
    if len(window) < 2 or window[-1] == window[0]:
        return 0.0, 0.0
    seconds = window[-1] - window[0]
    return (len(window) - 1) / seconds, seconds


def dkim_costs(key, size):
    """Milliseconds to sign one message of `size` bytes: dkimpy as it signs (its own RSA in
    Python) and the same RSA signature by OpenSSL (cryptography), for the report."""
    import dkim
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    message = b"From: a@example.org\r\nSubject: x\r\n\r\n" + (b"x" * 76 + b"\r\n") * (size // 78)
    started = time.perf_counter()
    for _ in range(20):
        dkim.sign(message, b"bench", b"example.org", pem, include_headers=[b"from", b"subject"])
    dkimpy = (time.perf_counter() - started) / 20 * 1000
    started = time.perf_counter()
    for _ in range(100):
        key.sign(b"digest", padding.PKCS1v15(), hashes.SHA256())
    openssl = (time.perf_counter() - started) / 100 * 1000
    return {"dkimpy_ms": dkimpy, "openssl_rsa_ms": openssl}


def measure(*, subscribers=100_000, rate_recipients=1_000, database=DB_NAME, keep=True):
    from aiosmtpd.controller import Controller

    from tests.s3 import free_port

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, data_size_limit=0)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="forumasia-send-bench-") as temp:
            key_file, key = write_key(temp)
            env = django_env(database, key_file, EMAIL_PORT=str(port), NEWSLETTER_SEND_RATE="0")
            recreate_database(database)
            manage(["migrate", "--noinput", "-v", "0"], env)
            started = time.perf_counter()
            out = manage(
                [
                    "shell",
                    "-c",
                    SETUP.format(subscribers=subscribers, rate_recipients=rate_recipients),
                ],
                env,
            )
            load_seconds = time.perf_counter() - started
            lines = out.strip().splitlines()
            confirmed = int(lines[-2].split()[1])
            issue_id, capped_id = map(int, lines[-1].split()[1:])
            print(
                f"[newsletter] {confirmed:,} subscribers loaded in {load_seconds:.0f} s", flush=True
            )

            # A message of the issue's size, for the floor.
            manage(["send_newsletter", str(issue_id), "--test-to", "size@example.org"], env)
            size = sink.size
            signed_test = sink.signed
            sink.reset()
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", FLOOR_CLIENT, str(port), str(FLOOR_MESSAGES), str(size)],
                check=True,
            )
            floor_seconds = time.perf_counter() - started
            floor_rate, _ = rate_of(sink.arrivals)
            print(f"[newsletter] floor: {floor_rate:,.0f} messages/s", flush=True)
            sink.reset()

            seconds, peak, samples, output, cpu_seconds = run_sender(issue_id, env)
            sent = len(sink.arrivals)
            rate, sending_seconds = rate_of(sink.arrivals)
            signed = sink.signed
            sample = list(sink.sample)
            verified_count = verified(sample, key)
            print(
                f"[newsletter] sent {sent:,} in {seconds:.0f} s: {rate:,.0f} messages/s, "
                f"{cpu_seconds * 1000 / max(sent, 1):.2f} ms of CPU each, "
                f"peak RSS {peak:.0f} MB, DKIM-signed {signed:,}, signatures verified "
                f"{verified_count} of a sample of {len(sample)}",
                flush=True,
            )
            sink.reset()

            capped_env = {**env, "NEWSLETTER_SEND_RATE": str(CAP)}
            run_sender(capped_id, capped_env)
            capped_rate, capped_seconds = rate_of(sink.arrivals, skip=CAP)
            arrivals = sorted(sink.arrivals)
            longest_gap = max(
                (b - a for a, b in zip(arrivals, arrivals[1:], strict=False)), default=0
            )
            print(
                f"[newsletter] capped at {CAP}/s: {capped_rate:.2f} messages/s over "
                f"{capped_seconds:.1f} s",
                flush=True,
            )
    finally:
        controller.stop()
    if not keep:
        drop_database(database)
    quartiles = statistics.quantiles(samples, n=4) if len(samples) >= 4 else samples
    return {
        "subscribers": confirmed,
        "load_seconds": load_seconds,
        "message_bytes": size,
        "floor": {
            "messages": FLOOR_MESSAGES,
            "seconds": floor_seconds,
            "rate": floor_rate,
        },
        "send": {
            "sent": sent,
            "seconds": seconds,
            "sending_seconds": sending_seconds,
            "rate": rate,
            "cpu_ms": cpu_seconds * 1000 / max(sent, 1),
            "peak_mb": peak,
            "rss_first_mb": samples[2] if len(samples) > 2 else None,
            "rss_last_mb": samples[-1] if samples else None,
            "rss_quartiles_mb": quartiles,
            "rss_timeline_mb": timeline(samples),
            "dkim_signed": signed,
            "dkim_signed_test": signed_test,
            "dkim_verified": verified_count,
            "dkim_sample": len(sample),
            "output": output.strip().splitlines()[-1:],
        },
        "capped": {
            "cap": CAP,
            "rate": capped_rate,
            "seconds": capped_seconds,
            "longest_gap": longest_gap,
        },
        "loadavg": os.getloadavg(),
        "dkim": dkim_costs(key, size),
    }


# --- in `make bench` (bench/run.py, bench/report.py) --------------------------------------------


def database_for(bench_database):
    return f"{bench_database}_newsletter"


def targets(results):
    """[(target, measured, ok)] for the benchmark's target table; [] when not measured."""
    if not results:
        return []
    send, capped, floor = results["send"], results["capped"], results["floor"]
    sample = send.get("dkim_sample", 0)
    all_signed = send["sent"] > 0 and send["dkim_signed"] == send["sent"]
    all_verified = sample > 0 and send.get("dkim_verified") == sample
    signing = (
        f"{send['dkim_signed']:,} DKIM-signed, {send.get('dkim_verified', 0)} of a sample of "
        f"{sample} verified"
    )
    return [
        (
            f"newsletter: ≥ {TARGET_RATE} messages/s from one worker process, DKIM on",
            f"{send['rate']:,.0f}/s to {send['sent']:,} ({signing}); floor (smtplib → the same "
            f"server) {floor['rate']:,.0f}/s",
            send["rate"] >= TARGET_RATE and all_signed and all_verified,
        ),
        (
            f"newsletter: worker memory flat, ≤ {TARGET_MB} MB",
            f"peak {send['peak_mb']:.0f} MB; "
            + " → ".join(f"{mb:.0f}" for mb in send.get("rss_timeline_mb") or [])
            + " MB from 5 s in to the end",
            send["peak_mb"] <= TARGET_MB,
        ),
        (
            f"newsletter: cap {capped['cap']}/s held within ±5 %",
            f"{capped['rate']:.2f}/s over {capped['seconds']:.1f} s (longest pause between "
            f"two messages {capped['longest_gap'] * 1000:.0f} ms)",
            abs(capped["rate"] - capped["cap"]) <= capped["cap"] * 0.05,
        ),
    ]


def table(results):
    """The Markdown table for BENCHMARKS.md."""
    if not results:
        return "_Not measured (--no-newsletter)._"
    send, floor, dkim = results["send"], results["floor"], results["dkim"]
    kilobytes = results["message_bytes"] / 1024
    whole_rate = send["sent"] / send["seconds"]
    return "\n".join(
        [
            "| run | messages | seconds | messages/s | peak RSS |",
            "|---|---|---|---|---|",
            f"| floor: smtplib client → the same aiosmtpd server, {kilobytes:.0f} KB messages "
            f"| {floor['messages']:,} | {floor['seconds']:.1f} | {floor['rate']:,.0f} | |",
            f"| `send_newsletter` (one process, no cap), first to last message "
            f"| {send['sent']:,} | {send['sending_seconds']:.1f} | {send['rate']:,.0f} "
            f"| {send['peak_mb']:.0f} MB |",
            f"| the same, whole run (start-up, ledger of {results['subscribers']:,}) "
            f"| {send['sent']:,} | {send['seconds']:.1f} | {whole_rate:,.0f} | |",
            f"| NEWSLETTER_SEND_RATE={results['capped']['cap']} | | "
            f"{results['capped']['seconds']:.1f} | {results['capped']['rate']:.2f} | |",
            "",
            f"The sender at {send['rate'] / floor['rate']:.2f} of the floor, "
            f"{send.get('cpu_ms', 0):.2f} ms of its own CPU a message. DKIM: "
            f"{send['dkim_signed']:,} of {send['sent']:,} messages signed, "
            f"{send.get('dkim_verified', 0)} of a sample of {send.get('dkim_sample', 0)} "
            f"verified by dkimpy against the public key; the RSA signature costs "
            f"{dkim['openssl_rsa_ms']:.2f} ms through OpenSSL (mailings/dkim.py), dkimpy's own "
            f"sign() {dkim['dkimpy_ms']:.1f} ms. Load average at the end "
            f"{', '.join(f'{x:.1f}' for x in results['loadavg'])}.",
        ]
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate-recipients", type=int, default=1_000, help="for the capped run")
    parser.add_argument(
        "--database",
        default=DB_NAME,
        help=f"dropped and recreated; its name must contain 'bench' (default {DB_NAME})",
    )
    args = parser.parse_args(argv)
    if "bench" not in args.database:
        parser.error("--database must name a bench database (its name contains 'bench')")
    results = measure(
        subscribers=args.subscribers,
        rate_recipients=min(args.rate_recipients, args.subscribers),
        database=args.database,
    )
    print(table(results))
    for name, measured, ok in targets(results):
        print(f"{'met' if ok else 'MISSED'}: {name}: {measured}")


if __name__ == "__main__":
    main()
