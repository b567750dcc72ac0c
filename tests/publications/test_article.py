"""The detail page's article as template fragments kept on what they show
(publications/article.py): every change of what it shows is shown at once, a publish of
something else leaves it warm."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag

from forumasia import events
from members import services as member_services
from publications import services, tasks
from publications.models import Publication
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    country,
    publisher,
)

pytestmark = pytest.mark.django_db

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Rows saved with the publication, read only when the article is rendered (signatures,
# countries and themes are read on every request: the article is kept on what they show).
SAVED_WITH_IT = ("publications_attachment", "publications_galleryimage")


@pytest.fixture
def story():
    centre = MemberOrganisationFactory(name="Mekong Rights Centre", acronym="MRC")
    alliance = PartnerOrganisationFactory(name="Coastal Alliance")
    publication = PublicationFactory(
        type="story",
        title="Floods and land rights",
        countries=[country("KH"), country("TH")],
        tags=["Land rights"],
        signatories=[centre, alliance],
    )
    AttachmentFactory(publication=publication, title="Field notes")
    GalleryImageFactory(publication=publication, alt_text="A flooded village")
    return publication


def fresh_page(client, url):
    with override_settings(CACHES=NO_CACHE):
        return client.get(url).content.decode()


def rename(instance, field, value):
    setattr(instance, field, value)
    instance.save()


def renamed(instance, name):
    instance.name = name
    return instance


def edited(publication):
    """The publication's admin save, which writes its inlines and links with it."""
    services.save_publication(publication=publication, user=publisher())


def admin_rename(instance, field, value):
    """A theme's or partner's admin save (forumasia/workflow_admin.py)."""
    rename(instance, field, value)
    events.changed(instance)


CHANGES = {
    "a signature added": (
        lambda p: (
            p.signatures.create(member=MemberOrganisationFactory(name="Delta Watch"), order=9),
            edited(p),
        ),
        "Delta Watch",
    ),
    "a signatory member renamed": (
        lambda p: member_services.save_member(
            member=renamed(p.signatures.get(member__isnull=False).member, "Mekong Watch"),
            user=publisher(),
        ),
        "Mekong Watch",
    ),
    "a partner renamed": (
        lambda p: admin_rename(
            p.signatures.get(partner__isnull=False).partner, "name", "Reef Alliance"
        ),
        "Reef Alliance",
    ),
    "an attachment retitled": (
        lambda p: (rename(p.attachments.get(), "title", "Revised field notes"), edited(p)),
        "Revised field notes",
    ),
    "an attachment deleted": (lambda p: (p.attachments.get().delete(), edited(p)), None),
    "a gallery image added": (
        lambda p: (GalleryImageFactory(publication=p, alt_text="Sandbags on a dyke"), edited(p)),
        "Sandbags on a dyke",
    ),
    "gallery renditions made": (
        lambda p: tasks.make_gallery_renditions.func(p.gallery_images.get().pk),
        "srcset",
    ),
    "a theme added": (lambda p: (p.tags.add("Climate justice"), edited(p)), "Climate justice"),
    "a theme renamed": (
        lambda p: admin_rename(Tag.objects.get(name="Land rights"), "name", "Land tenure"),
        "Land tenure",
    ),
    "a country removed": (lambda p: (p.countries.remove(country("TH")), edited(p)), None),
    "a country renamed": (
        lambda p: member_services.save_country(country=renamed(country("KH"), "Kampuchea")),
        "Kampuchea",
    ),
    "the body edited": (
        lambda p: (setattr(p, "body", "<p>Corrected account of the floods.</p>"), edited(p)),
        "Corrected account of the floods.",
    ),
    "the media contact edited": (
        lambda p: rename(p, "media_contact", "press@example.org"),
        "press@example.org",
    ),
    "a partner's website changed": (
        lambda p: rename(
            p.signatures.get(partner__isnull=False).partner, "website", "https://reef.example.org"
        ),
        "https://reef.example.org",
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_the_article_shows_every_change_of_what_it_shows(client, story, change, commit):
    url = story.get_absolute_url()
    client.get(url)  # the article is kept
    apply, shown = CHANGES[change]

    apply(story)
    commit()
    # The article, not the page cache, is under test (a write without an event leaves whole
    # pages cached: forumasia/cache.py, PAGE_TIMEOUT).
    with override_settings(PAGE_CACHE_ENABLED=False):
        page = client.get(url).content.decode()

    assert page == fresh_page(client, url)
    if shown:
        assert shown in page


def test_a_detail_page_after_a_publish_takes_its_article_from_the_cache(client, story, commit):
    url = story.get_absolute_url()
    draft = PublicationFactory(title="Another statement, just published", status="draft")
    first = client.get(url).content.decode()

    services.publish(publications=[draft], user=publisher())
    commit()
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url).content.decode()

    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert not [table for table in SAVED_WITH_IT if f'"{table}"' in read]
    assert again == first == fresh_page(client, url)


def test_a_staff_preview_of_a_draft_is_never_kept(admin_client):
    draft = PublicationFactory(status="draft", body="<p>First draft.</p>")
    url = draft.get_absolute_url()
    admin_client.get(url)

    Publication.objects.filter(pk=draft.pk).update(body="<p>Second draft.</p>")

    assert "Second draft." in admin_client.get(url).content.decode()
