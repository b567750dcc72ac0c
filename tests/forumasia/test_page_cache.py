"""The anonymous page cache on the public pages, and the HTTP caching and compression headers:
public pages are served from the cache without queries, invalidated by a publish, marked
public with an ETag for a CDN; pages for logged-in users and previews are private and never
cached; and a hit answers with the same headers as a miss, so nobody learns from them what
others asked for."""

import gzip
import os
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache as django_cache
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from forumasia import cache as page_cache
from forumasia import workflow
from mailings.models import Issue
from members import services as member_services
from publications import services
from publications.sitemaps import PublicationSitemap
from tests.factories import (
    IssueFactory,
    MemberOrganisationFactory,
    PublicationFactory,
    StaffUserFactory,
    SuperUserFactory,
    country,
    publisher,
)
from tests.forumasia.test_settings import run_manage
from tests.forumasia.test_urls import ROUTES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

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
        assert first.page_cache == "miss", path

        with django_assert_num_queries(0):
            second = client.get(path)

        assert second.page_cache == "hit", path
        assert second.content == first.content, path


def test_detail_and_member_pages_are_cached_for_anonymous_visitors(
    client, content, django_assert_num_queries
):
    publication, member = content
    for path in (publication.get_absolute_url(), member.get_absolute_url()):
        assert client.get(path).page_cache == "miss"
        with django_assert_num_queries(0):
            assert client.get(path).page_cache == "hit"


def test_a_cached_list_shows_a_publication_as_soon_as_it_is_published(client, content, commit):
    draft = PublicationFactory(title="A fresh statement", status="draft")
    assert "A fresh statement" not in client.get("/publications/").content.decode()
    assert client.get("/publications/").page_cache == "hit"

    services.publish(publications=[draft], user=publisher())
    commit()

    response = client.get("/publications/")
    assert response.page_cache == "miss"
    assert "A fresh statement" in response.content.decode()


def test_query_parameters_the_page_does_not_read_share_one_cached_copy(client, content):
    assert client.get("/publications/", {"tag": "land-rights"}).page_cache == "miss"
    tracked = client.get("/publications/", {"tag": "land-rights", "utm_source": "x"})
    assert tracked.page_cache == "hit"
    assert client.get("/publications/", {"tag": "other"}).page_cache == "miss"


def test_a_drafts_404_is_not_cached_and_staff_previews_bypass_the_cache(client, content):
    draft = PublicationFactory(title="Embargoed report", status="draft")
    url = draft.get_absolute_url()

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 404
        assert not hasattr(response, "page_cache")
        assert "private" in response["Cache-Control"]

    client.force_login(SuperUserFactory())
    preview = client.get(url)
    assert preview.status_code == 200
    assert "Embargoed report" in preview.content.decode()
    assert not hasattr(preview, "page_cache")
    assert "private" in preview["Cache-Control"] and "no-cache" in preview["Cache-Control"]

    services.publish(publications=[draft], user=publisher())
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
    assert not hasattr(response, "page_cache")
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
        assert response.page_cache == state


def test_without_accept_encoding_html_is_sent_plain(client, content):
    client.get("/publications/")
    response = client.get("/publications/")

    assert not response.has_header("Content-Encoding")
    assert "An urgent appeal" in response.content.decode()


# --- a cached page is a fresh render of the same request --------------------------------------

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# As behind a proxy in production: the Host header is sent, the scheme comes in a header.
HTTP = {"HTTP_HOST": "testserver"}
HTTPS = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https"}
OTHER_HOST = {"HTTP_HOST": "127.0.0.1"}


@pytest.fixture
def archive():
    """Enough content for a second page everywhere: 25 publications about Thailand (tag
    "Land rights"), signed by one Thai member, and one Cambodian report."""
    signer = MemberOrganisationFactory(country=country("TH"), slug="signer")
    MemberOrganisationFactory(country=country("NP"), name="Nepal Centre")
    for number in range(25):
        PublicationFactory(
            title=f"Appeal on Thailand {number}",
            countries=[country("TH")],
            tags=["Land rights"],
            signatories=[signer],
        )
    report = PublicationFactory(
        title="Cambodia report", slug="cambodia-report", type="report", countries=[country("KH")]
    )
    issue = IssueFactory(slug="2026-03", items=[report, signer.signed_publications.first()])
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
    return signer


