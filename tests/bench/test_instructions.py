"""The instruction measure's own parts (bench/instructions.py, bench/urls.py and its tables in
bench/report.py): reading cachegrind's files, the N/2N arithmetic, the requests it makes, the
layout-only page it divides by, and what BENCHMARKS.md shows of it."""

from pathlib import Path

import pytest
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from hypothesis import given
from hypothesis import strategies as st

from bench import instructions, report

BASE_DIR = Path(__file__).resolve().parents[2]

# The start and the end of a real file written by
# `valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=…`.
CACHEGRIND_FILE = """desc: I1 cache:         32768 B, 64 B, 8-way associative
desc: D1 cache:         49152 B, 64 B, 12-way associative
desc: LL cache:         536870912 B, 64 B, 2-way associative
cmd: /work/main/.venv/bin/python t.py
events: Ir
fl=./csu/../csu/libc-start.c
fn=__libc_start_main@@GLIBC_2.34
128 2
134 3
fn=???
0 410897
summary: 32513068
"""


def test_the_total_is_read_from_the_summary_line():
    assert instructions.parse_total(CACHEGRIND_FILE) == 32_513_068


def test_a_file_cut_before_its_summary_is_refused_not_read_as_zero():
    truncated = CACHEGRIND_FILE.rsplit("summary", 1)[0]
    with pytest.raises(ValueError, match="no summary line"):
        instructions.parse_total(truncated)


def totals_of(start, fork, cost, requests, first_window_extra=0):
    """What cachegrind reports for the children(requests), forked one after the other from a
    parent at `start` instructions that spends `fork` between two forks."""
    return [
        start + count * cost + index * fork + (first_window_extra if index >= 2 else 0)
        for index, count in enumerate(instructions.children(requests))
    ]


@given(
    start=st.integers(0, 10**11),
    fork=st.integers(0, 10**6),
    cost=st.integers(10**5, 10**9),
    requests=st.integers(1, 50),
)
def test_one_requests_cost_is_recovered_whatever_the_start_and_the_forks_cost(
    start, fork, cost, requests
):
    result = instructions.per_request(totals_of(start, fork, cost, requests), requests)
    assert result["instructions"] == cost
    assert result["check"] == cost
    assert result["difference"] == 0
    assert result["fork"] == fork


def test_windows_that_differ_are_told_apart_by_their_share_of_the_figure():
    # The first window made 5 requests that cost 1,000,000 more in all (200,000 each).
    totals = totals_of(10**9, 20_000, 10**7, 5, first_window_extra=10**6)
    result = instructions.per_request(totals, 5)
    assert result["instructions"] == 10**7
    assert result["check"] == 10**7 + 200_000
    assert result["difference"] == pytest.approx(0.02)


def test_the_children_make_no_request_twice_then_n_and_2n():
    assert instructions.children(5) == (0, 0, 5, 10)


def test_the_database_side_sums_every_statements_times_and_the_top_nodes_buffers():
    plans = [
        {
            "Plan": {"Node Type": "Limit", "Shared Hit Blocks": 120, "Shared Read Blocks": 3},
            "Planning Time": 0.5,
            "Execution Time": 2.25,
        },
        {"Plan": {"Node Type": "Result"}, "Planning Time": 0.25, "Execution Time": 0.5},
    ]
    assert instructions.summarise_plans(plans) == {
        "statements": 2,
        "execution_ms": 2.75,
        "planning_ms": 0.75,
        "buffers_hit": 120,
        "buffers_read": 3,
    }


def test_the_request_is_the_get_a_browser_sends_for_the_path_and_its_query():
    request = WSGIRequest(instructions.wsgi_environ("/publications/?country=AF&tag=a%20b"))
    assert request.method == "GET"
    assert request.path == "/publications/"
    assert request.GET.dict() == {"country": "AF", "tag": "a b"}
    assert request.get_host() == "127.0.0.1"
    assert request.META["HTTP_ACCEPT_ENCODING"] == "gzip"


# Transactional: the application closes the database connection at the end of each request, as
# under gunicorn (the test client keeps it open for the test's transaction).
@pytest.mark.django_db(transaction=True)
def test_a_request_goes_through_the_whole_application_and_gives_its_status():
    application = WSGIHandler()
    assert instructions.get(application, "/robots.txt") == 200
    assert instructions.get(application, "/no-such-page/") == 404


