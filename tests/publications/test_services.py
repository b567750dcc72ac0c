"""The editorial workflow's rules, at the service every route goes through: which transition
gives which status and date, who may make it, the revision each save is, the 301 a changed
slug leaves, restoring a version, and partners linked where Other co-signers named them."""

from datetime import timedelta

import pytest
from django.contrib.redirects.models import Redirect
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from reversion.models import Version

from forumasia import history, workflow
from publications import services
from publications.models import Publication
from publications.services import Transition
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    SuperUserFactory,
    country,
    editor,
    publisher,
)

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


def later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def save(publication, user, transition=Transition.SAVE, **kwargs):
    return services.save_publication(
        publication=publication, user=user, transition=transition, **kwargs
    )


# --- Publish now: the date it gets ---------------------------------------------------------


def test_publishing_an_old_draft_dates_it_now_not_with_its_old_date():
    now = timezone.now()
    draft = PublicationFactory(status="draft", publish_at=ago(days=700))

    save(draft, publisher(), Transition.PUBLISH, now=now)

    draft.refresh_from_db()
    assert draft.publish_at == now and draft.is_public


def test_publishing_a_scheduled_item_now_dates_it_now():
    now = timezone.now()
    scheduled = PublicationFactory(publish_at=later(days=3))

    services.publish(publications=[scheduled], user=publisher(), now=now)

    scheduled.refresh_from_db()
    assert scheduled.publish_at == now and scheduled.is_public


def test_an_unpublished_item_comes_back_with_its_original_date():
    original = ago(days=400)
    item = PublicationFactory(status="unpublished", publish_at=original)

    services.publish(publications=[item], user=publisher())

    item.refresh_from_db()
    assert item.publish_at == original and item.is_public


def test_an_expired_item_comes_back_with_its_date_and_without_its_passed_unpublish_date():
    original = ago(days=10)
    item = PublicationFactory(publish_at=original, unpublish_at=ago(days=1))
    assert item.status_label == "Unpublished"

    services.publish(publications=[item], user=publisher())

    item.refresh_from_db()
    assert (item.publish_at, item.unpublish_at) == (original, None)
    assert item.is_public


def test_publishing_what_is_already_public_changes_nothing():
    public = PublicationFactory(publish_at=ago(days=5))

    assert services.publish(publications=[public], user=publisher()) == 0

    assert Publication.objects.get().publish_at == public.publish_at


def test_the_publish_button_says_which_date_it_will_give():
    now = timezone.now()
    draft = PublicationFactory.build(status="draft", publish_at=ago(days=700))
    taken_down = PublicationFactory.build(status="unpublished", publish_at=ago(days=700))

    assert "dated the moment you click" in workflow.describe_publish_date(draft, now)
    assert "keeping its original date" in workflow.describe_publish_date(taken_down, now)


# --- Schedule, unpublish, review ------------------------------------------------------------


def test_scheduling_needs_a_publish_date_in_the_future():
    draft = PublicationFactory(status="draft", publish_at=ago(minutes=1))

    with pytest.raises(ValidationError) as refused:
        save(draft, publisher(), Transition.SCHEDULE)

    assert "publish_at" in refused.value.message_dict
    assert Publication.objects.get().status == "draft"


def test_scheduling_with_an_unpublish_date_puts_it_up_and_takes_it_down_by_the_clock():
    draft = PublicationFactory(status="draft")
    draft.publish_at, draft.unpublish_at = later(hours=1), later(hours=2)

    save(draft, publisher(), Transition.SCHEDULE)

    assert draft.status_label == "Scheduled"
    assert not Publication.objects.published(later(minutes=59)).exists()
    assert Publication.objects.published(later(minutes=61)).get() == draft
    assert not Publication.objects.published(later(hours=2)).exists()


def test_unpublishing_a_live_item_marks_it_unpublished_and_a_scheduled_one_goes_back_to_draft():
    live = PublicationFactory()
    scheduled = PublicationFactory(publish_at=later(days=1))

    assert services.unpublish(publications=[live, scheduled], user=publisher()) == 2

    live.refresh_from_db()
    scheduled.refresh_from_db()
    assert (live.status_label, scheduled.status_label) == ("Unpublished", "Draft")
    assert not Publication.objects.published(later(days=2)).exists()


