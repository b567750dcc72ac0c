"""The anonymous page cache on the public pages, and the HTTP caching and compression headers:
public pages are served from the cache without queries, invalidated by a publish, marked
public with an ETag for a CDN; pages for logged-in users and previews are private and never
cached."""

import gzip

import pytest

from publications import services
from tests.factories import (
    MemberOrganisationFactory,
    PublicationFactory,
    StaffUserFactory,
    SuperUserFactory,
    country,
)

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/publications/",
    "/publications/?country=th&tag=land-rights",
    "/statements/",
    "/search/?q=appeal",
    "/members/",
    "/countries/th/",
    "/feeds/rss/",
    "/feeds/atom/",
]


@pytest.fixture
def content():
    member = MemberOrganisationFactory(country=country("TH"))
    publication = PublicationFactory(
        title="An urgent appeal", countries=[country("TH")], tags=["Land rights"]
    )
    publication.signatures.create(member=member)
    return publication, member


# Loops rather than parametrize: a parametrized test here would be regrouped by pytest with
# the browser tests' session-scoped parameter and run between them, after their flushes.
def test_public_pages_are_served_from_the_cache_without_queries(
    client, content, django_assert_num_queries
):
    for path in PUBLIC_PAGES:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first["X-Page-Cache"] == "miss", path

        with django_assert_num_queries(0):
            second = client.get(path)

        assert second["X-Page-Cache"] == "hit", path
        assert second.content == first.content, path


def test_detail_and_member_pages_are_cached_for_anonymous_visitors(
    client, content, django_assert_num_queries
):
    publication, member = content
    for path in (publication.get_absolute_url(), member.get_absolute_url()):
        assert client.get(path)["X-Page-Cache"] == "miss"
        with django_assert_num_queries(0):
            assert client.get(path)["X-Page-Cache"] == "hit"


def test_a_cached_list_shows_a_publication_as_soon_as_it_is_published(client, content):
    draft = PublicationFactory(title="A fresh statement", status="draft")
    assert "A fresh statement" not in client.get("/publications/").content.decode()
    assert client.get("/publications/")["X-Page-Cache"] == "hit"

    services.publish([draft])

    response = client.get("/publications/")
    assert response["X-Page-Cache"] == "miss"
    assert "A fresh statement" in response.content.decode()


def test_query_parameters_the_page_does_not_read_share_one_cached_copy(client, content):
    assert client.get("/publications/", {"tag": "land-rights"})["X-Page-Cache"] == "miss"
    tracked = client.get("/publications/", {"tag": "land-rights", "utm_source": "x"})
    assert tracked["X-Page-Cache"] == "hit"
    assert client.get("/publications/", {"tag": "other"})["X-Page-Cache"] == "miss"


def test_a_drafts_404_is_not_cached_and_staff_previews_bypass_the_cache(client, content):
    draft = PublicationFactory(title="Embargoed report", status="draft")
    url = draft.get_absolute_url()

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 404
        assert "X-Page-Cache" not in response
        assert "private" in response["Cache-Control"]

    client.force_login(SuperUserFactory())
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Embargoed report" in preview.content.decode()
    assert "X-Page-Cache" not in preview
    assert "private" in preview["Cache-Control"] and "no-cache" in preview["Cache-Control"]

    services.publish([draft])
    client.logout()
    assert client.get(url).status_code == 200


def test_anonymous_pages_are_public_with_an_etag_and_answer_304(client, content):
    response = client.get("/publications/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control
    etag = response["ETag"]
    assert etag

    again = client.get("/publications/", HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 304
    assert not again.content


def test_pages_for_logged_in_users_are_private(client, content):
    client.force_login(StaffUserFactory())

    response = client.get("/publications/")

    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"] and "no-cache" in response["Cache-Control"]


def test_pages_with_a_csrf_token_are_private(client):
    response = client.get("/newsletter/")

    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_html_is_gzipped_for_browsers_that_accept_it(client, content):
    for state in ("miss", "hit"):  # rendered, then served compressed from the cache
        response = client.get("/publications/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert "An urgent appeal" in gzip.decompress(response.content).decode()
        assert response["X-Page-Cache"] == state


def test_without_accept_encoding_html_is_sent_plain(client, content):
    client.get("/publications/")
    response = client.get("/publications/")

    assert not response.has_header("Content-Encoding")
    assert "An urgent appeal" in response.content.decode()
