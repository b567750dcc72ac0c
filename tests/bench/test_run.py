"""The harness's list of pages (bench/run.py): the bench sub-site's pages beside the main
site's, and the measures that take them."""

from bench import instructions, report, run

MAIN = {
    "home": "/",
    "list": "/publications/",
    "detail": "/publications/a-statement/",
    "search_common": "/search/?q=defenders",
    "rss": "/feeds/rss/",
}


def test_each_sub_site_page_is_the_main_sites_page_of_its_pair_under_the_sub_sites_prefix():
    assert run.sub_site_paths(MAIN, "/sites/bench/") == {
        "sub_home": "/sites/bench/",
        "sub_list": "/sites/bench/publications/",
        "sub_detail": "/sites/bench/publications/a-statement/",
        "sub_search": "/sites/bench/search/?q=defenders",
        "sub_feed": "/sites/bench/feeds/rss/",
    }


def test_the_instruction_counts_take_every_sub_site_page_and_the_main_page_it_is_compared_with():
    for sub, main in run.SUB_SITE_PAGES.items():
        assert sub in instructions.PAGES
        assert main in instructions.PAGES


def test_after_a_publish_measures_the_sub_sites_home_list_and_detail_like_the_main_sites():
    for sub in ("sub_home", "sub_list", "sub_detail"):
        assert sub in run.AFTER_PUBLISH_PAGES
        assert run.SUB_SITE_PAGES[sub] in run.AFTER_PUBLISH_PAGES


def test_the_tables_name_the_sub_sites_pages_as_such():
    for sub in run.SUB_SITE_PAGES:
        assert report.LABELS[sub].startswith("sub-site: ")
