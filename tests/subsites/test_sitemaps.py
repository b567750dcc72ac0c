"""Each sub-site's sitemap.xml and robots.txt (pages/sitemaps.py, pages/views.py): its own
addresses only, on its own origin, in its languages; the main site's sitemap keeps the
publications, and its robots.txt names the sitemaps of the sub-sites it holds under /sites/."""

import xml.etree.ElementTree as ET

import pytest

from publications import services
from tests.factories import PickFactory, PublicationFactory, SubSiteFactory, publisher

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
HOST = "aseanrights.example.org"
MAIN = "http://127.0.0.1:8000"


def parsed(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 - our own response


def locations(response):
    return [loc.text for loc in parsed(response).iter(f"{SITEMAP}loc")]


def test_a_sub_sites_sitemap_on_its_host_lists_its_home_and_lists_in_its_languages(client):
    sub_site = SubSiteFactory(host=HOST, languages=["en", "th"], publication_types=["statement"])
    PublicationFactory(type="statement", slug="in-the-stream")
    PublicationFactory(type="letter", slug="not-in-the-stream")
    # A pick of another type brings that type's list in.
    PickFactory(sub_site=sub_site, publication=PublicationFactory(type="report"))

    found = locations(client.get("/sitemap.xml", HTTP_HOST=HOST))

    site = f"http://{HOST}"
    assert found == [
        f"{site}/",
        f"{site}/th/",
        f"{site}/publications/",
        f"{site}/th/publications/",
        f"{site}/statements/",
        f"{site}/th/statements/",
        f"{site}/reports/",
        f"{site}/th/reports/",
    ]


def test_a_sub_sites_sitemap_lists_no_publication_and_no_type_it_has_nothing_of(client):
    SubSiteFactory(slug="asean", publication_types=["story"])
    PublicationFactory(type="story", slug="a-story")
    PublicationFactory(type="statement", slug="a-statement")

    found = locations(client.get("/sites/asean/sitemap.xml"))

    assert f"{MAIN}/sites/asean/stories/" in found
    assert not [loc for loc in found if "/statements/" in loc or "/publications/a-" in loc]


def test_a_sub_site_at_a_path_lists_its_addresses_under_it_with_their_languages(client):
    SubSiteFactory(slug="asean")

    urls = parsed(client.get("/sites/asean/sitemap.xml")).findall(f"{SITEMAP}url")

    home = urls[0]
    assert home.find(f"{SITEMAP}loc").text == f"{MAIN}/sites/asean/"
    assert {link.get("hreflang"): link.get("href") for link in home.iter(f"{XHTML}link")} == {
        "en": f"{MAIN}/sites/asean/",
        "th": f"{MAIN}/th/sites/asean/",
        "id": f"{MAIN}/id/sites/asean/",
        "x-default": f"{MAIN}/sites/asean/",
    }
    assert [url.find(f"{SITEMAP}loc").text for url in urls] == [
        f"{MAIN}{language}/sites/asean/{page}"
        for page in ("", "publications/")
        for language in ("", "/th", "/id")
    ]


def test_every_address_a_sub_sites_sitemap_lists_answers(client):
    SubSiteFactory(host=HOST, publication_types=["statement"])
    PublicationFactory(type="statement")

    for location in locations(client.get("/sitemap.xml", HTTP_HOST=HOST)):
        path = location.removeprefix(f"http://{HOST}")
        assert client.get(path, HTTP_HOST=HOST).status_code == 200, location


def test_the_main_sitemaps_sections_are_not_a_sub_sites(client):
    SubSiteFactory(slug="asean")
    SubSiteFactory(host=HOST)
    PublicationFactory()

    assert client.get("/sites/asean/sitemap-publications.xml").status_code == 404
    assert client.get("/sitemap-sections.xml", HTTP_HOST=HOST).status_code == 404
    assert client.get("/sitemap-publications.xml").status_code == 200


def test_the_main_sitemap_lists_no_sub_site_address(client):
    SubSiteFactory(slug="asean", publication_types=["statement"])
    SubSiteFactory(host=HOST, publication_types=["statement"])
    PublicationFactory(type="statement", slug="shared")

    sections = locations(client.get("/sitemap.xml"))
    found = [loc for section in sections for loc in locations(client.get(section))]

    assert f"{MAIN}/publications/shared/" in found
    assert not [loc for loc in found if "/sites/" in loc or HOST in loc]


def test_a_sub_sites_cached_sitemap_is_never_served_for_the_main_site(client):
    SubSiteFactory(slug="asean")
    SubSiteFactory(host=HOST)

    for host, path in ((HOST, "/sitemap.xml"), ("testserver", "/sites/asean/sitemap.xml")):
        assert parsed(client.get(path, HTTP_HOST=host)).tag == f"{SITEMAP}urlset"
        again = client.get(path, HTTP_HOST=host)
        assert again.page_cache == "hit"
        assert parsed(again).tag == f"{SITEMAP}urlset"
    main = client.get("/sitemap.xml")
    assert parsed(main).tag == f"{SITEMAP}sitemapindex"
    assert client.get("/sitemap.xml").page_cache == "hit"
    # And the main site's, cached, is never served for a sub-site.
    assert parsed(client.get("/sitemap.xml", HTTP_HOST=HOST)).tag == f"{SITEMAP}urlset"


def test_a_publish_brings_a_new_type_into_every_sub_sites_cached_sitemap(client, commit):
    SubSiteFactory(host=HOST, publication_types=["report"])
    report = PublicationFactory(type="report", status="draft")
    before = locations(client.get("/sitemap.xml", HTTP_HOST=HOST))
    assert f"http://{HOST}/reports/" not in before

    services.publish(publications=[report], user=publisher())
    commit()

    assert f"http://{HOST}/reports/" in locations(client.get("/sitemap.xml", HTTP_HOST=HOST))


def test_a_sub_sites_sitemap_costs_a_few_queries_whatever_its_stream(
    client, django_assert_max_num_queries
):
    sub_site = SubSiteFactory(host=HOST, publication_types=["statement", "report"])
    for publication in PublicationFactory.create_batch(12, type="story"):
        PickFactory(sub_site=sub_site, publication=publication)
    PublicationFactory.create_batch(12, type="statement")

    with django_assert_max_num_queries(5):
        assert client.get("/sitemap.xml", HTTP_HOST=HOST).status_code == 200


# --- robots.txt -----------------------------------------------------------------------------------


def sitemap_lines(response):
    assert response.status_code == 200
    return [line for line in response.content.decode().splitlines() if line.startswith("Sitemap:")]


def test_robots_txt_on_a_sub_sites_host_keeps_the_rules_and_names_its_own_sitemap(client):
    SubSiteFactory(host=HOST)

    response = client.get("/robots.txt", HTTP_HOST=HOST)

    assert "Disallow: /admin/" in response.content.decode()
    assert "Disallow: /newsletter/manage/" in response.content.decode()
    assert sitemap_lines(response) == [f"Sitemap: http://{HOST}/sitemap.xml"]


def test_the_main_robots_txt_names_the_sitemaps_of_the_sub_sites_under_sites(client):
    SubSiteFactory(slug="youth")
    SubSiteFactory(slug="asean")
    SubSiteFactory(slug="own-host", host=HOST)

    assert sitemap_lines(client.get("/robots.txt")) == [
        "Sitemap: http://testserver/sitemap.xml",
        "Sitemap: http://testserver/sites/asean/sitemap.xml",
        "Sitemap: http://testserver/sites/youth/sitemap.xml",
    ]


def test_a_sub_site_under_sites_has_no_robots_txt_of_its_own(client):
    # Crawlers read robots.txt at a host's root only: the main site's speaks for it.
    SubSiteFactory(slug="asean")

    assert client.get("/sites/asean/robots.txt").status_code == 404
