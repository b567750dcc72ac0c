"""Redirects (forumasia/redirects.py).

Old addresses: whatever sequence of renames, every address a page had leads to where it is now
in one hop, and no redirect leads away from a live address.

Every redirect stays on the site: hostile targets (`//x`, `/\\x`, `%2F%2Fx`, `/%2F/x`, `http:x`,
leading spaces and controls, IDN and fullwidth hosts, `javascript:`) are refused when a row is
saved, and a row planted without validation (SQL, an old backup) is never answered: a 404, or
the home page for `/?page_id=`, and a log line. A walk over the source finds every call that
builds a redirect; each module is in a reviewed list with a function that makes it answer.
"""

import ast
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponseRedirect
from django.test import Client
from django.urls import re_path, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from forumasia import history, redirects
from forumasia import urls as site_urls
from newsletter import tokens
from oldaddresses.models import ImportedItem, ImportedMedia, ImportedTerm
from pages.models import Page
from publications import services
from publications.models import Publication
from subsites.models import SubSite
from tests.factories import (
    PageFactory,
    PublicationFactory,
    SubscriberFactory,
    SubSiteFactory,
    SuperUserFactory,
    editor,
    publisher,
    staff_in,
)
from tests.publications.test_admin import ADD, form_data
from tests.wordpress.conftest import export_xml, forum_asia_items
from wordpress.models import ImportRun

pytestmark = pytest.mark.django_db

paths = st.sampled_from([f"/publications/{name}/" for name in "abcdef"])


@settings(max_examples=60, deadline=None)
@given(renames=st.lists(paths, min_size=1, max_size=8))
def test_any_renames_leave_one_hop_redirects_and_no_loop(renames):
    Redirect.objects.all().delete()
    current, former = "/publications/start/", set()

    for new_path in renames:
        if new_path == current:
            continue
        redirects.moved(old_path=current, new_path=new_path)
        former.add(current)
        current = new_path

    table = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert current not in table
    assert all(table[path] == current for path in former - {current})
    assert set(table) == former - {current}


def test_a_page_claiming_an_address_removes_the_redirect_from_it():
    redirects.moved(old_path="/members/a/", new_path="/members/b/")

    redirects.claimed(path="/members/a/")

    assert not Redirect.objects.exists()


# --- Every redirect stays on the site ----------------------------------------------------------

HOSTILE_CORES = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "/%2f%2fevil.example/",
    "/%252F%252Fevil.example/",
    "/%5Cevil.example/",
    "http:evil.example",
    "https://evil.example/",
    "HtTpS://evil.example/",
    "https:/evil.example/",
    "ftp://evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//ｅｖｉｌ.example/",
    "/／evil.example/",
    "／／evil.example/",
    "//пример.испытание/",
    "//xn--e1afmkfd.xn--80akhbyknj4f/",
    "//evil。example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r/evil.example/",
]
# What browsers drop before reading an address, or read as nothing at all.
IGNORED_CHARACTERS = " \t\n\r\x00\x01\x08\x0b\x0c\x1b\x1f\x7f\x85\xa0\u200b\u2028\u3000\ufeff"
off_site_targets = st.one_of(
    st.tuples(
        st.text(alphabet=IGNORED_CHARACTERS, max_size=3),
        st.sampled_from(HOSTILE_CORES),
        st.text(max_size=8),
    ).map("".join),
    st.tuples(
        st.just("/"),
        st.text(
            alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl"]), min_size=1, max_size=2
        ),
        st.sampled_from(["/evil.example/", "\\evil.example/"]),
    ).map("".join),
)
# Each example makes requests with the test's client (no state kept between them but rows).
SLOW = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
any_targets = st.one_of(off_site_targets, st.text(max_size=24), st.just("/publications/x/"))


def storable(target):
    """PostgreSQL keeps no NUL in text (SQLite does): such rows cannot exist there at all."""
    return connection.vendor != "postgresql" or "\x00" not in target


