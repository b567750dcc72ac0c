"""pages/admin.py: editorial pages are written with the publications' editor and image pipeline,
and go public the publications' way: an editor submits, a publisher publishes; every route by
which an editor might make a page public, or change a public one, is refused on the server."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from forumasia import history
from forumasia.workflow import Transition
from pages import services
from pages.models import Page
from tests.e2e.editor_session import photo_with_gps
from tests.factories import PageFactory, SuperUserFactory, editor, publisher

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/pages/page/"
ADD = CHANGELIST + "add/"


def change_url(page):
    return f"{CHANGELIST}{page.pk}/change/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def page_data(page=None, **overrides):
    """The form as the browser posts it: `page`'s values, or a new page's."""
    moment = timezone.localtime(page.publish_at if page else timezone.now())
    data = {
        "title": page.title if page else "Annual report",
        "path": page.path if page else "/annual-report/",
        "parent": str(page.parent_id or "") if page else "",
        "introduction": page.introduction if page else "What the network did.",
        "body": page.body if page else "<p>A year of work.</p>",
        "publish_at_0": moment.strftime("%Y-%m-%d"),
        "publish_at_1": moment.strftime("%H:%M:%S"),
        "unpublish_at_0": "",
        "unpublish_at_1": "",
        "hero_image_alt": "",
        "hero_image_credit": "",
        "opened_version": str(history.latest_version_id(page) or "") if page else "",
    }
    return {**data, **overrides}


def buttons(html):
    found = re.findall(r'name="_transition" value="(\w+)"', html)
    return found[: len(found) // 2]


# --- The buttons each role gets ---------------------------------------------------------------


def test_an_editor_gets_save_draft_and_submit_for_review_only():
    page = PageFactory(status="draft")

    html = logged_in(editor()).get(change_url(page)).content.decode()

    assert buttons(html) == ["draft", "review"]


def test_a_publisher_gets_every_step_and_a_live_page_offers_save_changes_and_unpublish():
    waiting, live = PageFactory(status="review"), PageFactory()
    client = logged_in(publisher())

    assert buttons(client.get(change_url(waiting)).content.decode()) == [
        "draft",
        "review",
        "publish",
        "schedule",
    ]
    assert buttons(client.get(change_url(live)).content.decode()) == ["save", "unpublish"]


def test_an_editor_writes_a_page_and_submits_it_for_review_from_the_add_form():
    client = logged_in(editor())

    response = client.post(ADD, page_data(_transition="review"))

    page = Page.objects.get(path="/annual-report/")
    assert response.status_code == 302 and response["Location"] == change_url(page)
    assert page.status_label == "In review"
    assert client.get(page.path).status_code == 200  # the editor's preview
    assert Client().get(page.path).status_code == 404  # nobody else's page yet


def test_a_publisher_publishes_it_and_visitors_read_it():
    page = PageFactory(status="review", title="Annual report")

    response = logged_in(publisher()).post(change_url(page), page_data(page, _transition="publish"))

    assert response.status_code == 302
    assert "Annual report" in Client().get(page.path).content.decode()


# --- Editors never make a page public or change a public one -----------------------------------


@pytest.mark.parametrize("transition", ["publish", "schedule", "unpublish"])
def test_a_publishing_button_posted_by_an_editor_is_refused_with_the_input_kept(transition):
    page = PageFactory(status="draft", publish_at=timezone.now() + timedelta(days=1))

    response = logged_in(editor()).post(
        change_url(page), page_data(page, title="Kept title", _transition=transition)
    )

    assert response.status_code == 200
    assert "Only a publisher" in response.content.decode()
    assert 'value="Kept title"' in response.content.decode()
    assert Page.objects.get(pk=page.pk).status == "draft"


def test_a_status_posted_by_hand_is_ignored():
    client = logged_in(editor())

    client.post(ADD, page_data(status="published", _transition="draft"))

    assert not Page.objects.filter(path="/annual-report/").released().exists()


def test_an_editor_cannot_change_or_delete_a_published_page_by_any_route():
    live = PageFactory(title="As approved")
    client = logged_in(editor())

    form = client.get(change_url(live))
    post = client.post(change_url(live), page_data(live, title="Rewritten"))
    delete = client.post(f"{CHANGELIST}{live.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [live.pk], "post": "yes"}
    )
    listed = client.get(CHANGELIST).content.decode()
    action = client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]})

    assert form.status_code == 200 and buttons(form.content.decode()) == []
    assert "only a publisher can change it" in form.content.decode()
    assert (post.status_code, delete.status_code, bulk.status_code) == (403, 403, 403)
    assert 'value="unpublish"' not in listed and 'value="publish_now"' not in listed
    assert action.status_code in (200, 302)
    assert Page.objects.get(pk=live.pk).title == "As approved" and live.is_public


# --- The form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/publications/a-statement/annex/", "//evil.example/", "/admin/x/", "/newsletter/"],
)
def test_an_address_a_page_cannot_have_is_a_form_error_saying_why(path):
    response = logged_in(publisher()).post(ADD, page_data(path=path, _transition="publish"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["path"]
    assert "address" in errors["path"][0] or "belong to the site itself" in errors["path"][0]
    assert not Page.objects.filter(path=path).exists()


def test_pages_are_written_with_the_rich_text_editor_and_saved_cleaned():
    client = logged_in(editor())

    html = client.get(ADD).content.decode()
    client.post(ADD, page_data(body='<p class="MsoNormal"><span>New text</span></p>'))

    assert "ckeditor" in html.lower() and "forumasia/ckeditor-notices.js" in html
    assert Page.objects.get(path="/annual-report/").body == "<p>New text</p>"


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "<p>New text</p><script>alert(1)</script>",
            "Scripts, styles, forms and drawings cannot be published in the text: <script>.",
        ),
        (
            '<iframe src="https://www.youtube.com/embed/x"></iframe>',
            "Embedded content cannot be published in the text: <iframe> from "
            "https://www.youtube.com/embed/x. Remove it, or link to it instead.",
        ),
        (
            '<p><img src="https://example.org/team.jpg" alt="Team"></p>',
            "Upload these images instead: https://example.org/team.jpg.",
        ),
    ],
)
def test_a_page_whose_cleaning_would_lose_something_is_refused_by_name(body, message):
    page = PageFactory(status="draft")
    before = page.body

    response = logged_in(editor()).post(change_url(page), page_data(page, body=body))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["body"]
    assert errors["body"][0].startswith(message)
    assert Page.objects.get(pk=page.pk).body == before


def test_the_image_goes_through_the_pipeline_with_alt_text_required():
    client = logged_in(editor())
    photo = SimpleUploadedFile("rally.jpg", photo_with_gps("red"), "image/jpeg")

    refused = client.post(ADD, page_data(hero_image=photo))
    photo.seek(0)
    client.post(ADD, page_data(hero_image=photo, hero_image_alt="People at the rally"))

    assert "Describe the image" in refused.content.decode()
    page = Page.objects.get(path="/annual-report/")
    with page.hero_image.open() as stored, Image.open(stored) as image:
        assert not image.getexif()
    assert [rendition["width"] for rendition in page.hero_image_renditions]


# --- History ------------------------------------------------------------------------------------


def test_history_compares_two_versions_and_restores_one_keeping_the_status():
    reviewer = publisher()
    page = PageFactory(status="draft", title="Our mandate", body="<p>The army must go.</p>")
    services.save_page(page=page, user=reviewer)
    page.body = "<p>The police must go.</p>"
    services.save_page(page=page, user=reviewer, transition=Transition.PUBLISH)
    older, newer = reversed(list(history.versions_of(page)))
    client = logged_in(reviewer)

    compared = client.get(
        f"{CHANGELIST}{page.pk}/history/compare/?from={older.pk}&to={newer.pk}"
    ).content.decode()
    restored = client.post(f"{CHANGELIST}{page.pk}/history/{older.pk}/restore/")

    assert "<del>army</del>" in compared and "<ins>police</ins>" in compared
    assert "Published" in compared  # the status row
    assert restored.status_code == 302
    page.refresh_from_db()
    assert page.body == "<p>The army must go.</p>" and page.is_public
    assert history.versions_of(page).count() == 3


def test_an_editor_cannot_restore_a_version_of_a_published_page():
    page = PageFactory(status="draft", title="Approved")
    services.save_page(page=page, user=publisher(), transition=Transition.PUBLISH)
    version = history.versions_of(page).get()

    response = logged_in(editor()).post(f"{CHANGELIST}{page.pk}/history/{version.pk}/restore/")

    assert response.status_code == 403


def test_the_list_shows_each_pages_state_and_filters_by_it():
    PageFactory(title="Waiting page", status="review")
    PageFactory(title="Scheduled page", publish_at=timezone.now() + timedelta(days=1))
    client = logged_in(SuperUserFactory())

    html = client.get(CHANGELIST).content.decode()
    scheduled = client.get(CHANGELIST, {"state": "scheduled"}).content.decode()

    assert 'pub-badge--in-review">In review' in html
    assert "Scheduled page" in scheduled and "Waiting page" not in scheduled


def test_publishers_see_pages_waiting_for_review_on_the_admin_index():
    author = editor(username="writer")
    PageFactory(title="Annex for review", status="review", updated_by=author)
    PageFactory(title="Still a draft page", status="draft")

    html = logged_in(publisher()).get("/admin/").content.decode()

    assert "Annex for review" in html and "by writer" in html
    assert "Still a draft page" not in html
    assert "Annex for review" not in logged_in(editor()).get("/admin/").content.decode()
