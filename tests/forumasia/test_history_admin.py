"""History in the admin (forumasia/history_admin.py), through the publication, member and
editorial-page admins: every save is a revision, any two compare side by side, restoring
asks first and saves a new revision, only those who may change see any of it, and a save
made after someone else's is stopped."""

import pytest
from django.contrib.redirects.models import Redirect
from django.test import Client

from forumasia import history
from members.models import MemberOrganisation
from publications import services
from publications.models import Publication, Signature
from tests.factories import (
    MemberOrganisationFactory,
    PageFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    SuperUserFactory,
    UserFactory,
    editor,
    publisher,
)
from tests.pages.test_admin import page_data
from tests.publications.test_admin_workflow import change_url, edit_data

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def history_url(publication):
    return change_url(publication).replace("/change/", "/history/")


def saved_twice(user, first="<p>The army must release them.</p>", second=None):
    """A draft saved by `user` in the admin with body `first`, then `second`."""
    client = logged_in(user)
    publication = PublicationFactory(status="draft", body=first)
    client.post(change_url(publication), edit_data(publication, body=first, _transition="draft"))
    publication.refresh_from_db()
    body = second or "<p>The police must release them now.</p>"
    client.post(change_url(publication), edit_data(publication, body=body, _transition="draft"))
    return client, publication


def test_each_admin_save_is_a_revision_with_who_when_and_what():
    author = editor(username="writer")
    client, publication = saved_twice(author)

    versions = list(history.versions_of(publication))
    html = client.get(history_url(publication)).content.decode()

    assert len(versions) == 2
    assert all(v.revision.user == author for v in versions)
    assert "Saved as draft" in versions[0].revision.comment
    assert "writer" in html and "Compare selected versions" in html
    assert html.count("Restore this version…") == 1  # the current one is not offered


def test_two_versions_compare_word_by_word_with_everything_escaped():
    client, publication = saved_twice(
        editor(),
        first="<p>The army must release them.</p>",
        second="<p>The police must release <b>them</b> now &lt;script&gt;.</p>",
    )
    older, newer = history.versions_of(publication).order_by("pk")

    html = client.get(
        history_url(publication) + f"compare/?from={newer.pk}&to={older.pk}"
    ).content.decode()

    assert "<del>army</del>" in html
    assert "<ins>police</ins>" in html
    assert "<ins>them now &lt;script&gt;.</ins>" in html  # the text, escaped; no markup
    assert "<script>" not in html.split("</head>")[1]


def test_a_compare_names_member_and_partner_signatories_in_their_order():
    author = publisher()
    publication = PublicationFactory(status="draft")
    Signature.objects.create(
        publication=publication, partner=PartnerOrganisationFactory(name="CIVICUS"), order=0
    )
    Signature.objects.create(
        publication=publication, member=MemberOrganisationFactory(name="Odhikar"), order=1
    )
    services.save_publication(publication=publication, user=author)
    publication.title = "A new title"
    services.save_publication(publication=publication, user=author)
    older, newer = history.versions_of(publication).order_by("pk")

    html = (
        logged_in(author)
        .get(history_url(publication) + f"compare/?from={older.pk}&to={newer.pk}")
        .content.decode()
    )

    assert "deleted, #" not in html
    assert html.index("CIVICUS") < html.index("Odhikar")


@pytest.mark.parametrize("bad", ["x", "", "99999999999999999999999", "-1"])
def test_a_compare_with_unknown_versions_is_a_404_not_a_500(bad):
    client, publication = saved_twice(editor())
    other = PublicationFactory()
    services.save_publication(publication=other, user=publisher())
    foreign = history.versions_of(other).get()

    assert client.get(history_url(publication) + f"compare/?from={bad}&to=1").status_code == 404
    response = client.get(history_url(publication) + f"compare/?from={foreign.pk}&to={foreign.pk}")
    assert response.status_code == 404


def test_restore_asks_first_then_saves_the_old_version_as_a_new_revision():
    client, publication = saved_twice(editor())
    older = history.versions_of(publication).last()
    restore = history_url(publication) + f"{older.pk}/restore/"

    confirm = client.get(restore)
    assert "Restore this version" in confirm.content.decode()
    assert Publication.objects.get().body == "<p>The police must release them now.</p>"

    response = client.post(restore)

    assert response.status_code == 302
    assert Publication.objects.get().body == "<p>The army must release them.</p>"
    assert history.versions_of(publication).count() == 3
    assert history.versions_of(publication).filter(pk=older.pk).exists()


