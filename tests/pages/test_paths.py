"""pages/paths.py: an editorial page's address is a path on this site that no application
answers, whatever string an editor (or an import) gives.

The class of fault: a page whose address led off the site (`//evil.example/` made old
WordPress links redirect there) or sat among an application's addresses
(`/publications/<slug>/annex/`, live at once). Hypothesis generates addresses from hostile
parts (slashes, backslashes, encoded characters, control characters, dots, scripts, the
applications' own first parts); whatever the validator accepts must be a same-site path that
Django's resolver sends to the page view and nothing else, at every level.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pages.paths import PAGE_ROUTE, validate_page_path
from tests.forumasia.test_urls import public_routes


def refusal(path):
    try:
        validate_page_path(path)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


# The addresses the security review and the issue name, and a few of each kind.
APPLICATION_ADDRESSES = [
    "/publications/",
    "/publications/a-statement/",
    "/publications/a-statement/annex/",
    "/statements/",
    "/letters/2024/",
    "/reports/",
    "/stories/x/",
    "/admin/",
    "/admin/pages/page/",
    "/newsletter/",
    "/newsletter/confirm/x/",
    "/feeds/",
    "/feeds/rss/",
    "/feeds/anything/",
    "/members/",
    "/members/a-member/annex/",
    "/countries/",
    "/countries/th/",
    "/search/",
    "/sitemap.xml/",
    "/sitemap-pages.xml/",
    "/sitemap-anything/",
    "/healthz/",
    "/robots.txt/",
    "/favicon.ico/",
    "/media/",
    "/media/publications/x/",
    "/static/",
    "/static/css/",
]


@pytest.mark.parametrize("path", APPLICATION_ADDRESSES)
def test_an_address_under_or_equal_to_an_application_is_refused_with_the_reason(path):
    assert "belong to the site itself" in refusal(path)


@pytest.mark.parametrize(
    "path, reason",
    [
        ("//evil.example/", "“//” cannot be in an address"),
        ("/about//team/", "“//” cannot be in an address"),
        ("/about\\evil.example/", "“\\” cannot be in an address"),
        ("/about%2F%2Fevil.example/", "“%” cannot be in an address"),
        ("/a%00b/", "“%” cannot be in an address"),
        ("/about\x00/", "control character (U+0000)"),
        ("/about\n/", "control character (U+000A)"),
        ("/about us/", "space or control character (U+0020)"),
        ("/about/../admin/", "only dots"),
        ("/./", "only dots"),
        ("about/", "starts and ends with “/”"),
        ("/about", "starts and ends with “/”"),
        ("/", "starts and ends with “/”"),
        ("/https:/evil.example/", "“:” cannot be in an address"),
        ("/" + "a" * 200 + "/", "at most 200 characters"),
    ],
)
def test_an_address_that_could_leave_the_site_or_be_read_two_ways_is_refused(path, reason):
    assert reason in refusal(path)


@pytest.mark.parametrize(
    "path", ["/about/", "/about/who-we-work-with/", "/เกี่ยวกับเรา/", "/ážđ_2024.v1~/", "/pages/x/"]
)
def test_plain_addresses_in_any_script_are_accepted(path):
    assert refusal(path) is None


def test_every_route_of_the_site_is_refused_with_everything_under_it():
    """A walk of the URLconf's reverse tables (tests/forumasia/test_urls.py), the admin too:
    a route added later is covered the day it is added."""
    templates = {template for _namespace, template, _parameters in public_routes()}
    templates |= {"admin/", "admin/%(app_label)s/"}
    for template in sorted(templates - {"", "%(url)s"}):
        path = "/" + template % dict.fromkeys(_parameters_of(template), "x")
        path = path if path.endswith("/") else path + "/"
        assert refusal(path), path
        assert refusal(path + "annex/"), path


def _parameters_of(template):
    return re.findall(r"%\((\w+)\)s", template)


def _is_page_route(path):
    try:
        return resolve(path).url_name == PAGE_ROUTE
    except Resolver404:
        return True  # nothing else answers it


FIRST_PARTS = sorted(
    {template.split("/", 1)[0] for _n, template, _p in public_routes() if template}
    | {"admin", "media", "static"}
)
part_characters = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(["/", "\\", "%", "%2F", "%2f", "%00", ".", "..", ":", "@", "?", "#"]),
    st.sampled_from(["\x00", "\x09", "\x0a", "\x0d", "\x1f", "\x7f", "\x85", " ", "\u200b"]),
    st.sampled_from(["ก", "ี", "่", "ខ", "្", "မ", "်", "é", "ß", "xn--"]),
)
parts = st.one_of(
    st.lists(part_characters, min_size=0, max_size=6).map("".join),
    st.sampled_from(FIRST_PARTS),
    st.sampled_from(["evil.example", "localhost", "127.0.0.1", "xn--80ak6aa92e.com", "", ".."]),
)
addresses = st.one_of(
    st.lists(parts, min_size=1, max_size=4).map(lambda items: "/" + "/".join(items) + "/"),
    st.tuples(st.sampled_from(["", "/", "//", "\\", "/\\", "http:", "https://"]), parts).map(
        "".join
    ),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(path=addresses)
@example(path="//evil.example/")
@example(path="/\\evil.example/")
@example(path="/%2F%2Fevil.example/")
@example(path="/http:evil.example/")
@example(path="/\x00/")
@example(path="/xn--80ak6aa92e.com/")
def test_an_accepted_address_is_a_path_on_this_site_that_only_the_page_view_answers(path):
    if refusal(path):
        return
    parts = urlsplit(path)
    assert (parts.scheme, parts.netloc) == ("", "")
    assert url_has_allowed_host_and_scheme(path, allowed_hosts={"testserver"})
    assert path.startswith("/") and not path.startswith("//") and path.endswith("/")
    assert not any(character in path for character in "\\%? #") and path.isprintable()
    assert resolve(path).url_name == PAGE_ROUTE
    # Nor is any address above it an application's.
    pieces = path.strip("/").split("/")
    for depth in range(1, len(pieces)):
        above = "/" + "/".join(pieces[:depth])
        assert _is_page_route(above + "/") and _is_page_route(above), above
