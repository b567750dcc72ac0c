"""The workflow in the publication admin: the buttons each role gets, and every route by which
an editor might reach the published state refused on the server."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from forumasia import history
from publications import services
from publications.models import Publication
from tests.factories import PublicationFactory, editor, publisher
from tests.publications.test_admin import ADD, CHANGELIST, form_data

pytestmark = pytest.mark.django_db


def change_url(publication):
    return f"{CHANGELIST}{publication.pk}/change/"


def edit_data(publication, **overrides):
    """The change form as the browser would post it for `publication`."""
    local = timezone.localtime(publication.publish_at)
    values = {
        "title": publication.title,
        "slug": publication.slug,
        "publish_at_0": local.strftime("%Y-%m-%d"),
        "publish_at_1": local.strftime("%H:%M:%S"),
        "opened_version": str(history.latest_version_id(publication) or ""),
    }
    return form_data(**{**values, **overrides})


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def buttons(html):
    """The workflow buttons, in their order (shown at the top and the bottom of the form)."""
    found = re.findall(r'name="_transition" value="(\w+)"', html)
    assert found[: len(found) // 2] == found[len(found) // 2 :]
    return found[: len(found) // 2]


def test_an_editor_gets_save_draft_and_submit_for_review_only(editor_client):
    draft = PublicationFactory(status="draft")

    html = editor_client.get(change_url(draft)).content.decode()

    assert buttons(html) == ["draft", "review"]
    assert "Save draft" in html and "Submit for review" in html


def test_a_publisher_gets_every_step_and_sees_the_date_publish_now_gives(publisher_client):
    draft = PublicationFactory(status="review", publish_at=timezone.now() - timedelta(days=600))

    html = publisher_client.get(change_url(draft)).content.decode()

    assert buttons(html) == ["draft", "review", "publish", "schedule"]
    assert "dated the moment you click" in html
    assert 'pub-badge--in-review">In review' in html


def test_a_live_item_offers_save_changes_and_unpublish(publisher_client):
    live = PublicationFactory()

    html = publisher_client.get(change_url(live)).content.decode()

    assert buttons(html) == ["save", "unpublish"]


def test_editor_submits_for_review_from_the_add_form(editor_client):
    response = editor_client.post(ADD, form_data(_transition="review"))

    publication = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == change_url(publication)
    assert publication.status_label == "In review"


def test_publisher_schedules_with_an_unpublish_time(publisher_client):
    draft = PublicationFactory(status="review")
    start = timezone.localtime() + timedelta(days=2)
    end = start + timedelta(days=7)

    response = publisher_client.post(
        change_url(draft),
        edit_data(
            draft,
            _transition="schedule",
            publish_at_0=start.strftime("%Y-%m-%d"),
            publish_at_1=start.strftime("%H:%M:%S"),
            unpublish_at_0=end.strftime("%Y-%m-%d"),
            unpublish_at_1=end.strftime("%H:%M:%S"),
        ),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status_label == "Scheduled"
    assert timezone.localtime(draft.unpublish_at).date() == end.date()


def test_scheduling_without_a_future_date_is_a_form_error_that_keeps_the_input(publisher_client):
    draft = PublicationFactory(status="draft", publish_at=timezone.now() - timedelta(days=1))

    response = publisher_client.post(
        change_url(draft), edit_data(draft, _transition="schedule", title="Kept title")
    )

    assert response.status_code == 200
    assert "set a publish date in the future" in response.content.decode()
    assert 'value="Kept title"' in response.content.decode()
    assert Publication.objects.get().status == "draft"


# --- Editors never reach the published state, by any route ------------------------------------


@pytest.mark.parametrize("transition", ["publish", "schedule", "unpublish"])
def test_a_publishing_button_posted_by_an_editor_is_refused(editor_client, transition):
    draft = PublicationFactory(status="draft", publish_at=timezone.now() + timedelta(days=1))

    response = editor_client.post(change_url(draft), edit_data(draft, _transition=transition))

    assert response.status_code == 200
    assert "Only a publisher" in response.content.decode()
    assert Publication.objects.get().status == "draft"


def test_a_status_field_posted_by_hand_is_ignored(editor_client):
    draft = PublicationFactory(status="draft")

    editor_client.post(change_url(draft), edit_data(draft, status="published"))
    editor_client.post(ADD, form_data(status="published", _transition="draft"))

    assert not Publication.objects.released().exists()


def test_the_publishing_list_actions_are_not_an_editors(editor_client):
    draft, live = PublicationFactory(status="draft"), PublicationFactory()

    html = editor_client.get(CHANGELIST).content.decode()
    editor_client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
    editor_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]})

    assert 'value="publish_now"' not in html and 'value="unpublish"' not in html
    assert list(Publication.objects.published()) == [live]


def test_an_editor_cannot_change_or_delete_a_published_item(editor_client):
    live = PublicationFactory(title="As approved")

    page = editor_client.get(change_url(live))
    post = editor_client.post(change_url(live), edit_data(live, title="Rewritten"))
    delete = editor_client.post(f"{CHANGELIST}{live.pk}/delete/", {"post": "yes"})
    bulk = editor_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [live.pk], "post": "yes"}
    )

    assert page.status_code == 200 and buttons(page.content.decode()) == []
    assert "only a publisher can change it" in page.content.decode()
    assert (post.status_code, delete.status_code, bulk.status_code) == (403, 403, 403)
    assert Publication.objects.get().title == "As approved"


def test_an_editor_restoring_a_published_version_does_not_publish_it(editor_client):
    publication = PublicationFactory(status="draft", title="Approved")
    services.save_publication(
        publication=publication, user=publisher(), transition=services.Transition.PUBLISH
    )
    published_version = history.versions_of(publication).first()
    services.unpublish(publications=[publication], user=publisher())

    restore = f"{change_url(publication)[: -len('change/')]}history/{published_version.pk}/restore/"
    response = editor_client.post(restore)

    assert response.status_code == 302
    assert Publication.objects.get().status == "unpublished"
    assert not Publication.objects.published().exists()


# --- The admin index -----------------------------------------------------------------------------


def test_publishers_see_what_waits_for_review_on_the_admin_index(django_assert_max_num_queries):
    author = editor(username="writer")
    for n in range(3):
        PublicationFactory(title=f"Waiting {n}", status="review", updated_by=author)
    PublicationFactory(title="Still a draft", status="draft")
    reviewer = logged_in(publisher())

    with django_assert_max_num_queries(12):
        html = reviewer.get("/admin/").content.decode()

    assert "Waiting for review" in html
    assert all(f"Waiting {n}" in html for n in range(3))
    assert "Still a draft" not in html and "by writer" in html
    assert "Waiting for review" not in logged_in(editor()).get("/admin/").content.decode()


def test_the_slug_help_says_the_real_address(editor_client, settings):
    publication = PublicationFactory(slug="release-them", status="draft")

    added = editor_client.get(ADD).content.decode()
    changed = editor_client.get(change_url(publication)).content.decode()

    assert f"{settings.SITE_URL}/publications/<em>slug</em>/" in added
    assert f"{settings.SITE_URL}/publications/release-them/" in changed
    assert "/publications//" not in added + changed
