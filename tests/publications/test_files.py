"""Files of a publication that is not public are not public (publications/files.py, served by
forumasia/files.py).

For every field of publications that holds a file (walked from the models, so a new one is
covered or fails here), a publication in every state that is not public — draft, in review,
scheduled, unpublished by hand, expired by its unpublish date — answers 404 to anonymous
visitors for every one of its files, the same 404 as for a name that does not exist, and 200
to staff (never cached); once public, 200 to everyone, until the clock takes it down again.
"""

import hashlib
import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
import time_machine
from django.apps import apps
from django.core.files.base import ContentFile
from django.db.models import FileField, JSONField
from django.test import Client
from django.utils import timezone

from forumasia.files import owned_files
from publications.models import Attachment, GalleryImage, Publication
from publications.services import refresh_featured_renditions, refresh_gallery_renditions
from tests.factories import PublicationFactory, UserFactory, editor
from tests.publications.conftest import image_bytes

pytestmark = pytest.mark.django_db

REPORT = b"Plain text report, in a document format the site accepts."


def file_fields_of(model):
    """The fields of `model` that hold stored files: file fields, and renditions (JSON)."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
        or (isinstance(field, JSONField) and field.name.endswith("renditions"))
    ]


def names_in(row, field):
    value = getattr(row, field.attname)
    if isinstance(field, FileField):
        return {value.name} if value else set()
    return {item[key] for item in value or () for key in ("jpeg", "webp") if item.get(key)}


PUBLICATION_MODELS = [
    model for model in apps.get_app_config("publications").get_models() if file_fields_of(model)
]


def with_every_file(**fields):
    """A publication with a file in every field of publications that holds one."""
    publication = PublicationFactory(featured_image_alt="Marchers", **fields)
    publication.featured_image.save(
        "IMG_20261203_101500.jpg", ContentFile(image_bytes(size=(900, 600))), save=True
    )
    refresh_featured_renditions(publication)
    image = GalleryImage(publication=publication, alt_text="A crowd")
    image.image.save("DSC00042.jpg", ContentFile(image_bytes(colour=(9, 99, 9))), save=True)
    refresh_gallery_renditions(image)
    attachment = Attachment(publication=publication, title="Embargoed report 2027")
    attachment.file.save("embargoed-report-2027.txt", ContentFile(REPORT), save=True)
    return publication


def files_of(publication):
    """{(model, field name): names} of every file of `publication`, walked from the models."""
    rows = {
        Publication: [publication],
        GalleryImage: list(publication.gallery_images.all()),
        Attachment: list(publication.attachments.all()),
    }
    found = {}
    for model in PUBLICATION_MODELS:
        for field in file_fields_of(model):
            found[(model.__name__, field.name)] = set().union(
                *(names_in(row, field) for row in rows[model])
            )
    return found


def every_name(publication):
    return sorted(set().union(*files_of(publication).values()))


def fetch(client, name):
    return client.get(owned_files.url(name))


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_field_of_publications_that_holds_a_file_is_walked_here():
    walked = {
        (model.__name__, field.name)
        for model in PUBLICATION_MODELS
        for field in file_fields_of(model)
    }

    assert walked == {
        ("Publication", "featured_image"),
        ("Publication", "featured_image_renditions"),
        ("GalleryImage", "image"),
        ("GalleryImage", "renditions"),
        ("Attachment", "file"),
    }
    # Every one of them is filled by the fixture below, so each is checked.
    assert all(with_every_file().pk and names for names in files_of(with_every_file()).values())


def draft():
    return {"status": "draft"}


def in_review():
    return {"status": "review"}


def scheduled():
    return {"status": "published", "publish_at": timezone.now() + timedelta(days=2)}


def unpublished():
    return {"status": "unpublished", "publish_at": timezone.now() - timedelta(days=2)}


def expired():
    now = timezone.now()
    return {
        "status": "published",
        "publish_at": now - timedelta(days=3),
        "unpublish_at": now - timedelta(hours=1),
    }


NOT_PUBLIC = [draft, in_review, scheduled, unpublished, expired]


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_no_file_of_an_item_that_is_not_public_is_served_to_visitors(client, state):
    publication = with_every_file(**state())
    assert not publication.is_public

    for name in every_name(publication):
        response = fetch(client, name)
        assert response.status_code == 404, name
        assert REPORT not in response.content


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_staff_see_every_file_of_an_item_that_is_not_public_and_nothing_keeps_it(state):
    publication = with_every_file(**state())
    staff = Client()
    staff.force_login(editor())

    for name in every_name(publication):
        response = fetch(staff, name)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store"
        with owned_files.open(name) as stored:
            assert body(response) == stored.read()


def test_every_file_of_a_public_item_is_served_to_visitors_and_may_be_cached_briefly(client):
    publication = with_every_file()

    for name in every_name(publication):
        response = fetch(client, name)
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "public, max-age=60"
        assert "Cookie" not in response.get("Vary", "")
        assert not response.cookies


def test_staff_without_access_to_publications_are_visitors_here():
    publication = with_every_file(**draft())
    other_staff = Client()
    other_staff.force_login(UserFactory(is_staff=True))

    assert all(fetch(other_staff, name).status_code == 404 for name in every_name(publication))


def test_a_scheduled_items_files_appear_at_its_publish_time_and_leave_at_its_unpublish_time(
    client,
):
    now = timezone.now()
    publication = with_every_file(
        status="published",
        publish_at=now + timedelta(hours=2),
        unpublish_at=now + timedelta(hours=5),
    )
    names = every_name(publication)

    assert {fetch(client, name).status_code for name in names} == {404}
    with time_machine.travel(now + timedelta(hours=2, seconds=1), tick=False):
        assert {fetch(client, name).status_code for name in names} == {200}
        # Kept no longer than the item is public.
        response = fetch(client, names[0])
        assert response["Cache-Control"] == "public, max-age=60"
    with time_machine.travel(now + timedelta(hours=5) - timedelta(seconds=30), tick=False):
        assert fetch(client, names[0])["Cache-Control"] == "public, max-age=30"
    with time_machine.travel(now + timedelta(hours=5, seconds=1), tick=False):
        assert {fetch(client, name).status_code for name in names} == {404}


def test_files_leave_with_an_unpublish_by_hand(client):
    publication = with_every_file()
    names = every_name(publication)
    assert {fetch(client, name).status_code for name in names} == {200}

    Publication.objects.filter(pk=publication.pk).update(status="unpublished")

    assert {fetch(client, name).status_code for name in names} == {404}


def test_a_file_the_publication_no_longer_uses_is_not_served_to_visitors(client):
    publication = with_every_file()
    old = publication.featured_image.name
    publication.featured_image.save("replacement.jpg", ContentFile(image_bytes()), save=True)

    assert fetch(client, old).status_code == 404
    assert fetch(client, publication.featured_image.name).status_code == 200
    assert owned_files.exists(old)  # kept for the history's older versions


def test_a_missing_file_and_a_drafts_file_get_the_same_answer(client):
    public, hidden = with_every_file(), with_every_file(**draft())
    missing = f"publications/{public.files_key}/{'0' * 32}.jpg"

    names = (missing, hidden.featured_image.name)

    answers = [fetch(client, name) for name in names]

    assert [answer.status_code for answer in answers] == [404, 404]
    # The page names the address asked for (its canonical link), and nothing else differs.
    pages = [
        answer.content.replace(owned_files.url(name).encode(), b"")
        for answer, name in zip(answers, names, strict=True)
    ]
    assert pages[0] == pages[1]


@pytest.mark.parametrize(
    "path",
    [
        "publications/",
        "publications/not-a-key/x.jpg",
        "publications/00000000-0000-4000-8000-000000000000/x.jpg",
        "exports/00000000-0000-4000-8000-000000000000/subscribers.csv",
        "wordpress-exports/export.xml",
        "publications/{key}/../../exports/subscribers.csv",
        "publications/{key}/.hidden.jpg",
        "publications/{key}",
        "publications/{key}/",
    ],
)
def test_nothing_but_a_publications_own_files_is_reachable(client, path):
    publication = with_every_file()
    owned_files.save("exports/subscribers.csv", ContentFile(b"secret@example.org"))

    response = client.get("/files/" + path.format(key=publication.files_key))

    assert response.status_code == 404
    assert b"secret" not in response.content


def test_stored_names_are_random_and_say_nothing_of_the_upload():
    publication = with_every_file(**draft())
    folder = re.escape(f"publications/{publication.files_key}/")

    for name in every_name(publication):
        assert re.fullmatch(rf"{folder}[0-9a-f]{{32}}\.(jpg|webp|txt)", name), name
    # Parts of what was uploaded that a random hex name cannot contain by chance.
    uploaded = ("IMG_20261203", "DSC00042", "embargoed", "2026/12")
    assert not [part for part in uploaded if any(part in name for name in every_name(publication))]


def test_a_download_keeps_a_readable_name_and_images_are_shown(client):
    publication = with_every_file()
    attachment = publication.attachments.get()
    Attachment.objects.filter(pk=attachment.pk).update(title='รายงาน 2026 / "final"\x07\nversion')

    download = fetch(client, attachment.file.name)
    image = fetch(client, publication.featured_image.name)

    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "รายงาน 2026 - -final- version.txt"
    assert image["Content-Disposition"].startswith("inline")
    assert image["Content-Type"] == "image/jpeg"


def test_a_browser_revalidates_with_its_etag(client):
    name = with_every_file().featured_image.name
    first = fetch(client, name)

    again = client.get(owned_files.url(name), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=60"
    assert first["ETag"] == f'"{hashlib.sha256(name.encode()).hexdigest()[:32]}"'


def test_a_revalidation_after_an_unpublish_is_a_404_not_a_304(client):
    publication = with_every_file()
    name = publication.featured_image.name
    etag = fetch(client, name)["ETag"]
    Publication.objects.filter(pk=publication.pk).update(status="unpublished")

    assert client.get(owned_files.url(name), headers={"If-None-Match": etag}).status_code == 404


def test_serving_a_public_image_costs_one_query(client, django_assert_max_num_queries):
    name = with_every_file().featured_image.name

    with django_assert_max_num_queries(1):
        assert fetch(client, name).status_code == 200


def test_nginx_may_send_the_file_after_the_apps_checks(client, settings):
    settings.FILES_ACCEL_REDIRECT = "/internal/private/"
    publication = with_every_file()
    hidden = with_every_file(**draft())
    attachment = publication.attachments.get()

    response = fetch(client, attachment.file.name)

    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/internal/private/{attachment.file.name}"
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert fetch(client, hidden.featured_image.name).status_code == 404


def test_only_get_and_head_are_answered(client):
    name = with_every_file().featured_image.name

    assert client.head(owned_files.url(name)).status_code == 200
    assert client.post(owned_files.url(name)).status_code == 405


def test_files_of_unpublished_items_stay_private_in_the_bucket_too(s3_server, s3_bucket, client):
    public, hidden = with_every_file(), with_every_file(**unpublished())
    staff = Client()
    staff.force_login(editor())

    for name in every_name(public):
        assert fetch(client, name).status_code == 200
    for name in every_name(hidden):
        assert f"private/{name}" in s3_server.keys(s3_bucket, prefix="private/publications/")
        assert fetch(client, name).status_code == 404
        response = fetch(staff, name)
        assert response.status_code == 200
        with owned_files.open(name) as stored:
            assert body(response) == stored.read()