def test_only_users_who_may_change_see_compare_or_restore():
    _, publication = saved_twice(editor())
    version = history.versions_of(publication).first()
    services.save_publication(
        publication=publication, user=publisher(), transition=services.Transition.PUBLISH
    )
    pages = [
        history_url(publication),
        history_url(publication) + f"compare/?from={version.pk}&to={version.pk}",
        history_url(publication) + f"{version.pk}/restore/",
    ]
    staff_without_rights = logged_in(UserFactory(is_staff=True))
    other_editor = logged_in(editor())  # the publication is published now: publishers only

    for page in pages:
        assert staff_without_rights.get(page).status_code == 403, page
        assert other_editor.get(page).status_code == 403, page
        assert logged_in(publisher()).get(page).status_code == 200, page
    assert other_editor.post(pages[2]).status_code == 403


# --- Two editors at once ------------------------------------------------------------------------


def test_a_save_after_someone_elses_is_stopped_with_a_link_to_their_changes():
    first_editor, second_editor = logged_in(editor()), logged_in(editor(username="colleague"))
    publication = PublicationFactory(status="draft", title="Original title")
    services.save_publication(publication=publication, user=publisher())
    opened = edit_data(publication)  # both open the form at the same version

    second_editor.post(
        change_url(publication), {**opened, "title": "Their title", "_transition": "draft"}
    )
    response = first_editor.post(
        change_url(publication), {**opened, "title": "My title", "_transition": "draft"}
    )

    html = response.content.decode()
    current = history.latest_version_id(publication)
    assert response.status_code == 200
    assert "colleague saved this after you opened it" in html
    assert f"compare/?from={opened['opened_version']}&amp;to={current}" in html
    assert 'value="My title"' in html  # the editor's input stays in the form
    assert Publication.objects.get().title == "Their title"  # nothing overwritten

    again = first_editor.post(
        change_url(publication),
        {**opened, "title": "My title", "_transition": "draft", "opened_version": str(current)},
    )
    assert again.status_code == 302
    assert Publication.objects.get().title == "My title"


def test_the_form_carries_the_version_it_was_opened_at():
    publication = PublicationFactory(status="draft")
    services.save_publication(publication=publication, user=publisher())

    html = logged_in(editor()).get(change_url(publication)).content.decode()

    expected = history.latest_version_id(publication)
    assert f'name="opened_version" value="{expected}"' in html


# --- Members and editorial pages ----------------------------------------------------------------


def member_data(member, **overrides):
    data = {
        "name": member.name,
        "acronym": member.acronym,
        "slug": member.slug,
        "is_active": "on",
        "country": str(member.country_id),
        "city": member.city,
        "description": member.description,
        "focus_areas": "",
        "year_joined": str(member.year_joined),
        "website": member.website,
        "contact_email": "",
        "facebook_url": "",
        "x_url": "",
        "linkedin_url": "",
        "opened_version": str(history.latest_version_id(member) or ""),
    }
    return {**data, **overrides}


def test_a_member_renamed_in_the_admin_keeps_its_old_address_and_its_history():
    member = MemberOrganisationFactory(slug="old-centre", name="Old Centre")
    client = logged_in(publisher())
    url = f"/admin/members/memberorganisation/{member.pk}/change/"

    response = client.post(url, member_data(member, slug="new-centre", name="New Centre"))

    assert response.status_code == 302
    assert set(Redirect.objects.values_list("old_path", "new_path")) == {
        ("/members/old-centre/", "/members/new-centre/")
    }
    version = history.versions_of(member).get()
    assert version.field_dict["name"] == "New Centre"
    assert client.get("/members/old-centre/").status_code == 301


def test_a_member_version_is_restored_from_the_admin():
    member = MemberOrganisationFactory(name="First Name")
    client = logged_in(publisher())
    url = f"/admin/members/memberorganisation/{member.pk}/"
    client.post(url + "change/", member_data(member))
    first = history.versions_of(member).get()
    member.refresh_from_db()
    client.post(url + "change/", member_data(member, name="Second Name"))

    client.post(url + f"history/{first.pk}/restore/")

    assert MemberOrganisation.objects.get().name == "First Name"
    assert history.versions_of(member).count() == 3


def test_editors_edit_draft_editorial_pages_and_each_save_is_a_revision():
    page = PageFactory(path="/about-test/", title="About", body="<p>Old</p>", status="draft")
    client = logged_in(editor())

    response = client.post(
        f"/admin/pages/page/{page.pk}/change/",
        page_data(page, body="<p>New</p>", _transition="draft"),
    )

    assert response.status_code == 302
    assert history.versions_of(page).get().field_dict["body"] == "<p>New</p>"


def test_superusers_see_every_history():
    client, publication = saved_twice(editor())

    assert logged_in(SuperUserFactory()).get(history_url(publication)).status_code == 200
