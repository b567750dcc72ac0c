import io
import tracemalloc

import pytest

from wordpress.wxr import WXRError, iter_items, scan

from .conftest import KHMER, export_xml, forum_asia_items, item_xml


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read_with_its_items_and_indexes(version):
    result = scan(io.BytesIO(export_xml(forum_asia_items(), version=version)))
    assert result.site.version == version
    assert result.site.url == "https://www.forum-asia.org"
    assert result.item_count == len(forum_asia_items())
    assert result.attachments[201].alt == "Nine defenders outside the court in Phnom Penh"
    assert result.attachments[201].parent_id == 101
    assert result.page_path(121) == "/about-network/history/"
    assert {(t.taxonomy, t.slug) for t in result.terms} == {
        ("category", "cambodia"),
        ("category", "reports"),
        ("post_tag", "land-rights"),
    }
    assert result.ignored == {"comments": 2, "authors": 1}


def test_items_keep_text_categories_meta_and_decoded_slugs():
    items = {item.wp_id: item for item in iter_items(io.BytesIO(export_xml(forum_asia_items())))}
    statement = items[101]
    assert statement.title.startswith("[Joint Statement] Cambodia:")
    assert KHMER in statement.content
    assert statement.meta["_thumbnail_id"] == "201"
    assert [(c.domain, c.slug) for c in statement.categories] == [
        ("category", "cambodia"),
        ("post_tag", "land-rights"),
    ]
    assert statement.published_at.isoformat() == "2019-05-14T03:00:00+00:00"
    assert items[113].slug == "แถลง"
    assert items[105].published_at is None


def test_titles_with_html_entities_are_unescaped():
    xml = export_xml([{"wp_id": 1, "title": "Rights &amp; freedoms &#8211; 2019"}])
    (item,) = iter_items(io.BytesIO(xml))
    assert item.title == "Rights & freedoms – 2019"


WXR_12 = b'<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"Hello, this is a text file.", "Not an XML file"),
        (b"%PDF-1.4\n\x00\x01\x02", "Not a readable XML file"),
        (b"<html><body>A web page</body></html>", "not an RSS document"),
        (
            b'<?xml version="1.0"?><rss><channel><title>A blog feed</title><item>'
            b"<title>Post</title></item></channel></rss>",
            "no wp: elements",
        ),
        (WXR_12 + b"<wp:wxr_version>1.2</wp:wxr_version><item><title>Cut", "truncated"),
        (export_xml(forum_asia_items())[:-200], "truncated"),
        (export_xml(forum_asia_items(), version="1.3"), "Unknown WXR version 1.3"),
        (
            WXR_12.replace(b"1.2/", b"1.2/") + b"<wp:wxr_version>2.0</wp:wxr_version>"
            b"<link>https://x.example</link></channel></rss>",
            "Unknown WXR version 2.0",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel>&b;</channel></rss>',
            "Refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel>&x;</channel></rss>",
            "Refused",
        ),
    ],
    ids=[
        "empty",
        "text",
        "binary",
        "html",
        "plain-rss",
        "truncated-in-tag",
        "truncated-export",
        "wxr-1.3",
        "wxr-version-element",
        "entity-expansion",
        "external-entity",
    ],
)
def test_bad_input_is_one_line_error(data, message):
    with pytest.raises(WXRError) as error:
        scan(io.BytesIO(data))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_an_item_without_an_id_makes_the_export_incomplete():
    xml = export_xml(["<item><title>No id</title></item>"])
    with pytest.raises(WXRError, match="no wp:post_id"):
        scan(io.BytesIO(xml))


def test_memory_stays_flat_however_many_items():
    """Items are dropped from the tree once read: ten times the items, about the same peak."""

    def peak(count):
        body = "A paragraph of the statement. " * 60
        xml = export_xml(
            [item_xml(wp_id=n, title=f"Post {n}", content=body) for n in range(1, count)]
        )
        tracemalloc.start()
        for _ in iter_items(io.BytesIO(xml)):
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak, len(xml)

    small, small_size = peak(200)
    large, large_size = peak(2000)
    assert large_size > 9 * small_size
    # The file itself is in memory here (BytesIO); the parser must not add a tree of it.
    assert large < small + 1.5 * (large_size - small_size) + 512 * 1024


# --- the namespaces WordPress's own importer accepts --------------------------------------------


@pytest.mark.parametrize(
    ("namespace", "excerpt"),
    [
        ("https://wordpress.org/export/1.2/", "https://wordpress.org/export/1.2/excerpt/"),
        ("http://wordpress.org/export/1.2", "http://wordpress.org/export/1.2/excerpt"),
        ("https://wordpress.com/export/1.2/", "https://wordpress.com/export/1.2/excerpt/"),
        ("urn:x-wordpress:export", "urn:x-wordpress:excerpt"),
    ],
    ids=["https", "no-trailing-slash", "wordpress.com", "any-uri"],
)
def test_an_export_is_read_whatever_uri_the_wp_prefix_is_bound_to(namespace, excerpt):
    xml = export_xml(forum_asia_items(), namespace=namespace, excerpt=excerpt)

    result = scan(io.BytesIO(xml))
    items = list(iter_items(io.BytesIO(xml)))

    assert result.site.version == "1.2" and result.site.url == "https://www.forum-asia.org"
    assert len(items) == result.item_count == len(forum_asia_items())
    first = items[0]
    assert first.wp_id == 101 and first.status == "publish" and first.slug
    assert first.excerpt.startswith("<p>Sample: the network calls")
    assert [term.slug for term in result.terms][:2] == ["cambodia", "reports"]


def test_an_export_naming_no_version_anywhere_is_refused():
    xml = export_xml(forum_asia_items(), namespace="https://wordpress.com/export/", version="1.0")

    with pytest.raises(WXRError, match="names no WXR version"):
        scan(io.BytesIO(xml))


@pytest.mark.parametrize("version", ["0.9", "1.3", "2.0"])
def test_an_unknown_version_is_refused_whatever_the_uri(version):
    xml = export_xml(forum_asia_items(), namespace="https://wordpress.com/export/", version=version)

    with pytest.raises(WXRError, match=f"Unknown WXR version {version}"):
        scan(io.BytesIO(xml))


def test_the_post_password_is_read():
    xml = export_xml([{"wp_id": 7, "title": "Members only", "password": "s3cret"}])

    (item,) = iter_items(io.BytesIO(xml))

    assert item.password == "s3cret"
