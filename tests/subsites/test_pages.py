"""A sub-site's editorial pages (pages/models.py `sub_site`): each site has its own pages at
their own paths (the same path on two sites is two pages), served on that site only, listed in
that site's sitemap only, at an address right wherever it is shown."""

import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError

from pages import services
from pages.models import Page
from tests.factories import PageFactory, SubSiteFactory, publisher

pytestmark = pytest.mark.django_db

HOST = "aseanrights.example.org"
MAIN = "http://127.0.0.1:8000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(response):
    assert response.status_code == 200
    tree = ET.fromstring(response.content)  # noqa: S314 - our own response
    return [loc.text for loc in tree.iter(f"{SITEMAP}loc")]


@pytest.fixture
def sites():
    """A sub-site on its own host, one under /sites/, and a Team page on each and the main
    site, at the same path."""
    hosted = SubSiteFactory(host=HOST, slug="asean")
    under = SubSiteFactory(slug="land")
    for site, title in (
        (None, "Team of the network"),
        (hosted, "Team at ASEAN"),
        (under, "Team for land"),
    ):
        PageFactory(sub_site=site, path="/our-team/", title=title)
    return hosted, under


def test_each_site_serves_its_own_page_at_the_same_path(
    client, sites, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        on_host = client.get("/our-team/", HTTP_HOST=HOST)

    assert "Team at ASEAN" in on_host.content.decode()
    assert "Team for land" in client.get("/sites/land/our-team/").content.decode()
    assert "Team of the network" in client.get("/our-team/").content.decode()
    assert "Team of the network" not in on_host.content.decode()


def test_a_sub_sites_page_is_not_on_the_main_site_nor_on_another_sub_site(client, sites):
    PageFactory(sub_site=sites[0], path="/asean-only/")

    assert client.get("/asean-only/", HTTP_HOST=HOST).status_code == 200
    assert client.get("/asean-only/").status_code == 404
    assert client.get("/sites/land/asean-only/").status_code == 404


def test_a_sub_sites_draft_is_not_served_to_visitors(client, sites):
    PageFactory(sub_site=sites[1], path="/draft/", status="draft")

    assert client.get("/sites/land/draft/").status_code == 404


def test_a_sub_sites_page_links_to_its_address_on_the_sub_sites_origin(sites):
    hosted, under = sites

    assert Page.objects.on_site(hosted).get().get_absolute_url() == f"http://{HOST}/our-team/"
    assert Page.objects.on_site(under).get().get_absolute_url() == f"{MAIN}/sites/land/our-team/"
    assert Page.objects.on_site(None).get(path="/our-team/").get_absolute_url() == "/our-team/"


def test_on_site_names_the_pages_of_one_site(sites):
    hosted, _under = sites

    assert [page.title for page in Page.objects.on_site(hosted)] == ["Team at ASEAN"]
    assert "Team of the network" in [page.title for page in Page.objects.on_site(None)]
    assert "Team at ASEAN" not in [page.title for page in Page.objects.on_site(None)]


def test_a_path_is_unique_on_each_site(sites):
    hosted, _under = sites

    for site in (None, hosted):
        with pytest.raises(ValidationError, match="has a page at this address already"):
            Page(sub_site=site, path="/our-team/", title="Twice").full_clean()


def test_a_sub_sites_page_may_not_take_an_applications_address():
    with pytest.raises(ValidationError, match="belong to the site itself"):
        PageFactory(sub_site=SubSiteFactory(), path="/search/")


def test_a_page_belongs_under_a_page_of_its_own_site(sites):
    hosted, _under = sites
    main_team = Page.objects.on_site(None).get(path="/our-team/")

    page = Page(sub_site=hosted, path="/team/", title="Team", parent=main_team)

    with pytest.raises(ValidationError, match="a page of its own site"):
        page.full_clean()


def test_renaming_a_public_sub_site_page_moves_it_without_a_main_site_redirect(client, sites):
    page = Page.objects.on_site(sites[1]).get()
    page.path = "/who-we-are/"

    services.save_page(page=page, user=publisher())

    assert client.get("/sites/land/who-we-are/").status_code == 200
    assert client.get("/our-team/").status_code == 200  # the main site's own Team page


def test_each_sitemap_lists_its_own_sites_pages_only(client, sites):
    PageFactory(sub_site=sites[0], path="/draft/", status="draft")

    hosted = locations(client.get("/sitemap.xml", HTTP_HOST=HOST))
    under = locations(client.get("/sites/land/sitemap.xml"))
    main = locations(client.get("/sitemap-pages.xml"))

    assert f"http://{HOST}/our-team/" in hosted
    assert f"http://{HOST}/draft/" not in hosted
    assert f"{MAIN}/sites/land/our-team/" in under
    assert not any("/sites/" in url or HOST in url for url in main)
    assert f"{MAIN}/our-team/" in main
