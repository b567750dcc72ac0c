"""No request a visitor can send yields a 5xx, and nothing they send comes back as markup.

Every URL pattern of the site (the resolver is walked, so a new route is covered the day it
is added; only the admin is left out) gets generated requests: its path parameters filled
with existing objects or hostile text, and a hostile query string — repeated parameters, NUL
and control characters, invalid UTF-8 percent-escapes, lone surrogates, zero, huge, negative,
float and Arabic-Indic numbers, very long values, and markup that tries to open an element or
an attribute. Runs on SQLite and PostgreSQL (which refuses NUL) with a bounded number of
examples per route.
"""

from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.db import transaction
from django.urls import get_resolver
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = ("admin",)


def public_routes(resolver=None, prefix="", namespace=""):
    """(name, template, parameters) of every endpoint, e.g. ("publications:", "publications/
    %(slug)s/", ("slug",)), from the resolver's own reverse tables."""
    resolver = resolver or get_resolver()
    routes = {}
    for entries in resolver.reverse_dict.lists():
        for bits, _pattern, _defaults, _converters in entries[1]:
            for template, parameters in bits:
                routes[prefix + template] = (namespace, prefix + template, tuple(parameters))
    for name, (namespace_prefix, child) in resolver.namespace_dict.items():
        if name in SKIPPED_NAMESPACES:
            continue
        [(child_prefix, _params)] = normalize(namespace_prefix)
        for route in public_routes(child, prefix + child_prefix, f"{namespace}{name}:"):
            routes[route[1]] = route
    return list(routes.values())


ROUTES = sorted(public_routes(), key=lambda route: route[1])

# Markup a page could echo: an element, or the end of an attribute value and a new attribute.
INJECTIONS = ["<x-h>", '"><x-h>', '" x-h="', "' x-h='", "</title><x-h>", "<x-h"]


class InjectedMarkupFinder(HTMLParser):
    """Finds an element or attribute named x-h: an HTML page that made one out of the request."""

    found = None

    def handle_starttag(self, tag, attrs):
        if tag == "x-h" or any(name == "x-h" for name, _value in attrs):
            self.found = self.get_starttag_text()


numbers = st.one_of(
    st.sampled_from(
        ["0", "0000", "-1", "1.5", "1e9", "2024.0", "99999999999999999999", "٠٠٠٠", "٢٠٢٤", "０１"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
hostile_text = st.one_of(
    numbers,
    st.text(alphabet=st.characters(codec=None), max_size=40),  # controls, lone surrogates
    st.text(alphabet="\x00\x01\x0b\x0c\x1f\x7f\ud800\ufffe ", min_size=1, max_size=5),
    st.tuples(st.text(max_size=10), st.sampled_from(INJECTIONS), st.text(max_size=10)).map("".join),
    st.integers(min_value=300, max_value=6000).map(lambda n: "x" * n),
)


def encoded(value):
    """Percent-encoded as a browser would, lone surrogates included (invalid UTF-8)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


# Raw escapes that are not UTF-8 at all, or not escapes.
raw_escapes = st.sampled_from(["%ff", "%c0%80", "%ed%a0%80", "%", "%zz", "%e0%b8", "%00"])
query_values = st.one_of(hostile_text.map(encoded), raw_escapes)
parameter_names = st.one_of(
    st.sampled_from(["type", "country", "tag", "year", "q", "page", "p", "region", "utm_source"]),
    hostile_text.map(encoded),
)
query_strings = st.lists(st.tuples(parameter_names, query_values), max_size=6).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)
)


def path_values(existing, name):
    hostile = hostile_text.map(encoded)
    if name == "url":  # editorial pages' addresses end with a slash
        hostile = hostile.map(lambda value: value + "/")
    return st.one_of(st.sampled_from(existing.get(name, ["x"])), hostile)


def assert_answered_safely(client, url):
    with transaction.atomic():  # a database error rolls back here, not the whole test
        response = client.get(url)
    assert response.status_code < 500, url
    body = b"".join(response) if response.streaming else response.content
    # Escaped, "<" never comes back as itself: not in HTML, XML, JSON or plain text.
    assert b"<x-h" not in body, url
    if response.get("Content-Type", "").startswith("text/html"):
        finder = InjectedMarkupFinder()
        finder.feed(body.decode("utf-8", "replace"))
        assert finder.found is None, (url, finder.found)


# Every parameter a page reads, and values known to have broken one: each route gets each value
# in each parameter alone (one unknown filter can hide another: "no such country" returns
# nothing before the year is used), then repeated, before the generated requests.
KNOWN_PARAMETERS = ["type", "country", "tag", "year", "q", "page", "p", "region"]
KNOWN_BAD_VALUES = [
    "0000",
    "%D9%A0%D9%A0%D9%A0%D9%A0",  # ٠٠٠٠
    "-1",
    "1e309",
    "99999999999999999999",
    "%00",
    "a%01b",
    "%0B",
    "%ff",
    "%ED%A0%80",  # a lone surrogate, UTF-8-encoded
    "x" * 3000,
    "%3Cx-h%3E",
    "%22+x-h%3D%22",
]


def known_bad_queries():
    for value in KNOWN_BAD_VALUES:
        for name in KNOWN_PARAMETERS:
            yield f"{name}={value}"
        yield "&".join(f"{name}=th&{name}={value}" for name in KNOWN_PARAMETERS)


@pytest.mark.parametrize("route", ROUTES, ids=[route[1] or "/" for route in ROUTES])
def test_no_request_yields_a_5xx_or_echoes_markup(client, existing, route):
    _namespace, template, parameters = route
    first = {name: existing.get(name, ["x"])[0] for name in parameters}
    for query in known_bad_queries():
        assert_answered_safely(client, f"/{template % first}?{query}")
    for name in parameters:
        for value in KNOWN_BAD_VALUES:
            path_value = value + "/" if name == "url" else value
            assert_answered_safely(client, "/" + template % {**first, name: path_value})

    @settings(
        max_examples=20,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        values=st.fixed_dictionaries({name: path_values(existing, name) for name in parameters}),
        query=query_strings,
    )
    def answered(values, query):
        path = "/" + template % values
        assert_answered_safely(client, f"{path}?{query}" if query else path)

    answered()


def test_every_public_route_is_exercised():
    templates = {route[1] for route in ROUTES}

    assert {"", "publications/", "publications/%(slug)s/", "search/", "feeds/rss/"} <= templates
    assert "sitemap-%(section)s.xml" in templates and "%(url)s" in templates
    assert not any(template.startswith("admin/") for template in templates)


def test_admin_is_branded(client):
    response = client.get("/admin/login/")

    assert b"forumasia administration" in response.content
