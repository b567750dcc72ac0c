"""The newsletter sending benchmark's place in `make bench`: its own database, its size under
--quick, and its target rows and table in BENCHMARKS.md (no database needed)."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bench import newsletter_send, report, run


def results(rate=250.0, peak=90.0, capped=49.6, signed=1_000, verified=20):
    return {
        "subscribers": 1_000,
        "load_seconds": 2.0,
        "message_bytes": 40_960,
        "floor": {"messages": 5_000, "seconds": 5.0, "rate": 1_000.0},
        "send": {
            "sent": 1_000,
            "seconds": 6.0,
            "sending_seconds": 4.0,
            "rate": rate,
            "peak_mb": peak,
            "rss_first_mb": 80.0,
            "rss_last_mb": 82.0,
            "rss_timeline_mb": [80.0, 81.0, 82.0],
            "dkim_signed": signed,
            "dkim_verified": verified,
            "dkim_sample": 20,
        },
        "capped": {"cap": 50, "rate": capped, "seconds": 19.0, "longest_gap": 0.03},
        "dkim": {"dkimpy_ms": 8.0, "openssl_rsa_ms": 0.4},
        "loadavg": (1.0, 1.0, 1.0),
    }


def test_it_sends_in_a_database_of_its_own_and_quick_sends_to_a_few_thousand():
    assert newsletter_send.database_for("x_bench") == "x_bench_newsletter"
    assert run.parse_args([]).newsletter_subscribers == 100_000
    assert run.parse_args(["--quick"]).newsletter_subscribers == 5_000


def test_the_targets_are_met_fast_flat_signed_and_on_the_cap():
    rows = newsletter_send.targets(results())
    assert [ok for _, _, ok in rows] == [True, True, True]
    assert (
        "250/s to 1,000 (1,000 DKIM-signed, 20 of a sample of 20 verified); floor (smtplib → "
        "the same server) 1,000/s" in rows[0][1]
    )
    assert "peak 90 MB; 80 → 81 → 82 MB from 5 s in to the end" in rows[1][1]


def test_the_targets_are_missed_when_slow_unsigned_heavy_or_off_the_cap():
    assert not newsletter_send.targets(results(rate=150))[0][2]
    assert not newsletter_send.targets(results(signed=0))[0][2]
    assert not newsletter_send.targets(results(signed=999))[0][2]
    assert not newsletter_send.targets(results(verified=19))[0][2]
    assert not newsletter_send.targets(results(peak=200))[1][2]
    assert not newsletter_send.targets(results(capped=47.0))[2][2]
    assert newsletter_send.targets(None) == []


def test_the_report_has_the_target_rows_and_the_table():
    rows = report.targets({"newsletter": results()})
    assert "| newsletter: ≥ 200 messages/s from one worker process, DKIM on | 250/s" in rows
    table = newsletter_send.table(results())
    assert (
        "| `send_newsletter` (one process, no cap), first to last message | 1,000 | 4.0 | 250"
        in table
    )
    assert newsletter_send.table(None) == "_Not measured (--no-newsletter)._"


def test_the_signatures_kept_are_verified_against_the_public_key_and_a_forged_one_is_not():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    message = b"From: a@example.org\r\nSubject: x\r\n\r\nHello\r\n"

    def signed(signing_key):
        pem = signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        return dkim.sign(message, b"bench", b"example.org", pem) + message

    assert newsletter_send.verified([signed(key), signed(other), message], key) == 1


def run_in_own_thread(coroutine):
    """asyncio.run() where this thread may already run an event loop (Playwright's, once the
    browser tests have run in the same session)."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def test_the_sink_keeps_a_sample_of_a_fixed_size_from_the_whole_send():
    sink = newsletter_send.Sink()
    for n in range(500):
        envelope = SimpleNamespace(original_content=b"Subject: %d\r\n\r\nx\r\n" % n)
        run_in_own_thread(sink.handle_DATA(None, None, envelope))
    numbers = [int(m.split(b" ")[1].split(b"\r")[0]) for m in sink.sample]
    assert len(numbers) == newsletter_send.VERIFIED_SAMPLE
    assert max(numbers) >= newsletter_send.VERIFIED_SAMPLE
    sink.reset()
    assert sink.sample == [] and sink.arrivals == []


def test_the_memory_timeline_leaves_start_up_out_and_spans_the_whole_send():
    samples = [1.0] * 10 + [float(mb) for mb in range(100, 200)]
    assert newsletter_send.timeline(samples) == [100.0, 120.0, 140.0, 159.0, 179.0, 199.0]
    assert newsletter_send.timeline([5.0, 90.0]) == [5.0, 90.0]