def cached_view_requests(signer):
    """Per cached view, requests that differ only in parameter order, repeats, unknown
    parameters, scheme or host: the attacker's first, then the victims'."""
    publication = signer.signed_publications.first()
    return {
        "home": ["/?page=2", "/?page=2&page=1", "/"],
        "list": [
            "/publications/?country=th&country=kh",
            "/publications/?country=kh&country=th",
            "/publications/?country=th",
            "/publications/?country=kh",
            "/publications/?tag=land-rights&tag=none",
            "/publications/?tag=land-rights",
            "/publications/?page=1&page=2&utm_source=x",
            "/publications/?page=1",
            "/publications/?page=2",
            "/publications/?year=2024&year=2023",
            "/publications/?year=2024",
            "/publications/?q=appeal&q=report&evil=%3Cb%3E",
            "/publications/?q=appeal",
        ],
        "type page": ["/reports/?type=statement&type=report", "/reports/?q=x&q=y", "/reports/?q=x"],
        "detail": [f"{publication.get_absolute_url()}?page=3", publication.get_absolute_url()],
        "search": [
            "/search/?q=thailand&q=Site+closed.+Donate+at+evil.example",
            "/search/?q=thailand",
            "/search/?q=thailand&page=1&page=2",
            "/search/?q=thailand&page=1",
        ],
        "members": [
            "/members/?country=th&country=np",
            "/members/?country=th",
            "/members/?q=nepal&q=thai",
            "/members/?q=nepal",
            "/members/?region=south&region=southeast",
            "/members/?region=south",
        ],
        "member": [
            f"{signer.get_absolute_url()}?page=2&page=1",
            f"{signer.get_absolute_url()}?page=2",
        ],
        "country": ["/countries/th/?page=2&page=1", "/countries/th/?page=2"],
        "rss": [
            "/feeds/rss/?country=th&country=kh",
            "/feeds/rss/?country=th",
            "/feeds/rss/?type=report&type=statement",
            "/feeds/rss/?type=report",
        ],
        "atom": ["/feeds/atom/?tag=land-rights&tag=none", "/feeds/atom/?tag=land-rights"],
        "newsletter issue": ["/newsletter/2026-03/?page=2", "/th/newsletter/2026-03/"],
        "newsletter archive": ["/newsletter/archive/?p=1", "/id/newsletter/archive/"],
        "newsletter feed": ["/feeds/newsletter/th/?language=id", "/feeds/newsletter/atom/"],
        "sitemap index": ["/sitemap.xml"],
        "sitemap section": [
            "/sitemap-publications.xml?p=1&p=2",
            "/sitemap-publications.xml?p=1",
            "/sitemap-publications.xml?p=2",
            "/sitemap-sections.xml",
            "/sitemap-newsletter.xml",
        ],
    }


def test_a_cached_page_equals_a_fresh_render_of_the_same_request(client, archive, monkeypatch):
    """Every cached view, asked with adversarial parameter orders, repeats, schemes and hosts:
    each answer from the cache is byte for byte what the view renders with no cache at all."""
    monkeypatch.setattr(PublicationSitemap, "limit", 20)  # two sitemap pages
    variants = [HTTP, HTTPS, OTHER_HOST]
    for view, urls in cached_view_requests(archive).items():
        requests = [(url, extra) for extra in variants for url in urls]
        for url, extra in requests:  # fills the cache, the attacker's requests first
            assert client.get(url, **extra).status_code == 200, (view, url, extra)
        for url, extra in requests:
            cached = client.get(url, **extra)
            assert cached.page_cache == "hit", (view, url, extra)
            with override_settings(CACHES=NO_CACHE):
                fresh = client.get(url, **extra)
            assert cached.content.decode() == fresh.content.decode(), (view, url, extra)


# --- freshness: until content changes by the clock alone -----------------------------------------


