import pytest

from oldaddresses.redirects import (
    OldAddress,
    clean_relative,
    feed_for,
    on_this_site,
    parse_old_address,
)
from subsites.models import SubSite
from subsites.routing import urlconf_for


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/some-post/", OldAddress("post", name="some-post")),
        ("/Some-Post", OldAddress("post", name="some-post")),
        ("/2009/10/some-post/", OldAddress("post", name="some-post", year=2009, month=10)),
        (
            "/2009/10/05/some-post",
            OldAddress("post", name="some-post", year=2009, month=10, day=5),
        ),
        ("/category/cambodia/", OldAddress("term", name="cambodia", taxonomy="category")),
        ("/category/asia/cambodia", OldAddress("term", name="cambodia", taxonomy="category")),
        (
            "/category/cambodia/feed/",
            OldAddress("term", name="cambodia", taxonomy="category", feed=True),
        ),
        ("/tag/land-rights/", OldAddress("term", name="land-rights", taxonomy="post_tag")),
        ("/feed/", OldAddress("feed", name="rss")),
        ("/feed", OldAddress("feed", name="rss")),
        ("/feed/atom/", OldAddress("feed", name="atom")),
        ("/wp-content/uploads/2019/05/a.pdf", OldAddress("media", name="2019/05/a.pdf")),
        ("/wp-content/uploads/../wp-config.php", None),
        ("/2009/", OldAddress("year", year=2009)),
        ("/2009/10", OldAddress("year", year=2009)),
        ("/2009/10/05/", OldAddress("year", year=2009)),
        ("/a/b/c/d/", None),
        ("/", None),
        ("no-slash", None),
        ("/nul\x00/", None),
    ],
)
def test_old_addresses_are_recognised(path, address):
    assert parse_old_address(path) == address


@pytest.mark.parametrize(
    ("list_url", "feed"),
    [
        ("/publications/?country=kh", "/feeds/rss/?country=kh"),
        ("/publications/?tag=land-rights", "/feeds/rss/?tag=land-rights"),
        ("/reports/", "/feeds/rss/?type=report"),
        ("/publications/", "/feeds/rss/"),
    ],
)
def test_a_category_feed_follows_the_same_filter(list_url, feed):
    assert feed_for(list_url) == feed


def test_hidden_and_empty_segments_are_refused():
    assert clean_relative(".htaccess") is None
    assert clean_relative("2019//a.jpg") is None
    assert clean_relative("2019/05/a.jpg") == "2019/05/a.jpg"


@pytest.mark.parametrize(
    ("target", "on_the_sub_site"),
    [
        ("/publications/?tag=land-rights", "/sites/asean/publications/?tag=land-rights"),
        ("/reports/", "/sites/asean/reports/"),
        ("/feeds/rss/?country=kh", "/sites/asean/feeds/rss/?country=kh"),
        ("/about-network/history/", "/sites/asean/about-network/history/"),
        # Files have one address on every site.
        ("/media/wordpress/photo.jpg", "/media/wordpress/photo.jpg"),
    ],
)
def test_a_main_site_address_is_read_as_the_same_page_of_a_sub_site(target, on_the_sub_site):
    sub_site = SubSite(slug="asean")
    assert on_this_site(target, urlconf=urlconf_for(sub_site)) == on_the_sub_site
    assert on_this_site(target) == target  # outside a sub-site's request: the main site's
