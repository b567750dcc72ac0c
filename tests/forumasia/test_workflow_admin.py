"""Nothing an Editor does in the admin changes what a public page shows, whatever screen it
comes from: it is refused, or every public page stays byte for byte the same.

The class of fault: Editors may not change published publications, but changed what published
pages show through shared rows (a theme added to any publication from the tags admin, a
partner renamed under seven published statements, an editorial page live at once). The walk
goes through every model registered in the admin (`admin.site._registry`: a model registered
later is walked the day it is registered, and fails here until it has a row in the world below)
and, as an Editor, POSTs an add, a change and a delete through the admin's real views, with
the form a browser would send (read from the admin's own change form of a row a public page
shows, its text changed). Every kind of public page is rendered before and after (page cache
off). Each write must be refused (403, and the model's rows as they were) or leave every page
byte-identical; what Editors may do with each model is declared in EDITORS_MAY_ADD.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pages.sitemaps import sitemaps
from tests.factories import (
    IssueFactory,
    MailingListFactory,
    MemberOrganisationFactory,
    PageFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    SubscriberFactory,
    SubSiteFactory,
    SuperUserFactory,
    SuppressionFactory,
    country,
    editor,
    publisher,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label for model in admin.site._registry)
# Rows no public page shows until a publisher releases an item: Editors add them (drafts,
# themes and partners to use on drafts). Every other model's add is refused to Editors, and so
# is changing or deleting any row a public page shows.
EDITORS_MAY_ADD = {
    "pages.Page",
    "publications.Publication",
    "publications.PartnerOrganisation",
    "taggit.Tag",
}
ACCESS = {
    "user_agent": "walk",
    "ip_address": "192.0.2.1",
    "username": "someone",
    "http_accept": "text/html",
    "path_info": "/admin/login/",
}


@pytest.fixture
def world():
    """{model label: a row of it that a public page shows (any row where none does)}, and the
    addresses of every kind of public page."""
    member = MemberOrganisationFactory(name="Walk Centre", country=country("TH"))
    partner = PartnerOrganisationFactory(name="Walk Alliance")
    publication = PublicationFactory(
        title="Walk statement",
        countries=[country("TH")],
        tags=["Walk theme"],
        signatories=[member, partner],
    )
    section = PageFactory(path="/walk/", title="Walk section")
    PageFactory(path="/walk/child/", title="Walk child", parent=section)
    mailing_list = MailingListFactory(name="Walk list")
    sub_site = SubSiteFactory(slug="walk-site", mailing_list=mailing_list)
    sub_site.countries.set([country("TH")])
    newsletter = apps.get_app_config("newsletter")
    issue = IssueFactory(slug="walk-issue", lists=[mailing_list], items=[publication])
    apps.get_model("mailings", "Issue").objects.filter(pk=issue.pk).update(
        status="sent", started_at=timezone.now()
    )
    rows = {
        "auth.Group": Group.objects.get(name="Editors"),
        "auth.User": publisher(),
        "sites.Site": Site.objects.get_current(),
        "redirects.Redirect": Redirect.objects.create(
            site=Site.objects.get_current(),
            old_path="/old-walk/",
            new_path=publication.get_absolute_url(),
        ),
        "taggit.Tag": publication.tags.get(),
        "axes.AccessAttempt": apps.get_model("axes", "AccessAttempt").objects.create(
            **ACCESS, get_data="", post_data="", failures_since_start=1
        ),
        "axes.AccessLog": apps.get_model("axes", "AccessLog").objects.create(**ACCESS),
        "axes.AccessFailureLog": apps.get_model("axes", "AccessFailureLog").objects.create(
            **ACCESS, locked_out=False
        ),
        "django_tasks_database.DBTaskResult": apps.get_model(
            "django_tasks_database", "DBTaskResult"
        ).objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="publications.tasks.make_featured_renditions",
            backend_name="default",
            run_after=timezone.now(),
            exception_class_path="",
            traceback="",
        ),
        "members.Country": country("TH"),
        "members.MemberOrganisation": member,
        "publications.PartnerOrganisation": partner,
        "publications.Publication": publication,
        "newsletter.MailingList": mailing_list,
        "newsletter.Subscriber": SubscriberFactory(lists=[mailing_list]),
        "newsletter.SubscriberExport": newsletter.get_model("SubscriberExport").objects.create(
            via="admin", row_count=1, format="csv"
        ),
        "newsletter.Erasure": newsletter.get_model("Erasure").objects.create(status="confirmed"),
        "pages.Page": section,
        "mailings.Issue": issue,
        "newsletter.Suppression": SuppressionFactory(email="walk-bounce@example.org"),
        "subsites.SubSite": sub_site,
        "wordpress.ImportRun": apps.get_model("wordpress", "ImportRun").objects.create(
            original_name="walk.xml", state="checked"
        ),
    }
    paths = [
        "/",
        "/publications/",
        "/statements/",
        "/publications/?tag=" + rows["taggit.Tag"].slug,
        "/publications/?country=th",
        publication.get_absolute_url(),
        "/members/",
        member.get_absolute_url(),
        "/countries/th/",
        "/walk/",
        "/walk/child/",
        "/about/",
        "/feeds/rss/",
        "/feeds/atom/",
        "/newsletter/archive/",
        "/newsletter/walk-issue/",
        "/feeds/newsletter/",
        "/sitemap.xml",
        *[f"/sitemap-{section}.xml" for section in sitemaps],
        "/search/?q=Walk",
        "/search/?q=Alliance",
        "/robots.txt",
        "/sites/walk-site/",
        "/sites/walk-site/publications/",
    ]
    return rows, paths


def public_pages(paths):
    """{path: (status, bytes)} as an anonymous visitor gets them, each rendered afresh."""
    pages = {}
    for path in paths:
        response = Client().get(path)
        body = b"".join(response) if response.streaming else response.content
        pages[path] = (response.status_code, body)
    return pages


class AdminForm(HTMLParser):
    """What a browser sends for the admin's change form as shown: [(name, value, kind)]."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        name = attributes.get("name")
        if not self.inside:
            return
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on"), "choice"))
                return
            self.fields.append((name, attributes.get("value", ""), kind))
        elif tag == "select" and name:
            self.select = (name, "multiple" in attributes, [], [])
        elif tag == "option" and self.select:
            value = attributes.get("value", "")
            self.select[2].append(value)
            if "selected" in attributes:
                self.select[3].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            # Browsers drop the line break that follows <textarea> (Django writes one).
            name, text = self.textarea
            self.fields.append((name, text.removeprefix("\n"), "text"))
            self.textarea = None
        elif tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            name, multiple, options, selected = self.select
            chosen = selected or ([] if multiple else options[:1])
            self.fields.extend((name, value, "choice") for value in chosen)
            self.select = None