def leaves_the_site(location):
    """Would a browser following `location` from a page of this site go anywhere else? The
    WHATWG URL parser's reading: C0 controls and spaces trimmed at both ends, tabs and newlines
    dropped anywhere, a backslash read as a slash; then a scheme or "//" names where it goes:
    an http(s) address of the host asked (the test client's), of SITE_URL or of a sub-site
    stays, any other host or scheme leaves."""
    hosts = {
        "testserver",
        urlsplit(django_settings.SITE_URL).netloc,
        *SubSite.objects.exclude(host=None).values_list("host", flat=True),
    }
    text = location.strip("".join(chr(code) for code in range(0x21)))
    text = re.sub("[\t\n\r]", "", text).replace("\\", "/")
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", text)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            return True
        text = text[scheme.end() :]
    elif not text.startswith("//"):
        return False
    return re.split(r"[/?#]", text.lstrip("/"), maxsplit=1)[0].lower() not in hosts


@settings(max_examples=300, deadline=None)
@given(target=st.one_of(any_targets, st.text()))
def test_an_address_counted_as_local_stays_on_the_site_however_it_is_decoded(target):
    if redirects.is_local_path(target):
        assert not leaves_the_site(target)
        assert not leaves_the_site(unquote(target))
        assert not leaves_the_site(unquote(unquote(target)))


@settings(max_examples=200, deadline=None)
@given(target=off_site_targets)
def test_no_off_site_target_counts_as_local(target):
    assert not redirects.is_local_path(target)


@settings(max_examples=60, deadline=None, suppress_health_check=SLOW)
@given(target=off_site_targets)
def test_an_off_site_redirect_is_refused_when_saved(target):
    row = Redirect(site=Site.objects.get_current(), old_path="/old-campaign/", new_path=target)

    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        redirects.moved(old_path="/publications/old/", new_path=target)
    with pytest.raises(ValidationError):
        Redirect(site=Site.objects.get_current(), old_path=target, new_path="/").save()
    assert not Redirect.objects.exists()


def plant(old_path, new_path):
    """A redirect row as SQL, a fixture or an old backup would leave it: no validation."""
    Redirect.objects.filter(old_path=old_path).delete()
    Redirect.objects.bulk_create(
        [Redirect(site=Site.objects.get_current(), old_path=old_path, new_path=new_path)]
    )


@settings(max_examples=80, deadline=None, suppress_health_check=SLOW)
@given(target=any_targets.filter(storable))
def test_a_stored_redirect_is_answered_only_when_it_stays_on_the_site(client, target):
    plant("/old-campaign/", target)

    response = client.get("/old-campaign/")

    assert response.status_code < 500
    if 300 <= response.status_code < 400:
        assert redirects.is_local_path(target)
        assert not leaves_the_site(response["Location"])
    elif target == "":
        assert response.status_code == 410  # gone, as Django answers an empty target
    elif not redirects.is_local_path(target):
        assert response.status_code == 404


@pytest.mark.parametrize("target", HOSTILE_CORES)
def test_a_stored_off_site_redirect_answers_404_and_is_logged(client, caplog, target):
    if not storable(target):
        pytest.skip("PostgreSQL stores no NUL")
    plant("/old-campaign/", target)

    with caplog.at_level(logging.WARNING, logger="forumasia.redirects"):
        response = client.get("/old-campaign/")

    assert response.status_code == 404 and "Location" not in response
    assert any(repr(target) in record.getMessage() for record in caplog.records)


def test_a_stored_redirect_to_a_local_path_still_answers(client):
    plant("/old-campaign/", "/publications/?tag=land-rights")
    plant("/gone/", "")

    assert client.get("/old-campaign/")["Location"] == "/publications/?tag=land-rights"
    assert client.get("/old-campaign")["Location"] == "/publications/?tag=land-rights"
    assert client.get("/gone/").status_code == 410


def imported_page(address, wp_id=7):
    """A public page whose stored address is `address`, planted without its validation (as
    rows loaded by SQL or written before the checks existed); None when the database itself
    refuses such an address (the page table's check constraint: no "//", a leading "/")."""
    try:
        with transaction.atomic():
            Page.objects.bulk_create(
                [PageFactory.build(path=address, title="About us", body="<p>About.</p>")]
            )
    except IntegrityError:
        return None
    page = Page.objects.get(path=address)
    ImportedItem.objects.create(
        site_url="https://old.example",
        wp_id=wp_id,
        post_type="page",
        name="about",
        page=page,
        source_hash="-",
        target_hash="-",
        imported_at=timezone.now(),
    )
    return page