def test_an_editor_submits_for_review_and_saves_drafts():
    draft = PublicationFactory(status="draft")
    author = editor()

    save(draft, author, Transition.REVIEW)
    assert Publication.objects.in_review().get() == draft
    save(draft, author, Transition.DRAFT)
    assert Publication.objects.drafts().get() == draft


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "transition", [Transition.PUBLISH, Transition.SCHEDULE, Transition.UNPUBLISH]
)
def test_an_editor_can_never_publish_schedule_or_unpublish(transition):
    draft = PublicationFactory(status="review", publish_at=later(days=1))

    with pytest.raises(PermissionDenied):
        save(draft, editor(), transition)

    assert Publication.objects.get().status == "review"


def test_an_editor_cannot_publish_or_unpublish_through_the_list_services():
    draft, live = PublicationFactory(status="draft"), PublicationFactory()

    with pytest.raises(PermissionDenied):
        services.publish(publications=[draft], user=editor())
    with pytest.raises(PermissionDenied):
        services.unpublish(publications=[live], user=editor())

    assert list(Publication.objects.published()) == [live]


@pytest.mark.parametrize("publish_at", [ago(days=1), later(days=1)], ids=["live", "scheduled"])
def test_an_editor_cannot_change_what_a_publisher_released(publish_at):
    released = PublicationFactory(publish_at=publish_at, title="As approved")
    released.title = "Changed by an editor"

    for transition in (Transition.SAVE, Transition.DRAFT, Transition.REVIEW):
        with pytest.raises(PermissionDenied):
            save(released, editor(), transition)

    assert Publication.objects.get().title == "As approved"


def test_superusers_may_do_everything():
    draft = PublicationFactory(status="draft")

    save(draft, SuperUserFactory(), Transition.PUBLISH)

    assert draft.is_public


# --- Each save is a revision --------------------------------------------------------------------


def test_every_transition_is_a_revision_with_who_and_what():
    draft = PublicationFactory(status="draft")
    author, reviewer = editor(), publisher()

    save(draft, author, Transition.REVIEW)
    save(draft, reviewer, Transition.PUBLISH)
    services.unpublish(publications=[draft], user=reviewer)

    revisions = [v.revision for v in history.versions_of(draft)]
    assert [(r.user, r.comment) for r in revisions] == [
        (reviewer, "Unpublished"),
        (reviewer, "Published"),
        (author, "Submitted for review"),
    ]


def test_a_revision_holds_the_signatories_in_order_countries_and_themes():
    first, second = MemberOrganisationFactory(), MemberOrganisationFactory()
    publication = PublicationFactory(
        status="draft", countries=[country("TH")], tags=["Land rights"], signatories=[second, first]
    )

    save(publication, editor(), Transition.DRAFT)

    version = history.versions_of(publication).get()
    follow_ups = history.follow_up_versions(version)
    signatures = sorted((v.field_dict for v in follow_ups["signatures"]), key=lambda s: s["order"])
    assert [s["member_id"] for s in signatures] == [second.pk, first.pk]
    assert version.field_dict["countries"] == [country("TH").pk]
    assert len(follow_ups["tag_links"]) == 1


# --- Old addresses --------------------------------------------------------------------------------


def rename(publication, slug, user=None):
    publication.slug = slug
    save(publication, user or publisher())


def redirects():
    return set(Redirect.objects.values_list("old_path", "new_path"))


def test_renaming_a_public_publication_leaves_a_301_from_its_old_address():
    publication = PublicationFactory(slug="old-name")

    rename(publication, "new-name")

    assert redirects() == {("/publications/old-name/", "/publications/new-name/")}


def test_renaming_a_draft_leaves_no_redirect():
    publication = PublicationFactory(slug="old-name", status="draft")

    rename(publication, "new-name", editor())

    assert redirects() == set()


def test_redirect_chains_collapse_to_one_hop():
    publication = PublicationFactory(slug="a")

    rename(publication, "b")
    rename(publication, "c")

    assert redirects() == {
        ("/publications/a/", "/publications/c/"),
        ("/publications/b/", "/publications/c/"),
    }


def test_renaming_back_removes_the_redirect_that_would_loop():
    publication = PublicationFactory(slug="a")

    rename(publication, "b")
    rename(publication, "a")

    assert redirects() == {("/publications/b/", "/publications/a/")}