@pytest.mark.django_db
@pytest.mark.urls("bench.urls")
def test_the_layout_only_page_is_the_sites_layout_without_content_or_a_query(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get(instructions.LAYOUT_ONLY_PATH)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    main = html.split('<main id="main" tabindex="-1">', 1)[1].split("</main>", 1)[0]
    assert main.strip() == ""
    assert client.get("/robots.txt").status_code == 200


@pytest.mark.django_db
def test_the_layout_only_page_is_not_an_address_of_the_site(client):
    assert client.get(instructions.LAYOUT_ONLY_PATH).status_code == 404


def page(cost, queries=0, difference=0.001, path="/x/", statements=None):
    item = {"path": path, "status": 200, "instructions": cost, "check": cost}
    item |= {"difference": difference, "fork": 10_000, "queries": queries}
    item["database"] = {
        "statements": queries if statements is None else statements,
        "execution_ms": 1.25 * queries,
        "planning_ms": 0.5 * queries,
        "buffers_hit": 1_000 * queries,
        "buffers_read": queries,
        "loadavg": 1.5,
    }
    return item


def results_with(modes):
    return {
        "instructions": {
            "requests": 5,
            "warm_up": 10,
            "hash_seed": "0",
            "seconds": 600,
            "loadavg_start": (1.0, 1.0, 1.0),
            "modes": modes,
        }
    }


def test_targets_are_multiples_of_the_layout_only_page_of_the_same_mode():
    layout = page(5_000_000, path="/bench/layout-only/")
    results = results_with(
        {
            "after_publish": {
                "layout": layout,
                "home": page(40_000_000, 4),
                "list": page(25_000_000, 3),
                "detail": page(30_000_000, 4),
            },
            "uncached": {
                "layout": layout,
                "home": page(70_000_000, 9),
                "list": page(75_000_000, 8),
                "detail": page(74_000_000, 11),
            },
        }
    )
    rows = report.instruction_targets(results, lambda ok: "met" if ok else "missed")
    assert rows == [
        (
            "after a publish: home, list, detail ≤ 6× the layout-only page (instructions)",
            "home 8.0×, list 5.0×, detail 6.0×",
            "missed",
        ),
        (
            "nothing cached: home, list, detail ≤ 15× the layout-only page (instructions)",
            "home 14.0×, list 15.0×, detail 14.8×",
            "met",
        ),
    ]


def test_the_table_shows_instructions_queries_and_multiples_and_flags_a_failed_check():
    results = results_with(
        {
            "uncached": {
                "floor": page(1_570_000, path="/robots.txt"),
                "layout": page(5_000_000, path="/bench/layout-only/"),
                "list": page(90_100_000, 8, difference=0.013, path="/publications/"),
                "list_page_500": {"path": "/publications/?page=500", "status": 404},
            }
        }
    )
    lines = report.instructions_table(results).splitlines()
    assert lines[0] == "| page | nothing cached: instructions (queries) | × layout |"
    assert lines[2] == "| floor: /robots.txt (no DB) `/robots.txt` | 1.57 M (0) | 0.31× |"
    assert lines[3].endswith("| 5.00 M (0) | 1.00× |")
    assert lines[4] == "| list `/publications/` | 90.1 M (8) ⚠ | 18.02× |"
    assert lines[5] == "| list, page 500 `/publications/?page=500` | n/a (404) | — |"
    assert "within 1.30% (worst: list, nothing cached); 1 page over the 1 % limit" in (
        report.instructions_section(results)
    )


def test_the_database_side_counts_statements_that_could_not_be_explained_apart():
    results = results_with(
        {
            "uncached": {
                "layout": page(5_000_000, path="/bench/layout-only/"),
                "search_typo": page(136_000_000, 11, statements=10),
            }
        }
    )
    lines = report.database_table(results).splitlines()
    assert "(load 1.5–1.5)" in lines[0]
    assert lines[2] == "| layout only: base.html, no query | 0 |"
    assert lines[3] == "| search, typo | 10 (+1 not explained), 11,000 + 11, 13.8 + 5.5 |"


def test_benchmarks_md_keeps_the_latest_run_and_short_findings_within_300_lines():
    text = (BASE_DIR / "BENCHMARKS.md").read_text()
    assert len(text.splitlines()) <= 300
    assert text.count(report.BEGIN) == 1
    assert text.count(report.END) == 1
