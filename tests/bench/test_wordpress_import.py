"""The WordPress import benchmark's place in `make bench`: its own database, its size under
--quick, and its target row and table in BENCHMARKS.md (no database needed)."""

from bench import report, run, wordpress_import


def run_row(posts, seconds, peak_mb, label="import"):
    return {
        "label": label,
        "posts": posts,
        "file_mb": posts / 250,
        "seconds": seconds,
        "posts_per_s": posts / seconds,
        "peak_mb": peak_mb,
    }


def test_it_imports_into_a_database_of_its_own_named_after_the_bench_database(tmp_path):
    assert wordpress_import.database_for("wpfinish_bench") == "wpfinish_bench_wp"
    env = wordpress_import.django_env(tmp_path, "wpfinish_bench_wp")
    assert env["DATABASE_URL"].endswith("/wpfinish_bench_wp")
    assert env["DJANGO_SETTINGS_MODULE"] == "forumasia.settings"


def test_quick_imports_a_few_hundred_posts_and_the_full_run_ten_thousand():
    assert run.parse_args([]).wordpress_posts == 10_000
    assert run.parse_args(["--quick"]).wordpress_posts == 500


def test_the_target_is_met_in_time_with_flat_memory():
    results = {"runs": [run_row(1_000, 9, 120), run_row(10_000, 80, 125)]}
    name, measured, ok = wordpress_import.target(results)
    assert name == "WordPress import: 10,000 posts < 120 s, memory flat"
    assert ok
    assert "10,000 posts in 80.0 s (125 posts/s)" in measured
    assert "peak RSS 120 MB at 1,000 → 125 MB at 10,000" in measured


def test_the_target_is_missed_when_too_slow_or_memory_grows():
    slow = {"runs": [run_row(1_000, 20, 120), run_row(10_000, 130, 121)]}
    growing = {"runs": [run_row(1_000, 9, 120), run_row(10_000, 80, 300)]}
    assert not wordpress_import.target(slow)[2]
    assert not wordpress_import.target(growing)[2]
    assert wordpress_import.target(None) is None


def test_a_quick_run_is_judged_by_its_estimate_for_ten_thousand():
    # 5.5 s of start-up and images (the 50-post run), then 10 ms a post: 5.5 + 9,950 x 0.01 s.
    quick = {"runs": [run_row(50, 5.5, 110), run_row(500, 10, 111)]}
    _, measured, ok = wordpress_import.target(quick)
    assert ok
    assert "10,000 estimated at ~105 s from the two runs" in measured
    slow = {"runs": [run_row(50, 5.5, 110), run_row(500, 12, 111)]}
    assert not wordpress_import.target(slow)[2]


def test_the_report_has_the_target_row_and_the_table():
    results = {
        "wordpress": {
            "runs": [
                run_row(1_000, 9, 120, "import 1,000 posts"),
                run_row(10_000, 80, 125, "import 10,000 posts"),
                run_row(10_000, 30, 118, "re-run 10,000 (unchanged)"),
            ]
        }
    }
    rows = report.targets(results)
    assert "| WordPress import: 10,000 posts < 120 s, memory flat | 10,000 posts in 80.0 s" in rows
    table = wordpress_import.table(results)
    assert "| import 10,000 posts | 40.0 | 10,000 | 80.0 | 125 | 125 MB |" in table
    assert "re-run 10,000 (unchanged)" in table
    assert wordpress_import.table({}) == "_Not measured (--no-wordpress)._"