def test_a_cached_page_is_fresh_until_midnight_in_bangkok_when_the_year_may_change(client):
    with time_machine.travel(datetime(2026, 12, 31, 16, 59, 30, tzinfo=UTC), tick=False) as clock:
        PublicationFactory(publish_at=timezone.now() - timedelta(hours=1))
        before = client.get("/")
        clock.move_to(datetime(2026, 12, 31, 16, 59, 59, tzinfo=UTC))
        last_second = client.get("/")
        clock.move_to(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))  # 00:00 on 1 January in Bangkok
        new_year = client.get("/")

    assert before.page_cache == "miss"
    assert "max-age=30" in before["Cache-Control"]  # not the usual 60: midnight comes first
    assert last_second.page_cache == "hit"
    assert new_year.page_cache == "miss"
    assert before.context["network"]["publications_this_year"] == 1
    assert new_year.context["network"]["publications_this_year"] == 0
    assert "© 2026" in before.content.decode()
    assert "© 2027" in new_year.content.decode()


def test_the_earliest_change_any_app_registered_ends_a_pages_freshness(client, monkeypatch):
    now = timezone.now()
    sources = [lambda moment: None, lambda moment: moment + timedelta(seconds=20)]
    monkeypatch.setattr(page_cache, "NEXT_CHANGE_SOURCES", sources)

    first = client.get("/")
    with time_machine.travel(now + timedelta(seconds=25)):
        later = client.get("/")

    assert first.page_cache == "miss"
    assert "max-age=" in first["Cache-Control"]
    assert int(first["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 20
    assert later.page_cache == "miss"


# --- the home page: invalidation and who gets the cached page -------------------------------


def html(response):
    return response.content.decode()


def test_second_anonymous_request_is_served_from_the_cache(client, django_assert_num_queries):
    PublicationFactory(title="Cached statement")
    first = client.get("/")

    with django_assert_num_queries(0):
        second = client.get("/")

    assert first.page_cache == "miss"
    assert second.page_cache == "hit"
    assert second.content == first.content
    assert "Content-Security-Policy" in second
    assert not second.cookies


def test_cached_page_sets_no_cookie_and_holds_no_csrf_token(client):
    client.get("/")
    response = client.get("/")

    assert response.page_cache == "hit"
    assert not response.cookies
    assert b"csrfmiddlewaretoken" not in response.content


def test_unpublishing_and_editing_remove_the_old_content_at_once(client, commit):
    publication = PublicationFactory(title="First title")
    assert "First title" in html(client.get("/"))

    publication.title = "Corrected title"
    services.save_publication(publication=publication, user=publisher())
    commit()
    assert "Corrected title" in html(client.get("/"))

    services.unpublish(publications=[publication], user=publisher())
    commit()
    assert "Corrected title" not in html(client.get("/"))


def test_member_changes_refresh_the_figures(client, commit):
    client.get("/")
    member_services.save_member(member=MemberOrganisationFactory.build(), user=publisher())
    commit()

    assert client.get("/").context["network"]["members"] == 1


def test_a_scheduled_item_appears_when_its_time_comes_without_any_save(client, monkeypatch):
    now = timezone.now()
    PublicationFactory(title="Scheduled appeal", publish_at=now + timedelta(minutes=5))
    assert "Scheduled appeal" not in html(client.get("/"))
    assert client.get("/").page_cache == "hit"

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))

    response = client.get("/")
    assert response.page_cache == "miss"
    assert "Scheduled appeal" in html(response)


def test_logged_in_staff_never_get_the_cached_page(client):
    client.get("/")  # fills the cache
    client.force_login(StaffUserFactory())

    response = client.get("/")

    assert not hasattr(response, "page_cache")
    assert response.context is not None  # rendered for this request


def test_a_page_rendered_for_staff_is_not_stored_for_visitors(client, django_db_blocker):
    from django.test import Client

    staff = Client()
    staff.force_login(StaffUserFactory())
    staff.get("/")

    assert client.get("/").page_cache == "miss"


def test_a_visitor_with_a_waiting_message_gets_a_fresh_page(client):
    client.get("/")
    client.cookies["messages"] = "anything"

    assert not hasattr(client.get("/"), "page_cache")


# Every public surface that lists a publication, and its own page.
SURFACES = ["/publications/", "/statements/", "/feeds/rss/", "/feeds/atom/", "/sitemap.xml"]


