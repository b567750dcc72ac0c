"""The site-wide pages (pages/views.py): home, search, member and country pages, health,
robots and editorial pages."""

import json
from datetime import timedelta

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from pages import services
from tests.factories import (
    MemberOrganisationFactory,
    PageFactory,
    PublicationFactory,
    country,
    editor,
    member,
    publisher,
)
from tests.publications.conftest import image_bytes
from tests.publications.test_search import HOSTILE

pytestmark = pytest.mark.django_db

# --- home -----------------------------------------------------------------------------------------


def html(response):
    return response.content.decode()


def test_home_is_composed_from_the_latest_public_content(client):
    lead = PublicationFactory(title="The featured report", type="report", is_featured=True)
    statements = [
        PublicationFactory(title=f"Statement {n}", publish_at=timezone.now() - timedelta(hours=n))
        for n in range(1, 6)
    ]
    story = PublicationFactory(title="A story from the border", type="story")
    PublicationFactory(title="A draft statement", status="draft")
    PublicationFactory(title="A scheduled one", publish_at=timezone.now() + timedelta(hours=1))

    response = client.get("/")

    context = response.context
    assert context["lead"] == lead
    assert context["latest_statements"] == statements[:4]
    assert context["latest_stories"] == [story]
    assert context["latest_reports"] == []  # the only report leads the page
    assert "A draft statement" not in html(response)
    assert "A scheduled one" not in html(response)


def test_without_a_featured_item_the_newest_publication_leads(client):
    PublicationFactory(title="Older", publish_at=timezone.now() - timedelta(days=3))
    newest = PublicationFactory(title="Newest")

    assert client.get("/").context["lead"] == newest


def test_network_figures_are_computed(client):
    MemberOrganisationFactory.create_batch(2, country=country("NP"))
    MemberOrganisationFactory(country=country("KH"))
    MemberOrganisationFactory(country=country("KH"), is_active=False)
    this_year = timezone.localtime().replace(month=1, day=1, hour=0, minute=5)
    PublicationFactory(publish_at=max(this_year, timezone.now() - timedelta(minutes=1)))
    PublicationFactory(publish_at=this_year - timedelta(days=2))

    network = client.get("/").context["network"]

    assert network["members"] == 3
    assert network["countries"] == 2
    assert network["publications_this_year"] == 1


def test_home_shows_the_members_map_and_the_newsletter_form(client):
    MemberOrganisationFactory(country=country("TH"))

    page = html(client.get("/"))

    assert 'class="network-map"' in page
    assert 'id="home-email"' in page


def test_home_query_budget_is_constant(client, django_assert_max_num_queries):
    member = MemberOrganisationFactory()
    for _ in range(12):
        for kind in ("statement", "report", "story", "letter"):
            PublicationFactory(
                type=kind, countries=[country("TH")], tags=["Civic space"], signatories=[member]
            )

    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200


# --- search ---------------------------------------------------------------------------------------