@settings(max_examples=40, deadline=None, suppress_health_check=SLOW)
@given(target=off_site_targets.filter(storable))
def test_an_old_page_id_never_leads_off_the_site_whatever_the_page_address(client, target):
    ImportedItem.objects.all().delete()
    Page.objects.all().delete()
    imported_page(target)

    response = client.get("/?page_id=7")

    assert response.status_code == 200  # the home page, as for an unknown id
    assert "Location" not in response


def test_an_off_site_page_address_is_logged_and_a_local_one_still_answers(client, caplog):
    imported_page("/\\evil.example/", wp_id=7)
    imported_page("/about-us/", wp_id=8)

    with caplog.at_level(logging.WARNING, logger="forumasia.redirects"):
        refused = client.get("/?page_id=7")

    assert refused.status_code == 200 and "Location" not in refused
    assert "'/\\\\evil.example/'" in caplog.text
    assert client.get("/?page_id=8")["Location"] == "/about-us/"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil"])
def test_an_old_category_never_leads_off_the_site(client, target):
    ImportedTerm.objects.create(
        site_url="https://old.example", taxonomy="category", slug="news", redirect_to=target
    )

    response = client.get("/category/news/")

    assert response.status_code == 404 and "Location" not in response


def test_an_old_upload_may_lead_to_the_media_storage_but_not_out_of_it(client, settings):
    settings.MEDIA_URL = "https://media.example/bucket/media/"
    ImportedMedia.objects.create(
        site_url="https://old.example", source="2019/05/a.jpg", stored_name="a.jpg"
    )
    ImportedMedia.objects.create(
        site_url="https://old.example", source="2019/05/b.jpg", stored_name="../../other/b.jpg"
    )

    kept = client.get("/wp-content/uploads/2019/05/a.jpg")
    climbed = client.get("/wp-content/uploads/2019/05/b.jpg")

    assert kept.status_code == 301
    assert kept["Location"] == "https://media.example/bucket/media/a.jpg"
    assert not climbed.get("Location", "").startswith("https://media.example/")


def redirect_to(request, address):
    return HttpResponseRedirect(address)


# This module as a URLconf (pytest.mark.urls(__name__)): one view that redirects wherever it is
# told, as any view building a redirect from stored data (Django's "View on site" shortcut, a
# third-party admin) would with a bad row.
urlpatterns = [
    re_path(r"^go/(?P<address>.*)$", redirect_to),
    # The site's own routes, as they are (its language prefixes cannot be include()d).
    *site_urls.urlpatterns,
]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "address", ["//evil.example/", "https://evil.example/", "//[::1]/", "/\\evil.example/"]
)
def test_any_view_redirecting_off_the_site_answers_404(client, caplog, address):
    """The net under every redirect, whatever view made it."""
    with caplog.at_level(logging.WARNING, logger="forumasia.redirects"):
        response = client.get("/go/" + address)

    assert response.status_code == 404 and "Location" not in response
    assert "Refused a redirect off the site" in caplog.text


def test_view_on_site_of_a_page_keeps_to_the_site(client):
    page = imported_page("/\\evil.example/")
    content_type = ContentType.objects.get_for_model(Page)
    client.force_login(publisher())

    response = client.get(f"/admin/r/{content_type.pk}/{page.pk}/")

    assert not leaves_the_site(response.get("Location", ""))


# --- The walk: every redirect the code can make is reviewed and exercised ----------------------

PROJECT_PACKAGES = tuple(django_settings.LOCAL_APPS)
ROOT = Path(__file__).resolve().parents[2]
REDIRECT_CALLS = {
    "HttpResponseRedirect",
    "HttpResponsePermanentRedirect",
    "redirect_to_login",
    "local_redirect",
    "RedirectView",
}


