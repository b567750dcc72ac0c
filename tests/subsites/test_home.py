"""A sub-site's home and the look of its pages (pages/views.py SubSiteHomeView, base.html,
templates/includes/sub_site_*.html, subsites/stylesheet.py)."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from subsites import demo
from subsites.models import SubSite
from tests.factories import (
    MailingListFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
)

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def ago(hours):
    return timezone.now() - timedelta(hours=hours)


def test_pinned_picks_come_first_in_the_editors_order_then_the_latest_of_its_stream(client):
    sub_site = SubSiteFactory(slug="asean", publication_types=["statement"])
    newest = PublicationFactory(title="Newest statement", publish_at=ago(1))
    older = PublicationFactory(title="Older statement", publish_at=ago(5))
    second = PublicationFactory(title="Pinned second", type="report", publish_at=ago(30))
    first = PublicationFactory(title="Pinned first", type="story", publish_at=ago(40))
    PickFactory(sub_site=sub_site, publication=second, is_pinned=True, position=2)
    PickFactory(sub_site=sub_site, publication=first, is_pinned=True, position=1)

    response = client.get("/sites/asean/")

    assert response.context["pinned"] == [first, second]
    assert response.context["latest"] == [newest, older]
    page = html(response)
    order = [page.index(title) for title in ("Pinned first", "Pinned second", "Newest statement")]
    assert order == sorted(order)


def test_a_sub_sites_home_shows_only_its_stream_and_public_items(client):
    sub_site = SubSiteFactory(slug="asean")
    sub_site.countries.set([country("TH")])
    PublicationFactory(title="About Thailand", countries=[country("TH")])
    PublicationFactory(title="About Nepal", countries=[country("NP")])
    PublicationFactory(title="A Thai draft", countries=[country("TH")], status="draft")

    page = html(client.get("/sites/asean/"))

    assert "About Thailand" in page
    assert "About Nepal" not in page
    assert "A Thai draft" not in page


def test_its_cards_lead_to_its_own_copies_even_after_the_main_site_showed_them(client):
    SubSiteFactory(slug="asean", publication_types=["report"])
    PublicationFactory(title="The lead", is_featured=True)
    PublicationFactory(title="A report", type="report", slug="a-report")
    assert 'href="/publications/a-report/"' in html(client.get("/"))  # a card there

    page = html(client.get("/sites/asean/"))

    assert 'href="/sites/asean/publications/a-report/"' in page


def test_a_sub_sites_pages_show_its_name_lists_and_the_way_to_the_main_site(client):
    SubSiteFactory(
        slug="asean",
        name="ASEAN advocacy",
        short_name="ASEAN",
        introduction="<p>Holding ASEAN to its charter.</p>",
        publication_types=["statement", "letter"],
    )

    page = html(client.get("/sites/asean/"))

    assert '<h1 id="sub-site-title">ASEAN advocacy</h1>' in page
    assert "Holding ASEAN to its charter." in page
    assert f'href="{settings.SITE_URL}/">Part of FORUM-ASIA</a>' in page
    assert 'href="/sites/asean/statements/"' in page
    assert 'href="/sites/asean/letters/"' in page
    assert 'href="/sites/asean/stories/"' not in page  # a type it does not show
    assert 'href="/sites/asean/search/"' in page
    assert 'href="/members/"' not in page  # not the main site's menu


def test_its_accent_colour_comes_from_a_stylesheet_of_its_own_not_inline(client):
    SubSiteFactory(slug="asean", accent_colour="#1d4e89")

    page = html(client.get("/sites/asean/"))
    stylesheet = client.get("/sites/asean/accent.css")

    assert 'href="/sites/asean/accent.css?v=' in page
    assert "style=" not in page
    assert "<style" not in page
    assert stylesheet.status_code == 200
    assert stylesheet["Content-Type"].startswith("text/css")
    assert "--sub-site-accent: #1d4e89;" in stylesheet.content.decode()
    assert "public" in stylesheet["Cache-Control"]


def test_the_main_site_has_no_accent_stylesheet(client):
    assert client.get("/accent.css").status_code == 404


def test_the_sign_up_on_a_sub_site_comes_with_its_list_ticked(client):
    MailingListFactory(slug="e-newsletter", is_default=True)
    SubSiteFactory(slug="asean", mailing_list=MailingListFactory(slug="asean-updates"))

    page = html(client.get("/sites/asean/"))
    assert '<input type="hidden" name="lists" value="asean-updates">' in page

    full_form = html(
        client.post("/newsletter/start/", {"email": "reader@example.org", "lists": "asean-updates"})
    )
    assert 'name="lists" value="asean-updates" id="id_lists_1" checked>' in full_form
    assert 'name="lists" value="e-newsletter" id="id_lists_0">' in full_form


def test_an_archived_sub_site_says_so_on_every_page_and_offers_no_sign_up(client):
    SubSiteFactory(slug="old", is_archived=True, mailing_list=MailingListFactory())

    for address in ("/sites/old/", "/sites/old/publications/", "/sites/old/search/?q=land"):
        page = html(client.get(address))
        assert "This campaign has ended; its pages are kept as an archive." in page, address
        assert 'name="email"' not in page, address


def test_a_live_sub_site_shows_no_archive_banner(client):
    SubSiteFactory(slug="asean", mailing_list=MailingListFactory())

    page = html(client.get("/sites/asean/"))

    assert "kept as an archive" not in page
    assert 'name="email"' in page


def test_a_sub_site_answers_only_in_its_languages_and_offers_only_those(client):
    SubSiteFactory(slug="asean", languages=["en", "th"])

    page = html(client.get("/sites/asean/"))

    assert client.get("/th/sites/asean/").status_code == 200
    assert client.get("/id/sites/asean/").status_code == 404
    assert client.get("/id/sites/asean/publications/").status_code == 404
    assert 'hreflang="th"' in page
    assert 'hreflang="id"' not in page


def test_a_sub_site_with_a_host_of_its_own_looks_the_same(client):
    SubSiteFactory(host="aseanrights.example.org", name="ASEAN advocacy", accent_colour="#1d4e89")

    page = html(client.get("/", HTTP_HOST="aseanrights.example.org"))
    stylesheet = client.get("/accent.css", HTTP_HOST="aseanrights.example.org")

    assert "ASEAN advocacy" in page
    assert 'href="/accent.css?v=' in page
    assert "#1d4e89" in stylesheet.content.decode()


def test_a_sub_sites_home_query_budget_is_constant(client, django_assert_max_num_queries):
    sub_site = SubSiteFactory(slug="asean", mailing_list=MailingListFactory())
    sub_site.countries.set([country("TH")])
    for n in range(12):
        for kind in ("statement", "report", "story"):
            publication = PublicationFactory(type=kind, countries=[country("TH")], tags=["ASEAN"])
        PickFactory(sub_site=sub_site, publication=publication, is_pinned=n % 2 == 0, position=n)

    with django_assert_max_num_queries(12):
        response = client.get("/sites/asean/")
    assert response.status_code == 200
    assert len(response.context["latest"]) == 9


def test_the_demo_has_a_sub_site_of_statements_about_asean_countries(client):
    PublicationFactory(title="On Cambodia", countries=[country("KH")])
    PublicationFactory(title="On Nepal", countries=[country("NP")])
    PublicationFactory(title="Report on Viet Nam", type="report", countries=[country("VN")])

    demo.load(stdout=io.StringIO())
    demo.load(stdout=io.StringIO())  # once only

    response = client.get("/sites/asean/")
    assert [item.title for item in response.context["pinned"]] == ["Report on Viet Nam"]
    assert [item.title for item in response.context["latest"]] == ["On Cambodia"]
    assert 'alt="ASEAN advocacy"' in html(response)
    assert SubSite.objects.get().mailing_list.slug == "asean-advocacy"
