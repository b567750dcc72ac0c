"""Editors per sub-site (subsites/editors.py): the editor of sub-site A works on A's pages and
A's picks, and nothing of sub-site B's opens for them. Every admin URL of B's page and of B
itself (walked from the admin's registered URL patterns, so a route added later is walked the
day it is added) answers 403, the page autocomplete never offers B's pages, and the files of B's
draft are not served (404); the same URLs for A's answer 200. Publishers and superusers see
both."""

import json
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import Client

from forumasia import history
from forumasia.files import owned_files
from forumasia.images import rendition_names
from pages import services
from pages.models import Page
from subsites.models import SubSite
from tests.factories import (
    PageFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    SuperUserFactory,
    publisher,
    staff_in,
)
from tests.forumasia.test_urls import admin_routes
from tests.pages.test_admin import page_data
from tests.publications.conftest import image_bytes

pytestmark = pytest.mark.django_db

# The admin's routes of the rows a sub-site owns: its pages and itself.
SCOPED = ("admin/pages/page/", "admin/subsites/subsite/")
OBJECT_ROUTES = [
    (template, parameters)
    for template, parameters in admin_routes()
    if template.startswith(SCOPED) and parameters
]


def sub_site_editor(*sub_sites):
    user = staff_in("Sub-site editors")
    for sub_site in sub_sites:
        sub_site.editors.add(user)
    return user


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def draft_with_history(sub_site, path):
    """A draft page of `sub_site` with an image and two versions in its history."""
    author = publisher()
    page = PageFactory(sub_site=sub_site, path=path, status="draft", hero_image_alt="A meeting")
    page.hero_image = ContentFile(image_bytes(size=(900, 600)), name="meeting.jpg")
    for body in ("<p>One.</p>", "<p>Two.</p>"):
        page.body = body
        services.save_page(page=page, user=author)
    services.refresh_hero_renditions(page)
    return page


@pytest.fixture
def sites():
    """Sub-sites A and B, each with a draft page (image, history) and a pick; an editor of A."""
    ours, theirs = SubSiteFactory(slug="ours"), SubSiteFactory(slug="theirs")
    for site in (ours, theirs):
        PickFactory(sub_site=site, publication=PublicationFactory())
    return {
        "ours": ours,
        "theirs": theirs,
        "our_page": draft_with_history(ours, "/our-plan/"),
        "their_page": draft_with_history(theirs, "/their-plan/"),
        "editor": sub_site_editor(ours),
    }


def filled(template, parameters, obj):
    values = {"object_id": obj.pk}
    if "version_id" in parameters:
        values["version_id"] = history.versions_of(obj).first().pk
    assert set(parameters) <= set(values), f"the walk cannot fill {template}: teach it"
    return "/" + template % values


def routes_of(obj):
    prefix = SCOPED[0] if isinstance(obj, Page) else SCOPED[1]
    return [(t, p) for t, p in OBJECT_ROUTES if t.startswith(prefix)]


def walk_answers(client, obj, method="get"):
    """{admin path: final status} for every admin URL of `obj` (a compare with two of its
    versions; the bare object URL followed to where it redirects)."""
    send = getattr(client, method)
    answers = {}
    for template, parameters in routes_of(obj):
        path = filled(template, parameters, obj)
        if template.endswith("/history/compare/"):
            versions = [version.pk for version in history.versions_of(obj)]
            path += f"?from={versions[-1]}&to={versions[0]}"
        answers[path] = send(path, follow=True).status_code
    return answers


def test_the_walk_covers_every_url_of_a_page_and_of_a_sub_site():
    endings = {template.split("%(object_id)s", 1)[1] for template, _ in OBJECT_ROUTES}

    assert {"/change/", "/delete/", "/history/", "/history/compare/", "/"} <= endings
    assert any("restore" in ending for ending in endings)


def test_every_admin_url_of_another_sub_sites_page_is_forbidden(sites):
    answers = walk_answers(client_of(sites["editor"]), sites["their_page"])

    assert set(answers.values()) == {403}, answers


def test_nothing_posted_to_another_sub_sites_page_or_sub_site_is_done(sites):
    client = client_of(sites["editor"])

    for obj in (sites["their_page"], sites["theirs"]):
        answers = walk_answers(client, obj, method="post")
        assert set(answers.values()) == {403}, answers
    assert Page.objects.filter(pk=sites["their_page"].pk, body="<p>Two.</p>").exists()
    assert SubSite.objects.filter(pk=sites["theirs"].pk).exists()


def test_view_on_site_of_another_sub_sites_draft_leads_to_no_preview(sites):
    client = client_of(sites["editor"])
    theirs, ours = sites["their_page"], sites["our_page"]

    def view_on_site(page):
        url = f"/admin/r/{content_type_id(page)}/{page.pk}/"
        return client.get(url, follow=True).status_code

    assert view_on_site(theirs) == 404
    assert view_on_site(ours) == 200


def content_type_id(obj):
    return ContentType.objects.get_for_model(obj).pk


def test_every_admin_url_of_their_own_sub_sites_page_opens(sites):
    answers = walk_answers(client_of(sites["editor"]), sites["our_page"])

    assert set(answers.values()) == {200}, answers


def test_every_admin_url_of_another_sub_site_is_forbidden(sites):
    answers = walk_answers(client_of(sites["editor"]), sites["theirs"])

    assert set(answers.values()) == {403}, answers