@pytest.mark.parametrize("cached", [True, False], ids=["cached", "uncached"])
def test_an_item_disappears_at_its_unpublish_second_from_every_page(client, settings, cached):
    settings.PAGE_CACHE_ENABLED = cached
    end = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    publication = PublicationFactory(
        title="Embargoed appeal", slug="embargoed-appeal", unpublish_at=end
    )
    pages = [*SURFACES, "/sitemap-publications.xml", publication.get_absolute_url()]

    with time_machine.travel(end - timedelta(seconds=1), tick=False) as clock:
        before = {page: client.get(page) for page in pages}
        again = {page: client.get(page) for page in pages}
        clock.move_to(end)
        after = {page: client.get(page) for page in pages}

    def shows(response, page):
        # The sitemap lists addresses; the other pages the title.
        mark = "/embargoed-appeal/" if "sitemap" in page else "Embargoed appeal"
        return response.status_code == 200 and mark in html(response)

    for page in pages:
        if page != "/sitemap.xml":
            assert shows(before[page], page) and shows(again[page], page), page
            assert not shows(after[page], page), page
        if cached:
            assert again[page].page_cache == "hit", page
            assert getattr(after[page], "page_cache", None) != "hit", page
    assert after[publication.get_absolute_url()].status_code == 404


# --- no cache state in public responses -------------------------------------------------------

# Headers caches use to say what they did or how old a copy is.
CACHE_STATE_HEADERS = {"x-page-cache", "age", "x-cache", "x-cache-status", "x-cache-hits"}


def visitor_answer(path, encoding):
    """What a new anonymous visitor (no cookie) gets: the response, its headers and the names
    of the cookies it sets (a CSRF cookie's value is per visitor by design)."""
    response = Client().get(path, HTTP_ACCEPT_ENCODING=encoding)
    headers = {name.lower(): value for name, value in response.items()}
    if not hasattr(response, "page_cache"):
        # Rendered for this visitor alone: the body may differ by design (a CSRF token,
        # GZipMiddleware's random padding against BREACH), and with it its length and tag.
        headers.pop("content-length", None)
        headers.pop("etag", None)
    return response, headers, sorted(response.cookies)


@pytest.mark.parametrize("route", ROUTES, ids=[route[1] or "/" for route in ROUTES])
def test_no_public_answer_tells_whether_someone_asked_for_it_before(existing, route):
    """Every public route, asked by one visitor (a miss: the page is stored) and then by
    another (a hit): the second learns nothing from the headers that the first did not."""
    _namespace, template, parameters = route
    path = "/" + template % {name: existing.get(name, ["x"])[0] for name in parameters}
    for query in ("", "?q=appeal&page=1", "?tag=land-rights&country=th"):
        for encoding in ("", "gzip, br"):
            with time_machine.travel(timezone.now(), tick=False):
                first, first_headers, first_cookies = visitor_answer(path + query, encoding)
                second, second_headers, second_cookies = visitor_answer(path + query, encoding)

            assert not CACHE_STATE_HEADERS & (set(first_headers) | set(second_headers)), path
            assert (second.status_code, second_headers, second_cookies) == (
                first.status_code,
                first_headers,
                first_cookies,
            ), path
            if getattr(first, "page_cache", None) == "miss":
                assert second.page_cache == "hit", path


