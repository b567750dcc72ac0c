"""The site in each interface language by address (forumasia/locale.py, forumasia/urls.py):
English unprefixed at every address it always had, Thai under /th/ and Indonesian under /id/;
no cookie and no redirect chooses a language; each page says its language, links to itself in
the others and lists them as alternates; the page cache never serves one language's page for
another's."""

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import resolve
from django.utils import translation

from pages.models import Page
from pages.paths import validate_page_path
from tests.factories import MemberOrganisationFactory, PublicationFactory, country
from tests.forumasia.test_urls import ROUTES

pytestmark = pytest.mark.django_db

SITE = "http://localhost:8000"
# Answered at one address whatever the language (forumasia/urls.py): not pages people read.
UNPREFIXED = {
    "feed-rss",
    "feed-atom",
    # The newsletter's feeds name their language in their own address (mailings/feed_urls.py).
    "newsletter-rss",
    "newsletter-atom",
    "owned-file",
    "healthz",
    "robots-txt",
    "favicon",
    "sitemap",
    "sitemap-section",
    # A sub-site's colour, one stylesheet for all its languages (subsites/stylesheet.py).
    "sub-site-accent",
    # Email services post bounces and complaints here (mailings/webhook_urls.py).
    "tracking_webhook",
}


class HeadLinks(HTMLParser):
    """<html lang>, the alternates (hreflang: href) and the language switcher's links."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.alternates = {}
        self.switcher = []
        self.in_switcher = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and attrs.get("class") == "language-switcher":
            self.in_switcher = True
        elif tag == "a" and self.in_switcher:
            self.switcher.append(attrs)

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_switcher = False


def head_links(response):
    parser = HeadLinks()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def about():
    """The About page the migrations create, with a title of its own."""
    page = Page.objects.get(path="/about/")
    Page.objects.filter(pk=page.pk).update(title="About the network")
    return page


@pytest.mark.parametrize(
    ("prefix", "language"), [("", "en"), ("/th", "th"), ("/id", "id")], ids=["en", "th", "id"]
)
def test_each_page_answers_in_the_language_its_address_names(client, about, prefix, language):
    publication = PublicationFactory()
    member = MemberOrganisationFactory(country=country("TH"))
    for path in [
        "/",
        "/publications/",
        "/statements/",
        publication.get_absolute_url(),
        "/members/",
        member.get_absolute_url(),
        "/countries/th/",
        "/search/?q=appeal",
        "/newsletter/",
        "/about/",
    ]:
        response = client.get(prefix + path)
        assert response.status_code == 200, prefix + path
        assert head_links(response).lang == language, prefix + path
        assert response["Content-Language"] == language


def test_no_language_cookie_no_redirect_and_no_vary_on_the_browsers_language(client, about):
    for path in ["/", "/th/", "/id/", "/th/publications/", "/id/about/", "/th/members/"]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="th,id;q=0.9", HTTP_COOKIE="")
        assert response.status_code == 200, path
        assert not response.cookies, path
        assert "Accept-Language" not in response.get("Vary", ""), path
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="th", HTTP_COOKIE="django_language=id")
    assert head_links(english).lang == "en"


def test_an_editorial_page_answers_under_each_prefix_and_old_addresses_still_redirect(
    client, about
):
    Redirect.objects.create(site=Site.objects.get_current(), old_path="/who/", new_path="/about/")

    assert "About the network" in client.get("/th/about/").content.decode()
    assert client.get("/about").url == "/about/"
    assert client.get("/th/about").url == "/th/about/"
    assert client.get("/who/").url == "/about/"
    assert client.get("/th/no-such-page/").status_code == 404


def test_an_editorial_page_cannot_take_a_language_prefix_as_its_address():
    for path in ["/th/", "/id/history/", "/en/"]:
        with pytest.raises(ValidationError):
            validate_page_path(path)
    validate_page_path("/thailand/")


def test_the_switcher_links_this_page_in_each_language_named_in_itself(client, about):
    page = head_links(client.get("/th/about/"))

    assert [(link["href"], link["lang"], link.get("aria-current")) for link in page.switcher] == [
        ("/about/", "en", None),
        ("/th/about/", "th", "true"),
        ("/id/about/", "id", None),
    ]
    body = client.get("/").content.decode()
    names = re.findall(r'hreflang="\w+" lang="\w+"[^>]*>([^<]+)</a>', body)
    assert names == ["English", "ไทย", "Bahasa Indonesia"]


def test_header_and_footer_links_keep_the_language_prefix(client, about):
    body = client.get("/id/").content.decode()

    for path in ["/id/publications/", "/id/statements/", "/id/members/", "/id/newsletter/"]:
        assert f'href="{path}"' in body, path
    assert 'href="/id/about/"' in body
    assert 'action="/id/search/"' in body
    assert 'href="/feeds/rss/"' in body


def test_every_page_lists_itself_in_each_language_with_an_english_default(client, about):
    for path in ["/publications/?page=1", "/th/about/", "/id/members/"]:
        alternates = head_links(client.get(path)).alternates
        bare = path.removeprefix("/th").removeprefix("/id").split("?")[0]
        assert alternates == {
            "en": SITE + bare,
            "th": SITE + "/th" + bare,
            "id": SITE + "/id" + bare,
            "x-default": SITE + bare,
        }, path


def test_a_publications_alternates_are_its_translations_each_in_its_own_language(client):
    original = PublicationFactory(slug="appeal", language="en")
    thai = PublicationFactory(slug="appeal-th", language="th", translation_of=original)
    urdu = PublicationFactory(slug="appeal-ur", language="ur", translation_of=original)
    expected = {
        "en": SITE + "/publications/appeal/",
        "th": SITE + "/th/publications/appeal-th/",
        "ur": SITE + "/publications/appeal-ur/",
        "id": SITE + "/id/publications/appeal/",
        "x-default": SITE + "/publications/appeal/",
    }

    assert head_links(client.get("/publications/appeal/")).alternates == expected
    from_thai = head_links(client.get("/th/publications/appeal-th/")).alternates
    assert from_thai == expected | {"id": SITE + "/id/publications/appeal-th/"}
    assert thai.pk and urdu.pk


def test_dates_are_written_in_the_readers_language(client):
    path = PublicationFactory(publish_at=datetime(2025, 3, 10, 5, tzinfo=UTC)).get_absolute_url()

    assert "10 March 2025" in client.get(path).content.decode()
    assert "10 มีนาคม 2025" in client.get("/th" + path).content.decode()
    assert "10 Maret 2025" in client.get("/id" + path).content.decode()


def test_the_page_cache_keeps_each_language_apart(client, about):
    assert client.get("/publications/").page_cache == "miss"
    thai = client.get("/th/publications/")
    assert thai.page_cache == "miss"
    assert head_links(client.get("/th/publications/")).lang == "th"
    assert head_links(client.get("/publications/")).lang == "en"
    assert client.get("/id/publications/").page_cache == "miss"


def test_every_public_route_answers_under_each_language_prefix(client, existing, about):
    """The resolver is walked (tests/forumasia/test_urls.py): a route added later answers in
    Thai and Indonesian the day it is added, or is named here as one address for all."""
    for _namespace, template, parameters in ROUTES:
        filled = {name: existing.get(name, ["x"])[0] for name in parameters}
        path = "/" + template % filled
        with translation.override("en"):
            name = resolve(path).url_name
        english = client.get(path).status_code
        for language in ("th", "id"):
            with translation.override(language):
                match = resolve(f"/{language}{path}") if name not in UNPREFIXED else None
            if match is None:  # one address for all: nothing answers it under a prefix
                assert client.get(f"/{language}{path}").status_code in (301, 404), path
                continue
            assert match.url_name == name, path
            answer = client.get(f"/{language}{path}").status_code
            assert answer == english, (f"/{language}{path}", answer, english)


def test_the_not_found_page_and_the_newsletters_pages_link_in_their_language(client):
    body = client.get("/th/no-such-page/").content.decode()

    assert 'href="/th/publications/"' in body
    assert 'href="/th/"' in body
    home = Template("{% load languages %}{% language_prefix %}")
    for language, prefix in (("en", "/"), ("th", "/th/"), ("id", "/id/")):
        with translation.override(language):
            assert home.render(Context()) == prefix
