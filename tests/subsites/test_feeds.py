"""A sub-site's RSS and Atom feeds: its stream only, named after it, each item linking to its
one address on the main site."""

import xml.etree.ElementTree as ET

import pytest

from subsites.routing import directory
from tests.factories import (
    MemberOrganisationFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
)

pytestmark = pytest.mark.django_db

MAIN = "http://127.0.0.1:8000"  # SITE_URL in tests
HOST = "aseanrights.example.org"
ATOM = "{http://www.w3.org/2005/Atom}"


def rss(client, path, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own response
    return channel, channel.findall("item")


@pytest.fixture
def asean():
    return SubSiteFactory(name="ASEAN advocacy", slug="asean", publication_types=["report"])


def test_a_sub_sites_feed_holds_its_stream_only(client, asean):
    PublicationFactory(type="report", title="A report in the stream")
    PickFactory(sub_site=asean, publication=PublicationFactory(title="A picked statement"))
    PublicationFactory(type="statement", title="A statement outside it")

    _channel, items = rss(client, "/sites/asean/feeds/rss/")
    _main, main_items = rss(client, "/feeds/rss/")

    assert {item.findtext("title") for item in items} == {
        "A report in the stream",
        "A picked statement",
    }
    assert len(main_items) == 3


def test_a_sub_sites_feed_is_named_after_it_and_links_items_to_the_main_site(client, asean):
    PublicationFactory(type="report", slug="a-report", countries=[country("TH")])

    channel, items = rss(client, "/sites/asean/feeds/rss/", data={"country": "th"})

    assert channel.findtext("title") == "ASEAN advocacy — Thailand"
    assert channel.findtext("link") == f"{MAIN}/sites/asean/publications/?country=th"
    assert items[0].findtext("link") == f"{MAIN}/publications/a-report/"
    assert items[0].findtext("guid") == f"{MAIN}/publications/a-report/"


def test_a_sub_sites_atom_feed_at_its_own_host(client):
    sub_site = SubSiteFactory(name="Mekong watch", host=HOST, publication_types=["report"])
    PickFactory(sub_site=sub_site, publication=PublicationFactory(slug="picked"))
    PublicationFactory(type="statement", title="Not on the Mekong")

    response = client.get("/feeds/atom/", HTTP_HOST=HOST)

    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    entries = root.findall(f"{ATOM}entry")
    assert root.findtext(f"{ATOM}title") == "Mekong watch — Latest publications"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {
        "alternate": f"http://{HOST}/publications/",
        "self": f"http://{HOST}/feeds/atom/",
    }
    assert [entry.find(f"{ATOM}link").get("href") for entry in entries] == [
        f"{MAIN}/publications/picked/"
    ]


def test_a_sub_sites_feed_holds_the_feeds_query_budget(client, django_assert_max_num_queries):
    sub_site = SubSiteFactory(slug="asean", publication_types=["report"])
    sub_site.countries.add(country("TH"))
    member = MemberOrganisationFactory()
    for _ in range(30):
        PublicationFactory(
            type="report", tags=["A", "B"], signatories=[member], countries=[country("TH")]
        )
    # The routing reads the sub-sites once per content version in each process, not per feed.
    directory.current()

    with django_assert_max_num_queries(6):
        _channel, items = rss(client, "/sites/asean/feeds/rss/", data={"country": "th", "tag": "a"})

    assert len(items) == 30
