"""No request a visitor or a staff member can send yields a 5xx, and nothing they send comes
back as markup.

Every URL pattern of the public site (the resolver is walked, so a new route is covered the day
it is added) gets generated requests: its path parameters filled with existing objects or
hostile text, and a hostile query string — repeated parameters, NUL and control characters,
invalid UTF-8 percent-escapes, lone surrogates, zero, huge, negative, float and Arabic-Indic
numbers, very long values, and markup that tries to open an element or an attribute; as a
visitor, and again as an Editor, a Publisher, Communications staff and a superuser.

Every admin URL pattern is walked the same way by each of them (test_no_admin_request_...):
filled with real rows (publications with their translations, members, editorial pages, each
with history entries, one of which clashes with what was saved since) and hostile ids; each
changelist with odd query strings and every filter it offers given bad values; each compare
with real and foreign versions; then every form a page shows is sent back as shown (empty text
boxes filled in), restores of every history entry included. A route with a parameter the walk
cannot fill fails the walk. Runs on SQLite and PostgreSQL (which refuses NUL) with a bounded
number of examples per route.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urljoin

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.urls import get_resolver
from django.utils.regex_helper import normalize
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumasia import history
from members import services as member_services
from newsletter import data_protection, exports
from pages import services as page_services
from publications import services
from publications.models import Publication
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MailingListFactory,
    MemberOrganisationFactory,
    PageFactory,
    PartnerOrganisationFactory,
    PickFactory,
    PublicationFactory,
    SubscriberFactory,
    SubSiteFactory,
    SuperUserFactory,
    country,
    editor,
    publisher,
    staff_in,
)
from tests.forumasia.test_retries import DATABASE_QUEUE, flaky_delivery
from wordpress.models import ImportRun

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


# Who walks: a visitor, and each kind of staff member (made by the migrations' groups).
STAFF = {
    "editor": editor,
    "publisher": publisher,
    "communications": lambda: staff_in("Communications staff"),
    "superuser": SuperUserFactory,
}
# Generated requests per route and walker: staff walks add to the visitor's, not repeat it.
EXAMPLES = {"visitor": 20, **dict.fromkeys(STAFF, 6)}


@pytest.mark.parametrize("walker", EXAMPLES)
@pytest.mark.parametrize("route", ROUTES, ids=[route[1] or "/" for route in ROUTES])
def test_no_request_yields_a_5xx_or_echoes_markup(client, existing, route, walker):
    if walker in STAFF:
        client.force_login(STAFF[walker]())
    _namespace, template, parameters = route
    first = {name: existing.get(name, ["x"])[0] for name in parameters}
    for query in known_bad_queries():
        assert_answered_safely(client, f"/{template % first}?{query}")
    for name in parameters:
        for value in KNOWN_BAD_VALUES:
            path_value = value + "/" if name == "url" else value
            assert_answered_safely(client, "/" + template % {**first, name: path_value})

    @settings(
        max_examples=EXAMPLES[walker],
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
    html = client.get("/admin/login/").content.decode()

    assert "<title>Log in | forumasia administration</title>" in html
    assert '<div id="site-name"><a href="/admin/">forumasia administration</a></div>' in html
    assert "Django" not in html


# --- every admin URL, as each kind of staff member ----------------------------------------------


def admin_routes():
    """(template, parameters) of every admin endpoint, e.g. ("admin/publications/publication/
    %(object_id)s/change/", ("object_id",))."""
    namespace_prefix, resolver = get_resolver().namespace_dict["admin"]
    [(prefix, _params)] = normalize(namespace_prefix)
    return sorted(
        {
            prefix + template: tuple(parameters)
            for entries in resolver.reverse_dict.lists()
            for bits, _pattern, _defaults, _converters in entries[1]
            for template, parameters in bits
        }.items()
    )


ADMIN_ROUTES = admin_routes()
HOSTILE_IDS = ["99999999999999999999", "%00", "%3Cx-h%3E"]
# Query strings every changelist gets, and bad values for each filter it offers.
CHANGELIST_QUERIES = [
    "o=99",
    "o=-1.x.%00",
    "p=99999999999999999999",
    "q=%3Cx-h%3E",
    "q=%00",
    "all=",
    "_to_field=password",
    "nosuchfield=1",
]
BAD_FILTER_VALUES = ["%00", "9999", "99999999999999999999", "%3Cx-h%3E"]
FORM_QUERIES = ["_popup=1", "_changelist_filters=%3Cx-h%3E", "_to_field=%3Cx-h%3E"]


def model_of(template):
    """The model an admin route belongs to ("admin/<app>/<model>/..."), or None."""
    parts = template.split("/")
    if len(parts) < 4 or not parts[1] or not parts[2]:
        return None
    try:
        return apps.get_model(parts[1], parts[2])
    except (LookupError, ValueError):
        return None


def pks(model):
    return [str(pk) for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)]