def makes_a_redirect(node):
    """A call that builds a redirect response: a redirect class or shortcut, a response with a
    3xx status, or a Location header set by hand."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name in REDIRECT_CALLS or (isinstance(func, ast.Name) and func.id == "redirect"):
            return True
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in REDIRECT_CALLS:
            return True
        return any(
            keyword.arg == "status"
            and isinstance(keyword.value, ast.Constant)
            and 300 <= (keyword.value.value or 0) < 400
            for keyword in node.keywords
        )
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
        return isinstance(node.slice, ast.Constant) and node.slice.value == "Location"
    return False


def redirect_sources():
    """{module path: how many redirect-making calls it holds}, read from the source."""
    found = {}
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            count = sum(map(makes_a_redirect, ast.walk(ast.parse(path.read_text()))))
            if count:
                found[str(path.relative_to(ROOT))] = count
    return found


def on_site_redirect(response, expected=None):
    assert 300 <= response.status_code < 400, response.status_code
    location = response["Location"]
    assert not leaves_the_site(location), location
    if expected is not None:
        assert location == expected
    return location


def answers_stored_redirects(client):
    plant("/old-campaign/", "/publications/")
    on_site_redirect(client.get("/old-campaign/"), "/publications/")
    plant("/bad/", "//evil.example/")
    assert client.get("/bad/").status_code == 404


def answers_old_wordpress_addresses(client):
    imported_page("/about-us/", wp_id=8)
    on_site_redirect(client.get("/?page_id=8"), "/about-us/")
    ImportedTerm.objects.create(
        site_url="https://old.example", taxonomy="post_tag", slug="x", redirect_to="/publications/"
    )
    on_site_redirect(client.get("/tag/x/"), "/publications/")


def answers_the_favicon(client):
    on_site_redirect(client.get("/favicon.ico"))


def answers_newsletter_preferences(client):
    subscriber = SubscriberFactory()
    manage = reverse("newsletter:manage", args=[tokens.manage_token(subscriber)])
    on_site_redirect(client.post(manage, {"lists": []}), manage)
    on_site_redirect(client.post(manage, {"action": "unsubscribe"}), manage)


def answers_newsletter_exports(client):
    client.force_login(staff_in("Communications staff"))
    changelist = reverse("admin:newsletter_subscriber_changelist")
    for name in ("newsletter_subscriber_export_file", "newsletter_subscriber_export"):
        url = reverse(f"admin:{name}", args=["csv"])
        on_site_redirect(client.post(url + "?no_such_field=1"), changelist)
    on_site_redirect(
        client.post(reverse("admin:newsletter_subscriber_export_file", args=["csv"])),
        reverse("admin:newsletter_subscriberexport_changelist"),
    )


def answers_wordpress_imports(client):
    client.force_login(SuperUserFactory())
    export = SimpleUploadedFile("site.xml", export_xml(forum_asia_items()[:1]))
    run_url = on_site_redirect(client.post("/admin/wordpress/importrun/add/", {"export": export}))
    run = ImportRun.objects.get()
    assert run_url == f"/admin/wordpress/importrun/{run.pk}/change/"
    on_site_redirect(client.post(f"/admin/wordpress/importrun/{run.pk}/import/"), run_url)
    on_site_redirect(client.post(f"/admin/wordpress/importrun/{run.pk}/import/"), run_url)
    on_site_redirect(
        client.post(f"/admin/wordpress/importrun/{run.pk}/discard/"),
        "/admin/wordpress/importrun/",
    )


def answers_workflow_buttons(client):
    client.force_login(editor())
    on_site_redirect(client.post(ADD, form_data(_transition="review")))


def answers_theme_merges(client):
    """The merge action's hop to the merge form, the merge itself, and a refused selection."""
    PublicationFactory(tags=["Defenders", "defenders"])
    ids = [tag.pk for tag in Tag.objects.order_by("pk")]
    client.force_login(publisher())
    themes = "/admin/taggit/tag/"
    chosen = client.post(themes, {"action": "merge_themes", "_selected_action": ids})
    on_site_redirect(chosen)
    on_site_redirect(client.post(chosen["Location"], {"themes": ids, "into": "Defenders"}), themes)
    on_site_redirect(client.get(chosen["Location"].split("?")[0], {"themes": "x"}), themes)


def answers_issue_actions(client):
    """The newsletter issue's admin buttons (pause, cancel, fill...) lead back to the issue."""
    from mailings.models import Issue
    from tests.factories import IssueFactory

    client.force_login(SuperUserFactory())
    issue = IssueFactory()
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    change = f"/admin/mailings/issue/{issue.pk}/change/"
    on_site_redirect(client.post(f"/admin/mailings/issue/{issue.pk}/pause/"), change)


