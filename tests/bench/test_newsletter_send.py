"""The newsletter sending benchmark's place in `make bench`: its own database, its size under
--quick, and its target rows and table in BENCHMARKS.md (no database needed)."""

from bench import newsletter_send, report, run


def results(rate=250.0, peak=90.0, capped=49.6, signed=1_000):
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
            "dkim_signed": signed,
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
    assert "250/s to 1,000 (DKIM-signed); floor (smtplib → the same server) 1,000/s" in rows[0][1]


def test_the_targets_are_missed_when_slow_unsigned_heavy_or_off_the_cap():
    assert not newsletter_send.targets(results(rate=150))[0][2]
    assert not newsletter_send.targets(results(signed=0))[0][2]
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