def admin_paths(template, parameters, *, thorough=True):
    """Every path the walk asks for `template`: its parameters filled with real rows and (when
    `thorough`) odd and hostile values. Fails on a parameter it does not know (a new route
    must be taught here)."""
    real, odd = admin_values(template, parameters)
    return ["/" + template % values for values in (real + odd if thorough else real)]


def admin_values(template, parameters):
    """([parameters of real rows], [odd and hostile parameters]) for `template`."""
    model = model_of(template)
    if not parameters:
        return [{}], []
    if parameters == ("app_label",):
        labels = sorted({registered._meta.app_label for registered in admin.site._registry})
        return [{"app_label": label} for label in labels], [
            {"app_label": label} for label in ["nope", "%00"]
        ]
    if parameters == ("url",):
        return [], [{"url": url} for url in ["nope/", "publications/x/", "%3Cx-h%3E/"]]
    if parameters == ("content_type_id", "object_id"):
        real = [
            {"content_type_id": ContentType.objects.get_for_model(registered).pk, "object_id": pk}
            for registered in admin.site._registry
            for pk in pks(registered)[:1]
        ]
        odd = [("0", "1"), ("99999999999999999999", "x"), (real[0]["content_type_id"], "%00")]
        return real, [{"content_type_id": ct, "object_id": pk} for ct, pk in odd]
    if parameters == ("object_id", "version_id"):
        real = [
            {"object_id": pk, "version_id": version.pk}
            for pk in pks(model)
            for version in history.versions_of(model._default_manager.get(pk=pk))
        ]
        foreign = history.Version.objects.exclude(object_id__in=pks(model)).first()
        odd = [{"object_id": value, "version_id": "1"} for value in HOSTILE_IDS]
        if real:
            versions = ["0", "99999999999999999999", *([foreign.pk] if foreign else [])]
            odd += [{**real[0], "version_id": version} for version in versions]
        return real, odd
    if parameters == ("fmt",):
        return [{"fmt": "csv"}, {"fmt": "csv-bom"}], [{"fmt": "xlsx"}, {"fmt": "%3Cx-h%3E"}]
    (name,) = parameters
    assert name in ("object_id", "pk", "id"), f"the walk cannot fill {template}: teach it"
    real = [{name: pk} for pk in (pks(model)[:3] if model else [])]
    return real, [{name: value} for value in HOSTILE_IDS]


class FilterLinks(HTMLParser):
    """The query strings of a changelist's filter links (href="?...")."""

    def __init__(self):
        super().__init__()
        self.queries = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("?"):
            self.queries.append(href[1:])


def admin_queries(template, path, client, *, thorough=True):
    """The query strings the walk sends with `path`: the page as its links lead (when
    `thorough`, odd and hostile ones too)."""
    real, odd = query_values(template, path, client)
    return real + odd if thorough else real