def test_their_own_sub_site_opens_but_they_cannot_delete_it(sites):
    answers = walk_answers(client_of(sites["editor"]), sites["ours"])

    deletes = {path for path in answers if path.endswith("/delete/")}
    assert {answers[path] for path in deletes} == {403}
    assert {status for path, status in answers.items() if path not in deletes} == {200}


def test_publishers_and_superusers_open_every_sub_sites_page(sites):
    for user in (publisher(), SuperUserFactory()):
        answers = walk_answers(client_of(user), sites["their_page"])
        assert set(answers.values()) == {200}, answers


def test_the_lists_show_only_their_sub_sites_rows(sites):
    client = client_of(sites["editor"])

    pages = client.get("/admin/pages/page/").content.decode()
    sub_sites = client.get("/admin/subsites/subsite/").content.decode()

    assert sites["our_page"].title in pages
    assert sites["their_page"].title not in pages
    assert sites["ours"].name in sub_sites
    assert sites["theirs"].name not in sub_sites


def autocompleted(client, **query):
    response = client.get("/admin/autocomplete/?" + urlencode(query))
    assert response.status_code == 200
    return {int(result["id"]) for result in json.loads(response.content)["results"]}


def test_the_parent_autocomplete_offers_only_their_sub_sites_pages(sites):
    found = autocompleted(
        client_of(sites["editor"]),
        term="plan",
        app_label="pages",
        model_name="page",
        field_name="parent",
    )

    assert found == {sites["our_page"].pk}


def test_the_picks_autocomplete_finds_publications_for_them(sites):
    wanted = PublicationFactory(title="Land rights in the Mekong")

    found = autocompleted(
        client_of(sites["editor"]),
        term="Mekong",
        app_label="subsites",
        model_name="pick",
        field_name="publication",
    )

    assert wanted.pk in found


def file_statuses(client, page):
    page.refresh_from_db()
    names = {page.hero_image.name, *rendition_names(page.hero_image_renditions)}
    assert len(names) > 1  # the image and its sizes
    return {client.get(owned_files.url(name)).status_code for name in names}


def test_the_files_of_another_sub_sites_draft_are_not_served_to_them(sites):
    client = client_of(sites["editor"])

    assert file_statuses(client, sites["their_page"]) == {404}
    assert file_statuses(client, sites["our_page"]) == {200}


def test_the_preview_of_another_sub_sites_draft_is_not_shown_to_them(sites):
    client = client_of(sites["editor"])

    assert client.get("/sites/theirs/their-plan/").status_code == 404
    assert client.get("/sites/ours/our-plan/").status_code == 200


def test_they_write_pages_for_their_sub_sites_only(sites):
    client = client_of(sites["editor"])
    add = "/admin/pages/page/add/"

    for sub_site, problem in (("", "This field is required."), (sites["theirs"].pk, "valid")):
        response = client.post(add, page_data(sub_site=sub_site, _transition="save"))
        assert response.status_code == 200
        assert problem in str(response.context["adminform"].form.errors["sub_site"])

    client.post(add, page_data(sub_site=sites["ours"].pk, _transition="save"))
    assert Page.objects.get(path="/annual-report/").sub_site == sites["ours"]


def test_they_change_their_sub_sites_introduction_and_picks_only(sites):
    ours = sites["ours"]
    client = client_of(sites["editor"])
    url = f"/admin/subsites/subsite/{ours.pk}/change/"
    pick = ours.pick_set.get()
    added = PublicationFactory()

    response = client.post(
        url,
        {
            "name": "Renamed",
            "host": "taken.example.org",
            "introduction": "<p>Our new introduction.</p>",
            "pick_set-TOTAL_FORMS": "2",
            "pick_set-INITIAL_FORMS": "1",
            "pick_set-0-id": str(pick.pk),
            "pick_set-0-publication": str(pick.publication_id),
            "pick_set-0-position": "1",
            "pick_set-1-publication": str(added.pk),
            "pick_set-1-position": "0",
            "pick_set-1-is_pinned": "on",
        },
    )

    assert response.status_code == 302
    ours = SubSite.objects.get(pk=ours.pk)
    assert ours.introduction == "<p>Our new introduction.</p>"
    assert (ours.name, ours.host) == (sites["ours"].name, None)
    assert list(ours.pick_set.values_list("publication_id", flat=True)) == [
        added.pk,
        pick.publication_id,
    ]


def test_an_archived_sub_site_is_read_only_to_its_editors(sites):
    SubSite.objects.filter(pk=sites["ours"].pk).update(is_archived=True)
    client = client_of(sites["editor"])
    page_url = f"/admin/pages/page/{sites['our_page'].pk}/change/"
    site_url = f"/admin/subsites/subsite/{sites['ours'].pk}/change/"

    shown = client.get(page_url)
    client.post(page_url, {"title": "Changed after the campaign ended"})

    assert shown.status_code == 200  # they may still read it
    assert 'name="title"' not in shown.content.decode()  # no field to change
    assert Page.objects.get(pk=sites["our_page"].pk).title != "Changed after the campaign ended"
    assert client.post(site_url, {"introduction": "<p>New.</p>"}).status_code == 403
    assert client.get(page_url.replace("change/", "delete/")).status_code == 403