def test_a_publication_taking_an_address_another_left_wins_over_its_redirect_once_released():
    moved = PublicationFactory(slug="a")
    rename(moved, "b")

    newcomer = PublicationFactory.build(slug="a", status="draft")
    save(newcomer, editor())
    assert redirects() == {("/publications/a/", "/publications/b/")}  # an editor's draft
    save(newcomer, publisher(), Transition.PUBLISH)

    assert redirects() == set()


# --- Restoring a version ------------------------------------------------------------------------


def test_restoring_brings_back_text_signatories_order_countries_and_themes_as_a_new_revision():
    first, second = MemberOrganisationFactory(), MemberOrganisationFactory()
    publication = PublicationFactory(
        status="draft",
        title="First words",
        countries=[country("TH")],
        tags=["Land rights"],
        signatories=[first, second],
    )
    author = editor()
    save(publication, author, Transition.DRAFT)
    original = history.versions_of(publication).get()

    publication.title = "Second words"
    publication.signatures.all().delete()
    publication.signatures.create(member=second, order=0)
    publication.countries.set([country("KH")])
    publication.tags.set(["Elections"])
    save(publication, author, Transition.DRAFT)

    services.restore_version(version=original, user=author)

    publication.refresh_from_db()
    assert publication.title == "First words"
    assert [s.member for s in publication.signatures.all()] == [first, second]
    assert list(publication.countries.all()) == [country("TH")]
    assert [tag.name for tag in publication.tags.all()] == ["Land rights"]
    versions = list(history.versions_of(publication))
    assert len(versions) == 3
    assert versions[0].revision.comment.startswith("Restored the version of")
    assert versions[-1].pk == original.pk and versions[-1].field_dict["title"] == "First words"


def test_restoring_a_published_version_keeps_the_current_status_an_editor_cannot_publish_so():
    publication = PublicationFactory(status="draft", title="Approved text")
    save(publication, publisher(), Transition.PUBLISH)
    published_version = history.versions_of(publication).first()
    services.unpublish(publications=[publication], user=publisher())
    publication.refresh_from_db()
    save(publication, editor(), Transition.DRAFT)

    services.restore_version(version=published_version, user=editor())

    publication.refresh_from_db()
    assert publication.status == "draft"
    assert not Publication.objects.published().exists()


def test_restoring_leaves_out_a_signatory_deleted_since_and_says_so():
    kept, gone = MemberOrganisationFactory(name="Kept"), MemberOrganisationFactory(name="Gone")
    publication = PublicationFactory(status="draft", signatories=[kept, gone])
    save(publication, editor(), Transition.DRAFT)
    version = history.versions_of(publication).get()
    gone.delete()

    restored = services.restore_version(version=version, user=editor())

    assert [s.member for s in publication.signatures.all()] == [kept]
    assert any("Gone" in name for name in restored.left_out)


def test_restoring_an_address_another_publication_took_since_is_refused_not_a_500():
    publication = PublicationFactory(status="draft", slug="taken-later")
    save(publication, editor(), Transition.DRAFT)
    version = history.versions_of(publication).get()
    rename(publication, "moved-on", editor())
    PublicationFactory(slug="taken-later")

    with pytest.raises(ValidationError):
        services.restore_version(version=version, user=editor())

    assert Version.objects.get_for_object(publication).count() == 2


# --- Partners named in Other co-signers ---------------------------------------------------------


def test_linking_a_partner_moves_exact_lines_only_and_appends_it_once():
    member = MemberOrganisationFactory()
    partner = PartnerOrganisationFactory(name="CIVICUS")
    named = PublicationFactory(co_signers="CIVICUS\nCIVICUS members in Asia", signatories=[member])
    already = PublicationFactory(co_signers="civicus", signatories=[partner])
    unnamed = PublicationFactory(co_signers="Friends of CIVICUS")

    assert services.link_co_signers(partner=partner, user=publisher()).linked == 2

    named.refresh_from_db()
    already.refresh_from_db()
    unnamed.refresh_from_db()
    assert named.co_signers == "CIVICUS members in Asia"
    assert [s.signatory for s in named.signatures.all()] == [member, partner]
    assert already.co_signers == "" and already.signatures.count() == 1
    assert unnamed.co_signers == "Friends of CIVICUS" and not unnamed.signatures.exists()
