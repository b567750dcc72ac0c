"""One change event per editorial action (forumasia/events.py): whatever an action writes (a
statement with its countries, themes, signatories, attachments and gallery; a list of
publications published at once; a member, a page), its search vectors are written once and
the cached pages forgotten once, after the action's transaction commits; and the public pages
show the change at once."""

import io
from datetime import timedelta

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from taggit.models import Tag

from forumasia import events
from members.models import MemberOrganisation
from pages.models import Page
from publications import services
from publications.models import Publication
from publications.search import search
from tests.factories import (
    MemberOrganisationFactory,
    PageFactory,
    PublicationFactory,
    country,
    publisher,
)
from tests.forumasia.test_workflow_admin import AdminForm

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/publications/publication/"


def pdf_upload():
    buffer = io.BytesIO()
    document = pikepdf.new()
    document.add_blank_page()
    document.save(buffer)
    return SimpleUploadedFile("report.pdf", buffer.getvalue(), content_type="application/pdf")


def jpeg_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "#0b5d6b").save(buffer, format="JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def change_form(client, obj):
    """What a browser sends for `obj`'s admin change form as shown: {name: [values]}."""
    url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    parser = AdminForm(f"{obj._meta.model_name}_form")
    parser.feed(client.get(url).content.decode())
    data = {}
    for name, value, _kind in parser.fields:
        data.setdefault(name, []).append(value)
    return url, data


@pytest.fixture
def publisher_client():
    client = Client()
    client.force_login(publisher())
    return client


@pytest.fixture
def statement():
    return PublicationFactory(title="Free the defenders", body="<p>Before</p>")


def admin_save_with_every_inline(client, statement):
    """Save `statement` in the admin with two countries, two themes, three signatories, an
    attachment and a gallery image added."""
    members = MemberOrganisationFactory.create_batch(3)
    url, data = change_form(client, statement)
    data.update(
        {
            "body": ["<p>After</p>"],
            "countries": [str(country("TH").pk), str(country("KH").pk)],
            "tags": ["Land rights, Students"],
            "_transition": ["save"],
            "signatures-TOTAL_FORMS": ["3"],
            "attachments-TOTAL_FORMS": ["1"],
            "gallery_images-TOTAL_FORMS": ["1"],
            "attachments-0-title": ["The report"],
            "attachments-0-file": [pdf_upload()],
            "attachments-0-language": ["en"],
            "attachments-0-order": ["0"],
            "gallery_images-0-image": [jpeg_upload()],
            "gallery_images-0-alt_text": ["Students with banners"],
            "gallery_images-0-order": ["0"],
        }
    )
    for number, member in enumerate(members):
        data[f"signatures-{number}-member"] = [str(member.pk)]
        data[f"signatures-{number}-order"] = [str(number)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_an_admin_save_with_every_inline_refreshes_vectors_once_and_pages_once(
    publisher_client, statement, commit, change_counts
):
    commit()
    sent = []

    def received(**kwargs):
        sent.append(kwargs)

    events.content_changed.connect(received)
    try:
        admin_save_with_every_inline(publisher_client, statement)
        commit()
    finally:
        events.content_changed.disconnect(received)

    statement.refresh_from_db()
    assert statement.signatures.count() == 3 and statement.countries.count() == 2
    assert statement.attachments.count() == 1 and statement.gallery_images.count() == 1
    assert len(sent) == 1
    assert ("publications.publication", statement.pk) in sent[0]["rows"]
    assert change_counts == {"vectors": 1, "pages": [False]}


def test_nothing_is_refreshed_before_the_action_commits(publisher_client, statement, change_counts):
    admin_save_with_every_inline(publisher_client, statement)

    assert change_counts == {"vectors": 0, "pages": []}


def test_an_action_rolled_back_sends_no_event(statement, commit, change_counts):
    with pytest.raises(RuntimeError), transaction.atomic():
        events.changed(statement, takedown=True)
        raise RuntimeError
    commit()

    assert change_counts == {"vectors": 0, "pages": []}


def test_publishing_a_list_from_the_admin_is_one_event(
    publisher_client, commit, change_counts, client
):
    drafts = PublicationFactory.create_batch(3, status="draft", title="A fresh statement")
    client.get("/publications/")
    commit()
    change_counts.update(vectors=0, pages=[])

    publisher_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [d.pk for d in drafts]}
    )
    commit()

    assert change_counts == {"vectors": 1, "pages": [False]}
    assert client.get("/publications/").content.decode().count("A fresh statement") == 3