def test_a_copy_about_to_expire_answers_like_a_fresh_one(client, content):
    """max-age counts down to the next change by the clock, not from when the copy was
    stored: a hit nine and a half minutes after the miss says nothing of that miss."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        Client().get("/publications/")
    with time_machine.travel(start + timedelta(seconds=570), tick=False):
        old_copy = Client().get("/publications/")
        django_cache.clear()
        fresh = Client().get("/publications/")

    assert (old_copy.page_cache, fresh.page_cache) == ("hit", "miss")
    assert old_copy["Cache-Control"] == fresh["Cache-Control"]
    assert old_copy["ETag"] == fresh["ETag"]


# --- clearing the cache on a Redis other applications share ------------------------------------

# Database 13 is this test's own (tests/integration uses 14).
SHARED_REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def shared_redis():
    import redis

    server = redis.Redis.from_url(SHARED_REDIS)
    try:
        server.ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs Redis on 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    server.flushdb()
    # Another application's keys, some looking almost like ours.
    server.set("otherapp:session:1", "kept")
    server.set("forumasia-staging:1:anon-page-2:x", "kept")
    server.set(":1:content-version", "kept")
    server.hset("forumasia", "field", "kept")
    server.rpush("celery", "kept")
    yield server
    server.flushdb()


def test_restore_clears_the_sites_keys_and_no_other_applications(shared_redis):
    """deploy/restore's own command, run as on a server: every key of the site goes (more than
    one batch of them), every other application's key stays."""
    (line,) = [
        line
        for line in (ROOT / "deploy" / "restore").read_text().splitlines()
        if "cache.clear()" in line
    ]
    words = shlex.split(line)
    command = words[words.index("$app/manage.py") + 1 :]
    fill = (
        "from django.core.cache import cache; "
        "cache.set_many({f'page-{n}': n for n in range(1200)}, timeout=None); "
        "cache.set('stamp', 1, version=7)"
    )
    assert run_manage("shell", "--no-imports", "-c", fill, REDIS_URL=SHARED_REDIS).returncode == 0
    assert len(shared_redis.keys("forumasia:*")) == 1201

    result = run_manage(*command, REDIS_URL=SHARED_REDIS)

    assert result.returncode == 0, result.stderr
    assert shared_redis.keys("forumasia:*") == []
    assert sorted(shared_redis.keys()) == [
        b":1:content-version",
        b"celery",
        b"forumasia",
        b"forumasia-staging:1:anon-page-2:x",
        b"otherapp:session:1",
    ]


# --- stale while revalidate: a save does not make every visitor wait for a render ----------------


def renders_with_visitors_meanwhile(monkeypatch, path, visitors=5, **extra):
    """Counts the renders of `path`; while the first render runs, `visitors` more anonymous
    visitors ask for it (`extra`: their headers), as concurrent requests would. Returns the
    renders and the visitors' responses."""
    renders, meanwhile = [], []
    render_and_store = page_cache.render_and_store

    def counted(request, *args):
        renders.append(request.get_full_path())
        if len(renders) == 1:
            meanwhile.extend(Client().get(path, **extra) for _ in range(visitors))
        return render_and_store(request, *args)

    monkeypatch.setattr(page_cache, "render_and_store", counted)
    return renders, meanwhile


def edit(publication, **fields):
    for name, value in fields.items():
        setattr(publication, name, value)
    saved = services.save_publication(publication=publication, user=publisher())
    acted()
    return saved


def acted():
    """The action's commit: its change event (forumasia/events.py) moves the content version
    (pytest-django's test transaction never commits; tests/conftest.py `commit`)."""
    held, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in held:
        callback()


