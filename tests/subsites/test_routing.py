import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumasia import events
from subsites.models import SubSite
from tests.factories import PickFactory, PublicationFactory, SubSiteFactory

pytestmark = pytest.mark.django_db


def test_a_host_neither_configured_nor_a_sub_sites_is_refused(client):
    SubSiteFactory(host="aseanrights.example.org")

    response = client.get("/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400


def test_a_sub_site_saved_is_served_at_its_host_at_once(client, django_capture_on_commit_callbacks):
    assert client.get("/", HTTP_HOST="aseanrights.example.org").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        sub_site = SubSite.objects.create(
            name="ASEAN advocacy", short_name="ASEAN", slug="asean", host="aseanrights.example.org"
        )
        events.changed(sub_site)

    response = client.get("/", HTTP_HOST="aseanrights.example.org")
    assert response.status_code == 200
    assert response.wsgi_request.sub_site == sub_site


def test_the_host_check_accepts_only_the_host_the_request_asked_for(client):
    SubSiteFactory(host="aseanrights.example.org")

    response = client.get("/", HTTP_HOST="aseanrights.example.org")

    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="other.example.org").status_code == 400


def test_a_sub_site_without_host_lives_under_sites_slug_in_every_language(client):
    sub_site = SubSiteFactory(slug="asean")

    for address in ("/sites/asean/", "/th/sites/asean/", "/id/sites/asean/publications/"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response.wsgi_request.sub_site == sub_site


def test_an_unknown_sub_site_address_is_a_404(client):
    assert client.get("/sites/nothing-here/").status_code == 404


def test_a_sub_site_with_a_host_answers_its_path_address_with_a_redirect_to_the_host(client):
    SubSiteFactory(slug="asean", host="aseanrights.example.org")

    response = client.get("/th/sites/asean/publications/?type=report")

    assert response.status_code == 301
    assert response["Location"] == "http://aseanrights.example.org/th/publications/?type=report"


def test_addresses_on_a_sub_sites_pages_stay_on_the_sub_site(client):
    SubSiteFactory(slug="asean")

    html = client.get("/sites/asean/publications/").content.decode()

    assert 'href="/sites/asean/statements/"' in html


def test_the_main_site_is_no_sub_site(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response.wsgi_request.sub_site is None


@override_settings(ALLOWED_HOSTS=["forum-asia.example.org"])
def test_a_sub_site_cannot_take_the_main_sites_host():
    sub_site = SubSiteFactory.build(host="forum-asia.example.org")

    with pytest.raises(Exception, match="main site"):
        sub_site.full_clean(exclude=["slug", "name"])


def test_stream_shows_picks_and_what_matches_every_criterion():
    picked = PublicationFactory(type="story")
    matching = PublicationFactory(type="statement")
    other_type = PublicationFactory(type="report")
    sub_site = SubSiteFactory(publication_types=["statement"])
    PickFactory(sub_site=sub_site, publication=picked)

    shown = set(sub_site.stream(type(picked).objects.all()))

    assert shown == {picked, matching}
    assert other_type not in shown


hosts = st.one_of(
    st.text(max_size=40),
    st.tuples(
        st.sampled_from(["aseanrights.example.org", "ASEANRIGHTS.example.org", "testserver"]),
        st.sampled_from(["", ":80", ":8000", ".", ":", ":x", "@evil.example"]),
    ).map("".join),
)
paths = st.one_of(
    st.just("/"),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30).map(
        lambda tail: "/sites/" + tail
    ),
    st.sampled_from(["/th/sites/asean/", "/sites/asean//evil.example/", "/sites/asean/../"]),
)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(host=hosts, path=paths)
def test_no_host_or_sub_site_address_a_visitor_sends_is_a_server_error(client, host, path):
    SubSite.objects.get_or_create(slug="asean", defaults={"host": "aseanrights.example.org"})
    SubSite.objects.get_or_create(slug="mekong", defaults={"name": "Mekong"})

    response = client.get(path, HTTP_HOST=host)

    assert response.status_code in (200, 301, 302, 400, 404), (host, path)