def changed_text(value, mark):
    """The same text with `mark` in it, the way its kind allows (an address stays an
    address...); numbers, dates and times as they are."""
    if not value or re.fullmatch(r"[-0-9:. ]+", value):
        return value
    if value.startswith("/") and value.endswith("/"):
        return f"{value}{mark}/"
    if "@" in value:
        return f"{mark}.{value}"
    if value.startswith(("http://", "https://")):
        return f"{value.rstrip('/')}/{mark}/"
    return f"{value}-{mark}"


INLINE_ROW = re.compile(r"^(?P<prefix>.+)-\d+-")


def form_data(html, model, *, new):
    """The form of `html`, its text changed (differently for a `new` row, which gets no inline
    rows, so that adding and then changing never clash on a unique name)."""
    parser = AdminForm(f"{model._meta.model_name}_form")
    parser.feed(html)
    data = {}
    for name, value, kind in parser.fields:
        if new and INLINE_ROW.match(name):
            continue
        if new and name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            value = "0"
        elif kind in ("text", "email", "url") and not name.endswith("_FORMS"):
            value = changed_text(value, "walk-new" if new else "walk")
        data.setdefault(name, []).append(value)
    return data


def admin_url(model, action, row):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    try:
        return reverse(name) if action == "add" else reverse(name, args=[quote(row.pk)])
    except NoReverseMatch:
        return None


def rows_of(model):
    return list(model._default_manager.order_by("pk").values())


def test_every_model_in_the_admin_has_a_row_in_the_walk(world):
    rows, _paths = world

    assert sorted(rows) == REGISTERED


@pytest.mark.parametrize("label", REGISTERED)
def test_an_editors_add_change_and_delete_are_refused_or_leave_every_public_page_as_it_was(
    label, world, page_cache_off
):
    rows, paths = world
    model, row = apps.get_model(label), rows[label]
    before = public_pages(paths)
    assert {status for status, _body in before.values()} == {200}
    superuser, writer = Client(), Client()
    superuser.force_login(SuperUserFactory())
    writer.force_login(editor())
    shown = superuser.get(admin_url(model, "change", row))
    html = shown.content.decode() if shown.status_code == 200 else ""

    outcomes = {}
    for action in ("add", "change", "delete"):
        url = admin_url(model, action, row)
        if url is None:
            continue
        data = (
            {"post": "yes"} if action == "delete" else form_data(html, model, new=action == "add")
        )
        stored = rows_of(model)
        response = writer.post(url, data)
        outcomes[action] = response.status_code
        if response.status_code == 403:
            assert rows_of(model) == stored, f"{label} {action}: refused, yet its rows changed"
            continue
        after = public_pages(paths)
        changed = [path for path in paths if after[path] != before[path]]
        assert changed == [], f"{label} {action} by an Editor changed public pages"

    expected_add = 302 if label in EDITORS_MAY_ADD else 403
    assert outcomes == {"add": expected_add, "change": 403, "delete": 403}, label