def test_unpublishing_from_the_admin_is_one_takedown_and_the_cached_page_goes(
    publisher_client, statement, commit, change_counts, client
):
    assert "Free the defenders" in client.get("/publications/").content.decode()
    assert client.get("/publications/").page_cache == "hit"

    publisher_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [statement.pk]})
    commit()

    assert change_counts == {"vectors": 1, "pages": [True]}
    assert "Free the defenders" not in client.get("/publications/").content.decode()
    assert client.get(statement.get_absolute_url()).status_code == 404


def test_the_admin_save_shows_on_the_public_page_at_once(
    publisher_client, statement, commit, client
):
    assert "Before" in client.get(statement.get_absolute_url()).content.decode()

    admin_save_with_every_inline(publisher_client, statement)
    commit()

    page = client.get(statement.get_absolute_url()).content.decode()
    assert "After" in page and "Before" not in page
    assert "The report" in page and "Students with banners" in page


def test_deleting_from_the_admin_is_one_takedown(
    publisher_client, statement, commit, change_counts, client
):
    assert client.get(statement.get_absolute_url()).status_code == 200

    url = f"{CHANGELIST}{statement.pk}/delete/"
    assert publisher_client.post(url, {"post": "yes"}).status_code == 302
    commit()

    assert not Publication.objects.filter(pk=statement.pk).exists()
    assert change_counts == {"vectors": 1, "pages": [True]}
    assert client.get(statement.get_absolute_url()).status_code == 404


def test_a_member_saved_in_the_admin_is_one_event_and_its_page_changes(
    publisher_client, commit, change_counts, client
):
    member = MemberOrganisationFactory(name="Old Name Centre")
    PublicationFactory(signatories=[member])
    assert "Old Name Centre" in client.get(member.get_absolute_url()).content.decode()
    commit()
    change_counts.update(vectors=0, pages=[])

    url, data = change_form(publisher_client, member)
    data["name"] = ["New Name Centre"]
    assert publisher_client.post(url, data).status_code == 302
    commit()

    assert MemberOrganisation.objects.get(pk=member.pk).name == "New Name Centre"
    assert change_counts == {"vectors": 1, "pages": [False]}
    assert "New Name Centre" in client.get(member.get_absolute_url()).content.decode()


def test_a_page_saved_in_the_admin_invalidates_once_and_writes_no_vector(
    publisher_client, commit, change_counts, client
):
    page = PageFactory(title="About the network")
    assert "About the network" in client.get(page.path).content.decode()
    commit()
    change_counts.update(vectors=0, pages=[])

    url, data = change_form(publisher_client, page)
    data.update({"title": ["About our network"], "_transition": ["save"]})
    assert publisher_client.post(url, data).status_code == 302
    commit()

    assert Page.objects.get(pk=page.pk).title == "About our network"
    assert change_counts == {"vectors": 0, "pages": [False]}
    assert "About our network" in client.get(page.path).content.decode()


def test_an_end_date_set_in_the_past_is_a_takedown(statement, commit, change_counts, client):
    assert "Free the defenders" in client.get("/publications/").content.decode()
    statement.unpublish_at = timezone.now() - timedelta(minutes=1)

    services.save_publication(publication=statement, user=publisher())
    commit()

    assert change_counts == {"vectors": 1, "pages": [True]}
    assert "Free the defenders" not in client.get("/publications/").content.decode()


def test_merging_themes_is_one_event(statement, commit, change_counts):
    statement.tags.add("Land", "Land rights")

    services.merge_themes(
        themes=Tag.objects.filter(name__in=["Land", "Land rights"]),
        into="Land rights",
        user=publisher(),
    )
    commit()

    assert change_counts == {"vectors": 1, "pages": [False]}


def test_deleting_a_member_rewrites_the_search_words_of_what_it_signed(
    publisher_client, commit, change_counts, client
):
    member = MemberOrganisationFactory(name="Vanished Centre")
    statement = PublicationFactory(signatories=[member])
    assert "Vanished Centre" in client.get(statement.get_absolute_url()).content.decode()
    commit()
    change_counts.update(vectors=0, pages=[])

    url = f"/admin/members/memberorganisation/{member.pk}/delete/"
    assert publisher_client.post(url, {"post": "yes"}).status_code == 302
    commit()

    assert change_counts == {"vectors": 1, "pages": [True]}
    assert "Vanished Centre" not in client.get(statement.get_absolute_url()).content.decode()
    assert statement not in search(Publication.objects.all(), "Vanished")[0]