def query_values(template, path, client):
    """([query strings as links make them], [odd and hostile ones]) for `path`."""
    if template.endswith("/history/compare/"):
        model, pk = model_of(template), path.split("/")[-4]
        obj = model._default_manager.get(pk=pk) if pk in pks(model) else None
        versions = [version.pk for version in history.versions_of(obj)] if obj else []
        foreign = history.Version.objects.exclude(pk__in=versions).first()
        pairs = [(a, b) for a in versions for b in versions][:4]
        odd = [(versions[0], foreign.pk)] if versions and foreign else []
        odd += [("x", "1"), ("", ""), ("99999999999999999999", "-1")]
        return [f"from={a}&to={b}" for a, b in pairs], [
            *(f"from={a}&to={b}" for a, b in odd),
            "from=1&from=2&to=%00",
        ]
    if template.endswith("/add/"):
        translations = [f"translation_of={pk}" for pk in pks(Publication)[:3]]
        return ["", *translations], [*FORM_QUERIES, "translation_of=x"]
    if model_of(template) and template.count("/") == 3:  # a changelist
        finder = FilterLinks()
        finder.feed(client.get(path).content.decode("utf-8", "replace"))
        # One link of each filter (a list of 40 countries is one filter), then bad values.
        offered = {tuple(sorted(dict(parse_qsl(q)))): q for q in reversed(finder.queries)}
        names = {name for key in offered for name in key} - {"o", "p", "q", "e"}
        bad = [f"{name}={value}" for name in sorted(names) for value in BAD_FILTER_VALUES]
        return ["", *offered.values()], [*CHANGELIST_QUERIES, *bad]
    return [""], []