def answers_history_restores(client):
    author = publisher()
    client.force_login(author)
    draft = PublicationFactory(status="draft")
    services.save_publication(publication=draft, user=author)
    draft.title = "Renamed"
    services.save_publication(publication=draft, user=author)
    older = history.versions_of(draft).last()
    change = f"/admin/publications/publication/{draft.pk}/change/"
    on_site_redirect(client.post(change.replace("change/", f"history/{older.pk}/restore/")), change)


def answers_sub_site_addresses(client):
    """A sub-site with a host of its own answers its /sites/<slug>/ addresses with a hop to the
    same page there; no address names another host."""
    sub_site = SubSiteFactory(slug="asean", host="asean.example.org")
    location = on_site_redirect(client.get("/th/sites/asean/publications/?type=report"))
    assert location == f"{sub_site.origin}/th/publications/?type=report"
    assert client.get("/sites/evil.example/").status_code == 404
    assert client.get("/sites/asean//evil.example/").status_code in (301, 404)
    assert not leaves_the_site(client.get("/sites/asean//evil.example/").get("Location", ""))


def answers_djangos_own_redirects(client, settings):
    """SecurityMiddleware's HTTPS redirect, CommonMiddleware's added slash, the admin's login
    `next`, its "View on site" and its save: built by Django from the request or reverse()."""
    settings.SECURE_SSL_REDIRECT = True
    # A client of its own: SecurityMiddleware reads the setting when it is made.
    on_site_redirect(Client().get("/publications/?a=1"), "https://testserver/publications/?a=1")
    settings.SECURE_SSL_REDIRECT = False
    on_site_redirect(client.get("/publications"), "/publications/")
    # No page has that address with a slash added: a 404, not a hop to another host.
    doubled = client.get("/", PATH_INFO="//evil.example")
    assert doubled.status_code == 404 and not leaves_the_site(doubled.get("Location", ""))
    user = publisher()
    for next_url in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/admin/"):
        response = client.post(
            "/admin/login/",
            {"username": user.username, "password": "correct horse battery staple"}
            | {"next": next_url},
        )
        on_site_redirect(response)
        client.logout()
    client.force_login(user)
    content_type = ContentType.objects.get_for_model(Publication)
    publication = PublicationFactory()
    on_site_redirect(client.get(f"/admin/r/{content_type.pk}/{publication.pk}/"))
    response = client.post(
        "/admin/redirects/redirect/add/?_changelist_filters=%2F%2Fevil.example",
        {"site": Site.objects.get_current().pk, "old_path": "/a/", "new_path": "/b/"},
    )
    on_site_redirect(response)


# Every module that builds a redirect, with how many calls it makes and the function above that
# makes each of them answer. A new redirect anywhere fails test_every_redirect_source_is_
# reviewed until it is added here with a function that exercises it.
REVIEWED_SOURCES = {
    "forumasia/redirects.py": (2, answers_stored_redirects),
    "oldaddresses/middleware.py": (1, answers_old_wordpress_addresses),
    "pages/views.py": (1, answers_the_favicon),
    "newsletter/views.py": (2, answers_newsletter_preferences),
    "newsletter/admin.py": (2, answers_newsletter_exports),
    "mailings/admin.py": (1, answers_issue_actions),
    "wordpress/admin.py": (4, answers_wordpress_imports),
    "forumasia/workflow_admin.py": (1, answers_workflow_buttons),
    "publications/admin_themes.py": (3, answers_theme_merges),
    "forumasia/history_admin.py": (1, answers_history_restores),
    "subsites/routing.py": (1, answers_sub_site_addresses),
}


def test_every_redirect_source_is_reviewed():
    reviewed = {path: count for path, (count, _exercise) in REVIEWED_SOURCES.items()}

    assert redirect_sources() == reviewed


@pytest.mark.parametrize("source", sorted(REVIEWED_SOURCES))
def test_every_redirect_source_answers_with_an_address_on_the_site(client, source):
    _count, exercise = REVIEWED_SOURCES[source]

    exercise(client)


def test_djangos_own_redirects_stay_on_the_site(client, settings):
    answers_djangos_own_redirects(client, settings)
