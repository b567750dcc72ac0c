"""The editor's workflow in the admin: create with inlines and images, publish, unpublish."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from forumasia.files import owned_files
from publications.models import GalleryImage, Publication
from tests.factories import (
    MemberOrganisationFactory,
    PublicationFactory,
    UserFactory,
    country,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/publications/publication/add/"
CHANGELIST = "/admin/publications/publication/"
GPS_IFD = 0x8825


def jpeg(name="protest.jpg", gps=True, size=(1000, 600)):
    image = Image.new("RGB", size, "#0b5d6b")
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (13.0, 45.0, 0.0), 3: "E", 4: (100.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def svg():
    return SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        content_type="image/svg+xml",
    )


def bomb():
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, format="PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def form_data(**overrides):
    now = timezone.localtime()
    data = {
        "type": "statement",
        "title": "Release the detained students",
        "slug": "release-the-detained-students",
        "standfirst": "The network calls for release.",
        "body": '<p><span style="color:red">Text</span></p>',
        "status": "draft",
        "publish_at_0": now.strftime("%Y-%m-%d"),
        "publish_at_1": now.strftime("%H:%M:%S"),
        "featured_image_alt": "",
        "featured_image_caption": "",
        "featured_image_credit": "",
        "tags": "Civic space, Students",
        "co_signers": "",
        "media_contact": "",
        "video_url": "",
        "language": "en",
        "translation_of": "",
    }
    for prefix in ("signatures", "attachments", "gallery_images"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def stored_has_no_metadata(name, storage=owned_files):
    with storage.open(name) as handle, Image.open(handle) as image:
        exif = image.getexif()
        return not exif.get_ifd(GPS_IFD) and 0x010F not in exif and "exif" not in image.info


def test_editor_creates_a_statement_with_signatories_image_and_tags(editor_client):
    first, second = MemberOrganisationFactory(), MemberOrganisationFactory()
    data = form_data(
        countries=[country("TH").pk],
        featured_image=jpeg(),
        featured_image_alt="Students holding banners",
        **{
            "signatures-TOTAL_FORMS": "2",
            "signatures-0-member": str(second.pk),
            "signatures-0-order": "0",
            "signatures-1-member": str(first.pk),
            "signatures-1-order": "1",
        },
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get(slug="release-the-detained-students")
    assert publication.body == "<p>Text</p>"
    assert [s.member for s in publication.signatures.all()] == [second, first]
    assert sorted(tag.name for tag in publication.tags.all()) == ["Civic space", "Students"]
    assert stored_has_no_metadata(publication.featured_image.name)
    widths = [item["width"] for item in publication.featured_image_renditions]
    assert widths == [400, 800, 1000]
    for item in publication.featured_image_renditions:
        assert owned_files.exists(item["jpeg"]) and owned_files.exists(item["webp"])
        assert stored_has_no_metadata(item["jpeg"])


def test_creator_and_last_editor_are_recorded(editor_client, editor):
    editor_client.post(ADD, form_data())

    publication = Publication.objects.get()
    assert publication.created_by == editor and publication.updated_by == editor


def test_featured_image_without_alt_text_is_a_form_error(editor_client):
    response = editor_client.post(ADD, form_data(featured_image=jpeg()))

    assert response.status_code == 200
    assert "Describe the image" in response.content.decode()
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (svg, "Upload a valid image"),
        (lambda: SimpleUploadedFile("fake.jpg", b"not an image at all"), "not an image"),
        (bomb, "megapixels"),
    ],
)
def test_bad_images_are_form_errors_not_500s(editor_client, upload, message):
    response = editor_client.post(ADD, form_data(featured_image=upload(), featured_image_alt="Alt"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["featured_image"]
    assert any(message in error for error in errors)
    assert not Publication.objects.exists()


def test_gallery_images_are_stripped_and_get_renditions(editor_client):
    data = form_data(
        type="story",
        **{
            "gallery_images-TOTAL_FORMS": "1",
            "gallery_images-0-image": jpeg("gallery.jpg"),
            "gallery_images-0-alt_text": "A crowd at dusk",
            "gallery_images-0-order": "0",
        },
    )

    response = editor_client.post(ADD, data)

    assert response.status_code == 302
    image = GalleryImage.objects.get()
    assert stored_has_no_metadata(image.image.name)
    assert [item["width"] for item in image.renditions] == [400, 800, 1000]


def test_publish_now_and_unpublish_actions(publisher_client):
    draft = PublicationFactory(status="draft", publish_at=timezone.now() - timedelta(days=9))
    scheduled = PublicationFactory(publish_at=timezone.now() + timedelta(days=9))

    publisher_client.post(
        CHANGELIST,
        {"action": "publish_now", "_selected_action": [draft.pk, scheduled.pk]},
    )
    assert set(Publication.objects.published()) == {draft, scheduled}

    publisher_client.post(CHANGELIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert list(Publication.objects.published()) == [scheduled]


def test_changelist_shows_status_badges_and_time_zone(editor_client):
    PublicationFactory(title="Live one")
    PublicationFactory(title="Draft one", status="draft")
    PublicationFactory(title="Waiting one", status="review")
    PublicationFactory(title="Later one", publish_at=timezone.now() + timedelta(days=1))
    PublicationFactory(title="Gone one", status="unpublished")
    PublicationFactory(
        title="Expired one",
        publish_at=timezone.now() - timedelta(days=2),
        unpublish_at=timezone.now() - timedelta(days=1),
    )

    html = editor_client.get(CHANGELIST).content.decode()

    assert 'pub-badge--published">Published' in html
    assert 'pub-badge--draft">Draft' in html
    assert 'pub-badge--in-review">In review' in html
    assert 'pub-badge--scheduled">Scheduled' in html
    assert html.count('pub-badge--unpublished">Unpublished') == 2
    assert "Asia/Bangkok" in editor_client.get(ADD).content.decode()


def test_status_filter_finds_scheduled_items(editor_client):
    PublicationFactory(title="Live one")
    PublicationFactory(title="Later one", publish_at=timezone.now() + timedelta(days=1))

    response = editor_client.get(CHANGELIST, {"state": "scheduled"})

    assert [p.title for p in response.context["cl"].result_list] == ["Later one"]


def test_change_form_has_ckeditor_a_preview_link_and_autocompletes(editor_client):
    publication = PublicationFactory(status="draft")

    html = editor_client.get(f"{CHANGELIST}{publication.pk}/change/").content.decode()

    assert 'data-type="ckeditortype"' in html
    assert f'href="{publication.get_absolute_url()}"' in html and ">Preview<" in html
    assert "admin-autocomplete" in html
    assert "filebrowserBrowseUrl" not in html


def test_staff_without_permission_cannot_use_the_publications_admin():
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    publication = PublicationFactory(status="draft")

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form_data()).status_code == 403
    response = client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [publication.pk]}
    )
    assert response.status_code == 403
    publication.refresh_from_db()
    assert publication.status == "draft"


def codenames(group_name):
    return set(
        Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )


WRITES = {"add", "change", "delete"}


def test_editors_write_publications_and_pages_and_only_see_members_countries_and_redirects():
    editors = codenames("Editors")

    assert {("publications", "change_publication"), ("publications", "add_galleryimage")} <= editors
    assert {("pages", "add_page"), ("pages", "change_page"), ("taggit", "add_tag")} <= editors
    assert {("members", "view_memberorganisation"), ("redirects", "view_redirect")} <= editors
    for app, model in [("members", "memberorganisation"), ("members", "country")]:
        assert not {(app, f"{write}_{model}") for write in WRITES} & editors
    assert not {("redirects", f"{write}_redirect") for write in WRITES} & editors
    assert not any(app in ("newsletter", "flatpages") for app, _ in editors)
    assert not {("publications", "publish_publication"), ("pages", "publish_page")} & editors


def test_publishers_have_what_editors_have_and_publish_and_change_what_is_public():
    editors, publishers = codenames("Editors"), codenames("Publishers")

    assert editors <= publishers
    assert publishers - editors == {
        ("publications", "publish_publication"),
        ("pages", "publish_page"),
        *{("members", f"{write}_memberorganisation") for write in WRITES},
        *{("members", f"{write}_country") for write in WRITES},
        *{("redirects", f"{write}_redirect") for write in WRITES},
        # They run the sub-sites (subsites/migrations/0002); Editors only see them.
        *{("subsites", f"{write}_subsite") for write in WRITES},
        *{("subsites", f"{write}_pick") for write in WRITES},
    }