class PostForms(HTMLParser):
    """The POST forms of a page (the header's log-out form aside): their action and the fields
    as a browser would send them unchanged, with empty text boxes filled in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.current = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "form":
            post = (attributes.get("method") or "").lower() == "post"
            logout = "logout" in (attributes.get("action") or "")
            self.current = (
                {"action": attributes.get("action") or "", "data": []}
                if post and not logout
                else None
            )
            if self.current is not None:
                self.forms.append(self.current)
        elif self.current is None or not name:
            return
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            value = attributes.get("value") or ""
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("text", "search", "url", "email", "number") and not value:
                value = "x"
            self.current["data"].append((name, value))
        elif tag == "select":
            self.select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self.select is not None:
            value = attributes.get("value", "")
            self.select["first"] = value if self.select["first"] is None else self.select["first"]
            if "selected" in attributes:
                self.select["chosen"] = value
        elif tag == "textarea":
            self.textarea = name
            self.current["data"].append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select is not None and self.current is not None:
            value = self.select["chosen"] or self.select["first"] or ""
            self.current["data"].append((self.select["name"], value))
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.current is not None:
            name, value = self.current["data"][-1]
            self.current["data"][-1] = (name, value + data)


@pytest.fixture
def admin_rows(settings):
    """Real rows for every admin the walk visits, with history: a publication (signatories,
    themes, attachment, gallery) and its translations, one of whose history entries clashes
    with a translation made since; a member, whose first name another member took since; an
    editorial page; and a row of every other model in the admin."""
    author = publisher()
    member = MemberOrganisationFactory(country=country("TH"))
    original = PublicationFactory(
        countries=[country("TH")],
        tags=["Land rights"],
        signatories=[member, PartnerOrganisationFactory()],
    )
    AttachmentFactory(publication=original)
    GalleryImageFactory(publication=original)
    for title in ("First title", "Second title"):
        original.title = title
        services.save_publication(publication=original, user=author)
    translation = PublicationFactory(translation_of=original, language="th", status="draft")
    services.save_publication(publication=translation, user=author)
    translation.language = "id"
    services.save_publication(publication=translation, user=author)
    # Its first history entry says Thai: restoring it now clashes with this one.
    PublicationFactory(translation_of=original, language="th", status="draft")
    member_services.save_member(member=member, user=author)
    first_name, member.name = member.name, "Renamed Centre"
    member_services.save_member(member=member, user=author)
    # Its first history entry's name is taken since: restoring it clashes too.
    MemberOrganisationFactory(name=first_name)
    page = PageFactory(path="/walked/", title="Walked", body="<p>One.</p>")
    for body in ("<p>Two.</p>", "<p>Three.</p>"):
        page.body = body
        page_services.save_page(page=page, user=author)
    Redirect.objects.create(site=Site.objects.get_current(), old_path="/a/", new_path="/b/")
    sub_site = SubSiteFactory(host="walked.example.org", publication_types=["report"])
    sub_site.countries.set([country("TH")])
    PickFactory(sub_site=sub_site, publication=original, is_pinned=True)
    subscriber = SubscriberFactory()
    MailingListFactory()
    exports.request_export_file(query="", fmt="csv", user_id=SuperUserFactory().pk)
    data_protection.erase(subscriber=SubscriberFactory(), by=author)
    ImportRun.objects.create(original_name="site.xml", state=ImportRun.State.CHECKED)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        fields = {"user_agent": "walker", "ip_address": "203.0.113.9", "http_accept": "*/*"}
        if model is AccessAttempt:
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        model.objects.create(username="nobody", path_info="/admin/login/", **fields)
    tasks, settings.TASKS = settings.TASKS, DATABASE_QUEUE
    flaky_delivery.enqueue("walker@example.org", failures=0)
    settings.TASKS = tasks
    return subscriber


def answered(client, method, path, data=None):
    """`path` asked in a transaction of its own; the response and what went wrong, if anything."""
    with transaction.atomic():
        response = client.post(path, data or {}) if method == "POST" else client.get(path)
    body = b"".join(response) if response.streaming else response.content
    if response.status_code >= 500:
        return response, f"{method} {path}: {response.status_code}"
    if b"<x-h" in body:
        return response, f"{method} {path}: markup echoed"
    if response.get("Content-Type", "").startswith("text/html"):
        finder = InjectedMarkupFinder()
        finder.feed(body.decode("utf-8", "replace"))
        if finder.found:
            return response, f"{method} {path}: {finder.found}"
    return response, None


@pytest.mark.parametrize("walker", STAFF)
def test_no_admin_request_yields_a_5xx_or_echoes_markup(client, admin_rows, walker):
    user = STAFF[walker]()
    client.force_login(user)
    client.raise_request_exception = False
    # The superuser reaches every page: it sends the odd and hostile requests; the others walk
    # the pages as their links lead, where permissions make them differ.
    thorough = walker == "superuser"
    failures, forms = [], []
    for template, parameters in ADMIN_ROUTES:
        for path in admin_paths(template, parameters, thorough=thorough):
            for query in admin_queries(template, path, client, thorough=thorough):
                response, failure = answered(client, "GET", f"{path}?{query}" if query else path)
                failures += [failure] if failure else []
                is_page = response.status_code == 200 and "html" in response.get("Content-Type", "")
                if not query and is_page and not template.endswith("/delete/"):
                    forms.append((path, response.content.decode("utf-8", "replace")))
    for path, html in forms:
        finder = PostForms()
        finder.feed(html)
        for form in finder.forms:
            client.force_login(user)  # a form may have logged out (a password change)
            action = urljoin(path, form["action"]) if form["action"] else path
            data = {name: [v for n, v in form["data"] if n == name] for name, _ in form["data"]}
            _response, failure = answered(client, "POST", action, data)
            failures += [failure] if failure else []

    assert not failures, "\n".join(failures)


def test_the_admin_walk_reaches_every_kind_of_admin_page():
    templates = {template for template, _parameters in ADMIN_ROUTES}

    assert {
        "admin/publications/publication/%(object_id)s/history/%(version_id)s/restore/",
        "admin/publications/publication/%(object_id)s/history/compare/",
        "admin/taggit/tag/",
        "admin/r/%(content_type_id)s/%(object_id)s/",
    } <= templates
    for template, parameters in ADMIN_ROUTES:
        assert admin_paths(template, parameters), template  # fails on an unknown parameter
