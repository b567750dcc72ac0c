"""One canonical address per publication, across every site: what a search engine's crawler
would find, crawling the main site and two sub-sites whose streams overlap (one with a host of
its own, one under /sites/<slug>/) from their robots.txt, through their sitemaps, to every page
listed and every publication those pages link to."""

import json
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.factories import PickFactory, PublicationFactory, SubSiteFactory, country

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DETAIL = re.compile(r"/publications/(?P<slug>[-\w]+)/$")


class Links(HTMLParser):
    """A page's links (<a href>), its <link rel=canonical>, its language alternates
    (<link rel=alternate hreflang>) and the address its structured data names."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.canonical, self.alternates, self.json_ld_urls = [], [], [], []
        self.in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes["href"])
        if tag == "link" and attributes.get("rel") == "alternate" and "hreflang" in attributes:
            self.alternates.append(attributes["href"])
        self.in_json_ld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self.in_json_ld:
            url = json.loads(data).get("url")
            if url:
                self.json_ld_urls.append(url)

    def handle_endtag(self, tag):
        self.in_json_ld = False


def site_of(url):
    """The site an address is on: its origin, and /sites/<slug> for a sub-site without host."""
    parts = urlsplit(url)
    under = re.match(r"^(?:/[a-z]{2})?(/sites/[-\w]+)/", parts.path)
    return f"{parts.scheme}://{parts.netloc}" + (under.group(1) if under else "")


class Crawler:
    """Fetches absolute addresses through the test client, at the host each one names."""

    def __init__(self, client):
        self.client = client

    def get(self, url):
        parts = urlsplit(url)
        response = self.client.get(parts.path, QUERY_STRING=parts.query, HTTP_HOST=parts.netloc)
        assert response.status_code == 200, url
        return response

    def sitemaps_of(self, origin):
        body = self.get(f"{origin}/robots.txt").content.decode()
        return [line.split(": ", 1)[1] for line in body.splitlines() if line.startswith("Sitemap:")]

    def listed(self, sitemap):
        """(sitemap, address) of every address under `sitemap`, an index's sections included."""
        root = ET.fromstring(self.get(sitemap).content)  # noqa: S314 - our own response
        locations = [loc.text for loc in root.iter(f"{SITEMAP}loc")]
        if root.tag == f"{SITEMAP}sitemapindex":
            return [entry for section in locations for entry in self.listed(section)]
        return [(sitemap, location) for location in locations]

    def page(self, url):
        """(canonical address, [absolute addresses of the publications it links to on its own
        site]) of the page at `url`."""
        links = Links()
        response = self.get(url)
        links.feed(response.content.decode())
        assert len(links.canonical) == 1, url
        # The page's language versions and structured data are on its canonical's site: a
        # copy on a sub-site names the main site's addresses, a sub-site's own page its own.
        assert {site_of(alternate) for alternate in links.alternates} <= {
            site_of(links.canonical[0])
        }, url
        if DETAIL.search(url):
            assert links.json_ld_urls == [links.canonical[0]], url
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        addresses = {urljoin(url, href).split("?")[0].split("#")[0] for href in links.hrefs}
        details = [a for a in addresses if a.startswith(origin + "/") and DETAIL.search(a)]
        return links.canonical[0], details, response


def main_address(slug, language):
    with translation.override(language):
        path = reverse(
            "publications:publication-detail", kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF
        )
    return settings.SITE_URL + path


def test_a_crawl_of_every_site_finds_each_publications_canonical_once(client):
    cambodia = country("KH")
    shared = PublicationFactory(slug="shared-statement", type="statement")
    shared.countries.add(cambodia)
    report = PublicationFactory(slug="cambodia-report", type="report")
    report.countries.add(cambodia)
    story = PublicationFactory(slug="picked-story", type="story")
    PublicationFactory(slug="main-only-letter", type="letter")
    PublicationFactory(slug="a-draft", type="statement", status="draft")
    # Statements, and a picked story, on its own host, in English and Thai.
    asean = SubSiteFactory(
        slug="asean",
        host="aseanrights.example.org",
        publication_types=["statement"],
        languages=["en", "th"],
    )
    PickFactory(sub_site=asean, publication=story, is_pinned=True)
    # Everything about Cambodia (the shared statement too), under /sites/cambodia/.
    under_sites = SubSiteFactory(slug="cambodia")
    under_sites.countries.add(cambodia)
    crawler = Crawler(client)

    sitemaps = [
        *crawler.sitemaps_of(settings.SITE_URL),
        *crawler.sitemaps_of(asean.origin),
    ]
    assert f"{settings.SITE_URL}/sites/cambodia/sitemap.xml" in sitemaps
    listed = [entry for sitemap in sitemaps for entry in crawler.listed(sitemap)]
    sitemaps_listing = defaultdict(list)
    for sitemap, address in listed:
        sitemaps_listing[address].append(sitemap)

    # No address is in two sitemaps (nor twice in one).
    assert [a for a, where in sitemaps_listing.items() if len(where) > 1] == []

    canonical_of = defaultdict(set)  # (language, slug) -> the canonical of each copy
    details = set()
    details_on = defaultdict(set)  # site origin -> slugs whose copy there was reached
    for address in sitemaps_listing:
        canonical, linked, _response = crawler.page(address)
        # A sitemap lists canonical addresses only.
        assert canonical == address
        details.update(linked)
        if DETAIL.search(address):
            details.add(address)
    for address in details:
        canonical, _linked, response = crawler.page(address)
        slug = response.resolver_match.kwargs["slug"]
        canonical_of[response["Content-Language"], slug].add(canonical)
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(address))
        site_prefix = "/sites/cambodia/" if "/sites/cambodia/" in address else ""
        details_on[origin + site_prefix].add(slug)

    # Each copy was reached: on the main site every publication, on each sub-site its stream.
    main = settings.SITE_URL
    everything = {"shared-statement", "cambodia-report", "picked-story", "main-only-letter"}
    assert details_on[main] == everything
    assert {"shared-statement", "picked-story"} <= details_on[asean.origin]
    assert {"shared-statement", "cambodia-report"} <= details_on[f"{main}/sites/cambodia/"]
    assert not any("a-draft" in address for address in details)
    for (language, slug), canonicals in canonical_of.items():
        # The same canonical on every site: the main site's address...
        assert canonicals == {main_address(slug, language)}, (language, slug)
        # ...listed in exactly one sitemap across all sites.
        assert len(sitemaps_listing[main_address(slug, language)]) == 1, (language, slug)
    # Every language of every public publication was found.
    assert {slug for _language, slug in canonical_of} == everything
    assert {language for language, _slug in canonical_of} == {"en", "th", "id"}
