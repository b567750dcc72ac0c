"""The pages' workflow at the service every route goes through (pages/services.py, the shared
forumasia/workflow.py): the publications' rules for pages — which transition gives which status
and date, who may make it, the revision each save is, the 301 a changed address of a public
page leaves, restoring a version."""

from datetime import timedelta

import pytest
from django.contrib.redirects.models import Redirect
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from forumasia import history
from forumasia.workflow import Transition
from pages import services
from pages.models import Page
from tests.factories import PageFactory, SuperUserFactory, editor, publisher

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def save(page, user, transition=Transition.SAVE, **kwargs):
    return services.save_page(page=page, user=user, transition=transition, **kwargs)


def redirects():
    return set(Redirect.objects.values_list("old_path", "new_path"))


# --- States and dates -----------------------------------------------------------------------


def test_publishing_an_old_draft_dates_it_now():
    now = timezone.now()
    draft = PageFactory(status="draft", publish_at=ago(days=700))

    save(draft, publisher(), Transition.PUBLISH, now=now)

    draft.refresh_from_db()
    assert draft.publish_at == now and draft.is_public


def test_an_unpublished_page_comes_back_with_its_original_date():
    original = ago(days=400)
    page = PageFactory(status="unpublished", publish_at=original)

    services.publish(pages=[page], user=publisher())

    page.refresh_from_db()
    assert page.publish_at == original and page.is_public


def test_scheduling_needs_a_future_date_and_then_the_clock_publishes_and_unpublishes():
    past = PageFactory(status="draft", publish_at=ago(minutes=1))
    with pytest.raises(ValidationError):
        save(past, publisher(), Transition.SCHEDULE)

    page = PageFactory(status="draft")
    page.publish_at, page.unpublish_at = later(hours=1), later(hours=2)
    save(page, publisher(), Transition.SCHEDULE)

    assert page.status_label == "Scheduled"
    assert not Page.objects.published(later(minutes=59)).filter(pk=page.pk).exists()
    assert Page.objects.published(later(minutes=61)).filter(pk=page.pk).exists()
    assert not Page.objects.published(later(hours=2)).filter(pk=page.pk).exists()


def test_unpublishing_a_live_page_marks_it_unpublished_and_a_scheduled_one_goes_back_to_draft():
    live = PageFactory()
    scheduled = PageFactory(publish_at=later(days=1))

    assert services.unpublish(pages=[live, scheduled], user=publisher()) == 2

    live.refresh_from_db()
    scheduled.refresh_from_db()
    assert (live.status_label, scheduled.status_label) == ("Unpublished", "Draft")


def test_an_editor_submits_for_review_and_saves_drafts():
    page = PageFactory(status="draft")
    author = editor()

    save(page, author, Transition.REVIEW)
    assert Page.objects.in_review().get() == page
    save(page, author, Transition.DRAFT)
    assert Page.objects.drafts().get() == page


# --- Who may --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transition", [Transition.PUBLISH, Transition.SCHEDULE, Transition.UNPUBLISH]
)
def test_an_editor_can_never_publish_schedule_or_unpublish_a_page(transition):
    page = PageFactory(status="review", publish_at=later(days=1))

    with pytest.raises(PermissionDenied):
        save(page, editor(), transition)

    assert Page.objects.get(pk=page.pk).status == "review"


@pytest.mark.parametrize("publish_at", [ago(days=1), later(days=1)], ids=["live", "scheduled"])
def test_an_editor_cannot_change_a_page_a_publisher_released(publish_at):
    released = PageFactory(publish_at=publish_at, title="As approved")
    released.title = "Changed by an editor"

    for transition in (Transition.SAVE, Transition.DRAFT, Transition.REVIEW):
        with pytest.raises(PermissionDenied):
            save(released, editor(), transition)
    with pytest.raises(PermissionDenied):
        services.unpublish(pages=[released], user=editor())

    assert Page.objects.get(pk=released.pk).title == "As approved"


def test_superusers_may_do_everything():
    page = PageFactory(status="draft")

    save(page, SuperUserFactory(), Transition.PUBLISH)

    assert page.is_public


# --- Revisions and addresses ----------------------------------------------------------------


def test_every_transition_is_a_revision_with_who_and_what():
    page = PageFactory(status="draft")
    author, reviewer = editor(), publisher()

    save(page, author, Transition.REVIEW)
    save(page, reviewer, Transition.PUBLISH)
    services.unpublish(pages=[page], user=reviewer)

    revisions = [version.revision for version in history.versions_of(page)]
    assert [(r.user, r.comment) for r in revisions] == [
        (reviewer, "Unpublished"),
        (reviewer, "Published"),
        (author, "Submitted for review"),
    ]


def test_a_new_address_of_a_public_page_leaves_a_301_from_the_old_one_and_chains_collapse():
    page = PageFactory(path="/mandate/")

    for path in ("/our-mandate/", "/mission/"):
        page.path = path
        save(page, publisher())

    assert redirects() == {("/mandate/", "/mission/"), ("/our-mandate/", "/mission/")}


def test_a_draft_moving_leaves_no_redirect_nor_removes_one_until_a_publisher_releases_it():
    draft = PageFactory(path="/draft-address/", status="draft")
    draft.path = "/better-address/"
    save(draft, editor())
    moved = PageFactory(path="/left/")
    moved.path = "/new-home/"
    save(moved, publisher())

    newcomer = PageFactory.build(path="/left/", status="draft")
    save(newcomer, editor())
    assert redirects() == {("/left/", "/new-home/")}
    save(newcomer, publisher(), Transition.PUBLISH)

    assert redirects() == set()


# --- Restoring ------------------------------------------------------------------------------


def test_restoring_brings_back_the_text_as_a_new_revision_and_keeps_the_status():
    reviewer = publisher()
    page = PageFactory(status="draft", title="First words", body="<p>First body</p>")
    save(page, reviewer, Transition.PUBLISH)
    first = history.versions_of(page).get()
    page.title, page.body = "Second words", "<p>Second body</p>"
    save(page, reviewer)
    services.unpublish(pages=[page], user=reviewer)

    services.restore_version(version=first, user=reviewer)

    page.refresh_from_db()
    assert (page.title, page.body, page.status) == (
        "First words",
        "<p>First body</p>",
        "unpublished",
    )
    assert history.versions_of(page).first().revision.comment.startswith("Restored the version of")


def test_restoring_an_address_another_page_took_since_is_refused_not_a_500():
    page = PageFactory(path="/taken-later/", status="draft")
    save(page, editor())
    version = history.versions_of(page).get()
    page.path = "/moved-on/"
    save(page, editor())
    PageFactory(path="/taken-later/")

    with pytest.raises(ValidationError):
        services.restore_version(version=version, user=editor())

    assert Page.objects.get(pk=page.pk).path == "/moved-on/"