BACKENDS = {
    "locmem": "django.core.cache.backends.locmem.LocMemCache",
    "database": "django.core.cache.backends.db.DatabaseCache",
    "redis": "forumasia.cache.RedisCache",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_after_a_save_one_request_renders_the_page_and_the_others_get_the_one_before(
    backend, request, content, monkeypatch, settings
):
    """On each cache backend a deployment uses: while one request renders the page again after
    a save, every other visitor gets the page rendered before it."""
    locations = {"database": settings.DATABASE_CACHE_TABLE, "redis": SHARED_REDIS}
    if backend == "redis":
        request.getfixturevalue("shared_redis")
    settings.CACHES = {
        "default": {"BACKEND": BACKENDS[backend], "LOCATION": locations.get(backend, "")}
    }
    django_cache.clear()
    publication, _member = content
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        before = Client().get("/publications/")
        edit(publication, title="A corrected appeal")
        clock.move_to(start + timedelta(seconds=settings.PAGE_STALE_SECONDS - 1))
        renders, meanwhile = renders_with_visitors_meanwhile(monkeypatch, "/publications/")
        renderer = Client().get("/publications/")
        after = Client().get("/publications/")

    assert renders == ["/publications/"]  # one render, however many asked meanwhile
    assert [response.page_cache for response in meanwhile] == ["stale"] * 5
    assert all(response.content == before.content for response in meanwhile)
    assert renderer.page_cache == "miss" and "A corrected appeal" in html(renderer)
    assert after.page_cache == "hit" and after.content == renderer.content


def test_a_copy_older_than_the_stale_bound_is_never_served(client, content, monkeypatch, settings):
    publication, _member = content
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.get("/publications/")
        edit(publication, title="A corrected appeal")
        clock.move_to(start + timedelta(seconds=settings.PAGE_STALE_SECONDS))
        renders, meanwhile = renders_with_visitors_meanwhile(monkeypatch, "/publications/")
        renderer = client.get("/publications/")

    # The first visitor meanwhile rendered its own page, though another render was running.
    assert len(renders) == 2 and meanwhile[0].page_cache == "miss"
    for response in [renderer, *meanwhile]:
        assert response.page_cache != "stale"
        assert "A corrected appeal" in html(response)


def test_without_a_stale_bound_every_save_makes_pages_render_at_once(
    client, content, monkeypatch, settings
):
    settings.PAGE_STALE_SECONDS = 0
    publication, _member = content
    client.get("/publications/")
    edit(publication, title="A corrected appeal")

    _renders, meanwhile = renders_with_visitors_meanwhile(monkeypatch, "/publications/")
    client.get("/publications/")

    assert meanwhile[0].page_cache == "miss"
    assert "stale" not in [response.page_cache for response in meanwhile]


def test_a_stale_copy_answers_with_the_headers_of_a_fresh_one(content, monkeypatch):
    publication, _member = content
    for encoding in ("", "gzip"):
        django_cache.clear()
        with time_machine.travel(timezone.now(), tick=False):
            Client().get("/publications/", HTTP_ACCEPT_ENCODING=encoding)
            hit = Client().get("/publications/", HTTP_ACCEPT_ENCODING=encoding)
            edit(publication, title=f"A corrected appeal ({encoding})")
            _renders, meanwhile = renders_with_visitors_meanwhile(
                monkeypatch, "/publications/", visitors=1, HTTP_ACCEPT_ENCODING=encoding
            )
            Client().get("/publications/")
        monkeypatch.undo()
        (stale,) = meanwhile

        assert (hit.page_cache, stale.page_cache) == ("hit", "stale")
        assert stale.content == hit.content
        assert dict(stale.items()) == dict(hit.items())
        assert not CACHE_STATE_HEADERS & {name.lower() for name in stale.headers}


def test_a_takedown_is_never_served_from_a_copy_rendered_before_it(monkeypatch):
    """Each way an item leaves the public site, a second after an editor's save of another
    item made every cached page a copy that may be served stale: at its end no page shows it,
    to the request that renders or to any visitor meanwhile."""
    end = (timezone.now() + timedelta(hours=1)).replace(microsecond=0)
    takedowns = {
        "unpublish": lambda item: (
            services.unpublish(publications=[item], user=publisher()),
            acted(),
        ),
        "delete": lambda item: (workflow.delete(objs=[item], user=publisher()), acted()),
        "end brought forward": lambda item: edit(item, unpublish_at=end),
        "scheduled end": lambda item: None,  # the clock alone
    }
    for kind, take_down in takedowns.items():
        django_cache.clear()
        title = f"Embargoed appeal ({kind})"
        item = PublicationFactory(
            title=title, unpublish_at=end if kind == "scheduled end" else None
        )
        other = PublicationFactory(title="Another appeal")
        paths = ["/publications/", "/feeds/rss/", item.get_absolute_url()]
        with time_machine.travel(end - timedelta(seconds=3), tick=False) as clock:
            assert all(title in html(Client().get(path)) for path in paths), kind
            clock.move_to(end - timedelta(seconds=2))
            edit(other, title="Another appeal, corrected")
            clock.move_to(end - timedelta(seconds=1))
            take_down(item)
            clock.move_to(end)
            for path in paths:
                _renders, meanwhile = renders_with_visitors_meanwhile(monkeypatch, path)
                answers = [Client().get(path), *meanwhile]
                monkeypatch.undo()

                for response in answers:
                    assert getattr(response, "page_cache", None) != "stale", (kind, path)
                    assert title not in html(response), (kind, path)