def test_search_page_shows_publications_and_members(client):
    PublicationFactory(title="Torture in detention centres")
    MemberOrganisationFactory(name="Centre against Torture", acronym="CAT")

    response = client.get("/search/", {"q": "torture"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Centre against Torture" in html
    assert "detention centres" in html
    assert "<mark>Torture</mark> in detention centres" in html


def test_search_combines_with_list_filters_and_paginates(client):
    for n in range(22):
        PublicationFactory(title=f"Detention report {n}", type="report", countries=[country("TH")])
    PublicationFactory(title="Detention statement", type="statement", countries=[country("TH")])

    first = client.get("/search/", {"q": "detention", "type": "report", "country": "th"})
    second = client.get("/search/", {"q": "detention", "type": "report", "page": 2})

    assert first.context["result_count"] == 22
    assert len(first.context["publications"]) == 20
    assert len(second.context["publications"]) == 2
    assert all(p.type == "report" for p in first.context["publications"])


@pytest.mark.parametrize("query", HOSTILE)
def test_search_page_answers_every_query_with_a_normal_page(client, query):
    PublicationFactory(title="Land rights")

    response = client.get("/search/", {"q": query, "type": query, "year": query})

    assert response.status_code == 200
    assert b"<h1>Search</h1>" in response.content


def test_empty_and_one_letter_queries_show_the_prompt_not_every_publication(client, settings):
    PublicationFactory(title="A statement")
    # "" and "  " are one page (one cache key): each is rendered here, without the cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    for query in ("", "a", "  ", "&"):
        response = client.get("/search/", {"q": query})
        assert response.context["is_searching"] is False
        assert list(response.context["publications"]) == []
        assert b"What are you looking for?" in response.content


def test_search_page_query_budget(client, django_assert_max_num_queries):
    for n in range(25):
        PublicationFactory(title=f"Detention report {n}", tags=["Detention"])
    MemberOrganisationFactory.create_batch(3, name=factory_name())

    with django_assert_max_num_queries(8):
        response = client.get("/search/", {"q": "detention"})
    assert response.status_code == 200


def factory_name():
    import factory

    return factory.Sequence(lambda n: f"Detention Watch {n}")


# --- member and country pages ---------------------------------------------------------------------


def test_member_page_shows_facts_description_and_links(client):
    insec = member(
        "Informal Sector Service Centre",
        "NP",
        acronym="INSEC",
        city="Kathmandu",
        website="https://insec.example.org/",
        description="<p>Documents <strong>violations</strong>.</p>",
        focus_areas="Civic space, Transitional justice",
        x_url="https://x.com/insec",
    )

    response = client.get("/members/informal-sector-service-centre/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["member"] == insec
    assert "<strong>violations</strong>" in body
    assert 'href="https://insec.example.org/"' in body
    assert 'href="/countries/np/"' in body
    assert "Transitional justice" in body
    assert 'href="https://x.com/insec"' in body
    assert "INSEC" in body  # placeholder initials when there is no logo
    assert "Former member" not in body


def test_former_member_page_exists_and_is_marked(client, network):
    response = client.get("/members/gone-away-centre/")

    assert response.status_code == 200
    assert "Former member" in response.content.decode()


def test_member_page_lists_only_public_co_signed_publications_newest_first(client):
    insec = member("INSEC", "NP")
    now = timezone.now()
    PublicationFactory(
        title="Older joint statement", publish_at=now - timedelta(days=30), signatories=[insec]
    )
    PublicationFactory(
        title="Newer joint letter", publish_at=now - timedelta(days=1), signatories=[insec]
    )
    PublicationFactory(title="Draft statement", status="draft", signatories=[insec])
    PublicationFactory(
        title="Scheduled letter", publish_at=now + timedelta(days=3), signatories=[insec]
    )
    PublicationFactory(title="Not signed by INSEC")

    response = client.get("/members/insec/")

    titles = [p.title for p in response.context["page_obj"]]
    assert titles == ["Newer joint letter", "Older joint statement"]
    body = response.content.decode()
    assert "Draft statement" not in body
    assert "Scheduled letter" not in body


def test_member_publications_are_paginated_ten_a_page(client, django_assert_max_num_queries):
    insec = member("INSEC", "NP")
    for _ in range(12):
        PublicationFactory(signatories=[insec])

    with django_assert_max_num_queries(8):
        first = client.get("/members/insec/")
    second = client.get("/members/insec/", {"page": 2})
    junk = client.get("/members/insec/", {"page": "<x>"})

    assert len(first.context["page_obj"]) == 10
    assert len(second.context["page_obj"]) == 2
    assert junk.status_code == 200
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_country_page_lists_members_former_members_and_publications(
    client, network, django_assert_max_num_queries
):
    for _ in range(11):
        PublicationFactory(countries=[country("TH")])
    PublicationFactory(
        title="Scheduled", publish_at="2999-01-01T00:00:00+07:00", countries=[country("TH")]
    )

    with django_assert_max_num_queries(8):
        response = client.get("/countries/th/")

    body = response.content.decode()
    assert response.status_code == 200
    assert [m.name for m in response.context["members"]] == ["Thai Lawyers for Rights"]
    assert [m.name for m in response.context["former_members"]] == ["Gone Away Centre"]
    assert response.context["page_obj"].paginator.count == 11
    assert "Scheduled" not in body


def test_country_without_members_still_has_a_page(client):
    response = client.get("/countries/kp/")

    assert response.status_code == 200
    assert "No current member organisation in North Korea" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/members/no-such-member/",
        "/countries/xx/",
        "/countries/thx/",
        "/countries/t/",
        "/countries/%E0%B9%84%E0%B8%97/",
        "/countries/<script>/",
    ],
)
def test_unknown_member_or_country_gets_the_404_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- health and robots ----------------------------------------------------------------------------


def test_healthz_reports_ok_with_each_part_and_the_task_queue(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "tasks": {"backend": "immediate", "waiting": 0, "oldest_waiting_seconds": 0, "late": False},
    }
    assert "no-cache" in response["Cache-Control"]  # a load balancer must see every change


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "unavailable"
    assert json.loads(response.content)["database"] == "down"


def test_healthz_reports_503_when_the_cache_is_down(client, settings):
    from tests.s3 import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["cache"] == "down"


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


# --- editorial pages, and addresses that are none ------------------------------------------------


def test_editorial_page_title_is_text_not_markup(client):
    PageFactory(path="/mandate/", title="<script>alert(1)</script> Mandate & aims")

    html = client.get("/mandate/").content.decode()

    assert "<script>alert(1)" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Mandate &amp; aims</h1>" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Mandate &amp; aims — FORUM-ASIA" in html


def test_editorial_page_text_cannot_leave_the_description_attribute(client):
    PageFactory(
        path="/refresh/",
        title="Refresh",
        introduction="",
        body='<p>0;url=https://evil.example/ " http-equiv="refresh</p>',
    )

    response = client.get("/refresh/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in html
    assert (
        '<meta name="description" content="0;url=https://evil.example/ &quot; '
        'http-equiv=&quot;refresh">' in html
    )


def test_an_editorial_page_shows_its_title_introduction_image_body_and_public_parent(client):
    about = PageFactory(path="/about-us/", title="About the network")
    page = PageFactory(
        path="/about-us/history/",
        title="Our history",
        introduction="Since 1991.",
        body="<p>The network began in Bangkok.</p>",
        parent=about,
        hero_image=SimpleUploadedFile("meeting.jpg", image_bytes()),
        hero_image_alt="The first meeting",
    )
    services.refresh_hero_renditions(page)

    body = html(client.get(page.path))

    assert "<h1>Our history</h1>" in body
    assert '<p class="page-hero__lead">Since 1991.</p>' in body
    assert "<p>The network began in Bangkok.</p>" in body
    assert '<a href="/about-us/">About the network</a>' in body
    assert 'alt="The first meeting"' in body
    assert page.hero_image_renditions[0]["webp"] in body


def test_a_parent_that_is_not_public_is_not_named(client):
    hidden = PageFactory(path="/draft-section/", title="Secret section", status="draft")
    page = PageFactory(path="/draft-section/child/", parent=hidden)

    body = html(client.get(page.path))

    assert "Secret section" not in body


@pytest.mark.parametrize(
    "state",
    [
        {"status": "draft"},
        {"status": "review"},
        {"status": "unpublished"},
        {"status": "published", "publish_at": timezone.now() + timedelta(days=1)},
        {
            "status": "published",
            "publish_at": timezone.now() - timedelta(days=2),
            "unpublish_at": timezone.now() - timedelta(days=1),
        },
    ],
    ids=["draft", "review", "unpublished", "scheduled", "expired"],
)
def test_a_page_that_is_not_public_is_a_404_and_a_marked_uncached_preview_for_staff(client, state):
    page = PageFactory(path="/annex/", title="Annex text", **state)

    visitor = client.get("/annex/")
    client.force_login(editor())
    preview = client.get("/annex/")

    assert visitor.status_code == 404 and b"Annex text" not in visitor.content
    assert preview.status_code == 200
    assert "Preview — not public" in html(preview)
    assert '<meta name="robots" content="noindex, nofollow">' in html(preview)
    assert "no-cache" in preview["Cache-Control"] and "public" not in preview["Cache-Control"]
    assert f"/admin/pages/page/{page.pk}/change/" in html(preview)


def test_a_public_page_costs_a_visitor_one_query(client, django_assert_max_num_queries):
    parent = PageFactory(path="/section/")
    PageFactory(path="/section/page/", parent=parent)

    with django_assert_max_num_queries(1):
        response = client.get("/section/page/")

    assert response.status_code == 200


def test_the_page_cache_sees_a_page_change(client, django_assert_num_queries, commit):
    page = PageFactory(path="/mandate/", title="First title")
    assert "First title" in html(client.get("/mandate/"))
    with django_assert_num_queries(0):  # served from the page cache
        assert "First title" in html(client.get("/mandate/"))

    page.title = "Second title"
    services.save_page(page=page, user=publisher())
    commit()

    assert "Second title" in html(client.get("/mandate/"))


def test_a_scheduled_page_appears_on_time_through_the_page_cache(client, settings):
    import time_machine

    start = timezone.now() + timedelta(minutes=5)
    PageFactory(path="/launch/", title="Launch", publish_at=start)
    assert client.get("/launch/").status_code == 404
    home = client.get("/sitemap-pages.xml")
    assert b"/launch/" not in home.content

    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        assert client.get("/launch/").status_code == 200
        assert b"/launch/" in client.get("/sitemap-pages.xml").content


def test_unknown_url_gets_the_site_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Skip to content" in response.content


@pytest.mark.parametrize("path", ["/%00/", "/x%00y", "/x%00y/", "/%0B/", "/a%01b/c/", "/%FF/"])
def test_addresses_with_control_characters_are_404s(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_editorial_pages_exist_and_are_linked_from_the_footer(client):
    home = client.get("/").content.decode()

    for url in ("/about/", "/our-approach/", "/who-we-work-with/"):
        assert f'href="{url}"' in home
        response = client.get(url)
        assert response.status_code == 200
        assert b"Skip to content" in response.content  # extends base.html


def test_an_unknown_address_is_still_a_404(client):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/no/such/deep/page/").status_code == 404


def test_editors_keep_old_urls_alive_with_redirects(client):
    Redirect.objects.create(
        site=Site.objects.get_current(), old_path="/old-news/item-12/", new_path="/statements/"
    )

    response = client.get("/old-news/item-12/")

    assert response.status_code == 301
    assert response["Location"] == "/statements/"


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
