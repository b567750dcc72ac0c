import json

import pytest
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_healthz_reports_503_when_the_database_is_down(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "unavailable"


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_unknown_url_gets_the_site_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Skip to content" in response.content


def test_home_page_shows_live_network_figures(client):
    from tests.factories import MemberOrganisationFactory, country

    MemberOrganisationFactory.create_batch(2, country=country("NP"))
    MemberOrganisationFactory(country=country("KH"))
    MemberOrganisationFactory(country=country("KH"), is_active=False)

    response = client.get("/")

    assert response.status_code == 200
    figures = response.context["network"]
    assert (figures["members"], figures["countries"]) == (3, 2)


def test_public_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in policy


def test_admin_policy_allows_editor_styles_but_never_eval(client):
    response = client.get("/admin/login/")

    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "unsafe-eval" not in policy
    # Directive order is not fixed; compare the script-src directive itself.
    directives = {part.strip() for part in policy.split(";")}
    assert "script-src 'self'" in directives


def test_admin_is_branded(client):
    response = client.get("/admin/login/")

    assert b"forumasia administration" in response.content


# --- editorial pages (flatpages) ----------------------------------------------------------------


def editorial_page(url, title, content):
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site

    page = FlatPage.objects.create(url=url, title=title, content=content)
    page.sites.add(Site.objects.get_current())
    return page


def test_editorial_page_title_is_text_not_markup(client):
    editorial_page("/mandate/", "<script>alert(1)</script> Mandate & aims", "<p>Body.</p>")

    html = client.get("/mandate/").content.decode()

    assert "<script>alert(1)" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Mandate &amp; aims</h1>" in html
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; Mandate &amp; aims — FORUM-ASIA" in html


def test_editorial_page_text_cannot_leave_the_description_attribute(client):
    editorial_page(
        "/refresh/", "Refresh", '<p>0;url=https://evil.example/ " http-equiv="refresh</p>'
    )

    response = client.get("/refresh/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'http-equiv="refresh"' not in html
    assert (
        '<meta name="description" content="0;url=https://evil.example/ &quot; '
        'http-equiv=&quot;refresh">' in html
    )


@pytest.mark.parametrize("path", ["/%00/", "/x%00y", "/x%00y/", "/%0B/", "/a%01b/c/", "/%FF/"])
def test_addresses_with_control_characters_are_404s(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"Page not found" in response.content
