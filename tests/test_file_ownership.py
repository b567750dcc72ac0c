"""Every name the site derives from an upload is its row's own, and no write touches a file
another row uses.

- Hypothesis: two rows of any kind that holds an uploaded file (a featured image, a gallery
  image, an attachment, an editorial page's image, a member's logo, a sub-site's logo),
  uploads of any names — stems, extensions, folders, the same name twice — in either order:
  neither row's files nor renditions change (names in the row, bytes in the storage) when the
  other is uploaded, replaced or deleted.
- The storage walk: after content has come in by every route (the admin's forms, translations
  copying their original's image and gallery, the WordPress import with `photo.jpg` and
  `photo.png` in one month folder and one photo leading several posts, editorial pages' images,
  member and sub-site logos), every row
  of every model that holds a file (walked from the models: a new file field is walked too)
  names files no other row names, that exist, and, for a publication's, that lie in its folder.
"""

import contextlib
import hashlib
import io
import re
import tempfile

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db.models import CharField, FileField, JSONField
from django.test import Client, override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from members.models import MemberOrganisation
from oldaddresses.models import ImportedMedia
from pages.models import Page
from pages.services import refresh_hero_renditions
from publications.demo import SAMPLE_PDF
from publications.models import Attachment, GalleryImage, Publication
from publications.services import refresh_featured_renditions, refresh_gallery_renditions
from subsites.models import SubSite
from tests.factories import (
    MemberOrganisationFactory,
    PageFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
    publisher,
)
from tests.pages.test_admin import page_data
from tests.publications.test_admin import ADD, form_data
from tests.publications.test_admin_translations import translation_post
from tests.wordpress.conftest import (
    export_xml,
    forum_asia_items,
    png_bytes,
    uploads,
    write_media_dir,
)
from wordpress.services import import_export

pytestmark = pytest.mark.django_db

PROJECT_APPS = set(settings.LOCAL_APPS)
# Rows that record a file another row uses, by design: the WordPress import's note of which
# copy it made for whom (checked against that row below).
RECORDS = {(ImportedMedia, "stored_name")}
IMAGE_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}


def image_data(extension, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(buffer, format=IMAGE_FORMATS[extension.lower()])
    return buffer.getvalue()


# --- What a row holds ---------------------------------------------------------------------------


def file_fields(model):
    """The fields of `model` naming stored files: file fields, renditions (JSON lists of
    names) and the `stored_name` of rows that keep a private file (exports, imports)."""
    return [
        field
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
        or (isinstance(field, JSONField) and field.name.endswith("renditions"))
        or (isinstance(field, CharField) and field.name == "stored_name")
    ]


def names_in(field, value):
    if isinstance(field, JSONField):
        return {item[key] for item in value or () for key in ("jpeg", "webp") if item.get(key)}
    return {str(value)} if value else set()


def storage_of(model, field):
    if isinstance(field, FileField):
        return field.storage
    if isinstance(field, JSONField):  # renditions lie beside their image, in its storage
        return next(f.storage for f in file_fields(model) if isinstance(f, FileField))
    return storages["private"]  # exports and imports waiting for staff


def holders():
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in file_fields(model)
    ]


def files_of(row):
    """{name: sha256 of its bytes} of every file `row` names."""
    found = {}
    for field in file_fields(type(row)):
        storage = storage_of(type(row), field)
        for name in names_in(field, getattr(row, field.attname)):
            with storage.open(name) as stored:
                found[name] = hashlib.sha256(stored.read()).hexdigest()
    return found


# --- Hypothesis: two rows, any names, any order ------------------------------------------------

KINDS = [
    "featured image",
    "gallery image",
    "attachment",
    "page image",
    "member logo",
    "sub-site logo",
]
stems = st.one_of(
    st.sampled_from(["photo", "x", "IMG_0001", "photo-400", "renditions", "report", "logo"]),
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_characters="/\\\x00", exclude_categories=["Cs"]
        ),
        min_size=1,
        max_size=20,
    ),
)
folders = st.sampled_from(["", "2019/05/", "publications/images/2026/12/", "../", "uploads/"])
image_extensions = st.sampled_from(["jpg", "JPG", "jpeg", "png", "webp", "gif"])
document_extensions = st.sampled_from(["txt", "csv", "TXT"])


@st.composite
def two_rows(draw):
    """Two (kind, upload name, replacement name): names share their stem and folder half the
    time (photo.jpg and photo.png in one month), any extension of the kind."""
    stem, folder = draw(stems), draw(folders)

    def name(kind):
        extension = draw(document_extensions if kind == "attachment" else image_extensions)
        chosen_folder = draw(st.one_of(st.just(folder), folders))
        return f"{chosen_folder}{draw(st.one_of(st.just(stem), stems))}.{extension}"

    rows = []
    for _ in range(2):
        kind = draw(st.sampled_from(KINDS))
        rows.append((kind, name(kind), name(kind)))
    return rows


def upload(kind, filename, colour):
    extension = filename.rsplit(".", 1)[-1]
    if kind == "attachment":
        return ContentFile(f"document {colour}".encode(), name=filename)
    return ContentFile(image_data(extension, colour), name=filename)


def make_row(kind, filename, colour):
    """A row holding `filename`, saved the way the admin saves one (renditions by the task's
    service)."""
    if kind == "member logo":
        member = MemberOrganisationFactory()
        member.logo = upload(kind, filename, colour)
        member.save()
        return member
    if kind == "sub-site logo":
        sub_site = SubSiteFactory()
        sub_site.logo = upload(kind, filename, colour)
        sub_site.save()
        return sub_site
    if kind == "page image":
        page = PageFactory(hero_image_alt="A meeting")
        page.hero_image = upload(kind, filename, colour)
        page.save()
        refresh_hero_renditions(page)
        return page
    if kind == "attachment":
        attachment = Attachment(publication=PublicationFactory(), title="Report")
        attachment.file = upload(kind, filename, colour)
        attachment.save()
        return attachment
    if kind == "gallery image":
        image = GalleryImage(publication=PublicationFactory(), alt_text="A crowd")
        image.image = upload(kind, filename, colour)
        image.save()
        refresh_gallery_renditions(image)
        return image
    publication = PublicationFactory(featured_image_alt="Marchers")
    publication.featured_image = upload(kind, filename, colour)
    publication.save()
    refresh_featured_renditions(publication)
    return publication


def replace_file(row, kind, filename, colour):
    field = {
        "member logo": "logo",
        "sub-site logo": "logo",
        "attachment": "file",
        "gallery image": "image",
        "featured image": "featured_image",
        "page image": "hero_image",
    }[kind]
    setattr(row, field, upload(kind, filename, colour))
    row.save()
    if kind == "gallery image":
        refresh_gallery_renditions(row)
    elif kind == "featured image":
        refresh_featured_renditions(row)
    elif kind == "page image":
        refresh_hero_renditions(row)


@contextlib.contextmanager
def empty_storages():
    """Each example starts with empty storages, as a new site does: files an earlier example
    left would give the same names other free names and hide a collision."""
    with tempfile.TemporaryDirectory() as root:
        private = {**settings.STORAGES["private"]}
        private["OPTIONS"] = {**private["OPTIONS"], "location": f"{root}/private"}
        with override_settings(
            MEDIA_ROOT=f"{root}/media", STORAGES={**settings.STORAGES, "private": private}
        ):
            yield


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=two_rows(), second_first=st.booleans())
def test_no_upload_replace_or_delete_of_one_row_touches_another_rows_files(rows, second_first):
    with empty_storages():
        check_rows_stay_apart(rows, second_first)


def check_rows_stay_apart(rows, second_first):
    (kind, name, _), (other_kind, other_name, other_replacement) = rows
    if second_first:
        other = make_row(other_kind, other_name, (200, 30, 30))
        before_other = files_of(other)
    row = make_row(kind, name, (30, 30, 200))
    kept = files_of(row)
    assert kept

    def unchanged():
        row.refresh_from_db()
        assert files_of(row) == kept

    if second_first:
        other.refresh_from_db()
        assert files_of(other) == before_other  # the later upload left the earlier one alone
    else:
        other = make_row(other_kind, other_name, (200, 30, 30))
    assert not set(files_of(other)) & set(kept)
    unchanged()
    replace_file(other, other_kind, other_replacement, (30, 200, 30))
    assert not set(files_of(other)) & set(kept)
    unchanged()
    other.delete()
    unchanged()


# --- The storage walk ---------------------------------------------------------------------------


def walk():
    """{name: [(model, pk, field)]} over every row of every model holding a file."""
    used = {}
    for model, field in holders():
        if (model, field.name) in RECORDS:
            continue
        for pk, value in model.objects.values_list("pk", field.attname):
            for name in names_in(field, value):
                used.setdefault(name, []).append((model, pk, field))
    return used


def owner_folder(model, pk):
    """The folder a row's files must lie in: its publication's, or its page's."""
    if model is Page:
        return f"pages/{Page.objects.get(pk=pk).files_key}/"
    if model is Publication:
        key = Publication.objects.get(pk=pk).files_key
    elif model in (GalleryImage, Attachment):
        key = model.objects.select_related("publication").get(pk=pk).publication.files_key
    else:
        return None
    return f"publications/{key}/"


def wordpress_photos(tmp_path):
    """The old site's uploads: photo.jpg and photo.png in one month folder, each leading
    posts of its own, and photo.jpg leading two."""
    root = tmp_path / "wp-uploads"
    (root / "2019/05").mkdir(parents=True)
    (root / "2019/05/photo.jpg").write_bytes(image_data("jpg", (120, 10, 10)))
    (root / "2019/05/photo.png").write_bytes(png_bytes())
    items = []
    for wp_id, source in [(301, "photo.jpg"), (302, "photo.png"), (303, "photo.jpg")]:
        attachment = 400 + wp_id
        items += [
            {
                "wp_id": wp_id,
                "title": f"[Statement] Post {wp_id}",
                "name": f"post-{wp_id}",
                "content": f'<img src="{uploads("2019/05/" + source)}" alt="A photo">',
                "meta": {"_thumbnail_id": str(attachment)},
            },
            {
                "wp_id": attachment,
                "title": f"Photo {wp_id}",
                "post_type": "attachment",
                "status": "inherit",
                "parent": wp_id,
                "attachment_url": uploads("2019/05/" + source),
                "meta": {
                    "_wp_attached_file": "2019/05/" + source,
                    "_wp_attachment_image_alt": "A photo",
                },
            },
        ]
    export = tmp_path / "photos.xml"
    export.write_bytes(export_xml(items))
    return export, root


def gallery_of(*names):
    data = {"gallery_images-TOTAL_FORMS": str(len(names))}
    for index, name in enumerate(names):
        data |= {
            f"gallery_images-{index}-image": upload("gallery image", name, (index * 90, 9, 9)),
            f"gallery_images-{index}-alt_text": "A crowd",
            f"gallery_images-{index}-order": str(index),
        }
    return data


def content_from_every_route(tmp_path):
    """Publications with images, galleries and attachments from the admin (the same names
    twice), a translation copying one's image and gallery, two members' logos named alike,
    two sub-sites' logos named alike, and two WordPress imports."""
    client = Client()
    client.force_login(publisher())
    for title, image in [("Photo one", "photo.jpg"), ("Photo two", "photo.png")]:
        data = form_data(
            _transition="publish",
            title=title,
            slug="",
            type="story",
            featured_image=upload("featured image", image, (9, 9, 200)),
            featured_image_alt="Marchers",
            **gallery_of("photo.jpg", "photo.png"),
            **{
                "attachments-TOTAL_FORMS": "1",
                "attachments-0-title": "Report",
                "attachments-0-file": ContentFile(SAMPLE_PDF, name="report.pdf"),
                "attachments-0-language": "en",
                "attachments-0-order": "0",
            },
        )
        response = client.post(ADD, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
    original = Publication.objects.get(title="Photo one")
    assert (
        client.post(f"{ADD}?translation_of={original.pk}", translation_post(original)).status_code
        == 302
    )
    for path in ("/history/", "/our-work/"):
        response = client.post(
            "/admin/pages/page/add/",
            page_data(
                path=path,
                hero_image=upload("page image", "photo.jpg", (9, 9, 120)),
                hero_image_alt="A meeting",
                _transition="publish",
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    for slug in ("first-member", "second-member"):
        response = client.post(
            "/admin/members/memberorganisation/add/",
            {
                "name": slug.replace("-", " ").title(),
                "slug": slug,
                "is_active": "on",
                "country": country("TH").pk,
                "logo": upload("member logo", "logo.png", (9, 120, 9)),
            },
        )
        assert response.status_code == 302
    for slug in ("first-campaign", "second-campaign"):
        response = client.post(
            "/admin/subsites/subsite/add/",
            {
                "name": slug.replace("-", " ").title(),
                "short_name": slug,
                "slug": slug,
                "accent_colour": "#9b1c31",
                "logo": upload("sub-site logo", "logo.png", (120, 9, 9)),
                "pick_set-TOTAL_FORMS": "0",
                "pick_set-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    site = tmp_path / "site.xml"
    site.write_bytes(export_xml(forum_asia_items()))
    import_export(site, media_dir=write_media_dir(tmp_path / "site-uploads"))
    export, root = wordpress_photos(tmp_path)
    import_export(export, media_dir=root)


# The fields holding editors' uploads and what is made from them, all filled by the routes.
UPLOAD_FIELDS = {
    ("Publication", "featured_image"),
    ("Publication", "featured_image_renditions"),
    ("GalleryImage", "image"),
    ("GalleryImage", "renditions"),
    ("Attachment", "file"),
    ("Page", "hero_image"),
    ("Page", "hero_image_renditions"),
    ("MemberOrganisation", "logo"),
    ("SubSite", "logo"),
}


def test_the_storage_walk_covers_every_field_that_holds_a_file():
    found = {(model.__name__, field.name) for model, field in holders()}

    assert found == UPLOAD_FIELDS | {
        ("SubscriberExport", "stored_name"),
        ("ImportedMedia", "stored_name"),
        ("ImportRun", "stored_name"),
    }


def test_no_two_rows_name_one_file_after_content_came_by_every_route(tmp_path):
    content_from_every_route(tmp_path)

    used = walk()

    shared = {name: rows for name, rows in used.items() if len(rows) > 1}
    assert shared == {}
    for name, [(model, pk, field)] in used.items():
        assert storage_of(model, field).exists(name), name
        folder = owner_folder(model, pk)
        if folder is not None:
            assert name.startswith(folder), name
            assert re.fullmatch(r"[0-9a-f]{32}\.[a-z]+", name.removeprefix(folder)), name
    # Content came by every route (a walk of nothing would pass too).
    kinds = {(model.__name__, field.name) for [(model, _, field)] in used.values()}
    assert kinds >= UPLOAD_FIELDS
    assert Publication.objects.filter(translation_of__isnull=False).exists()
    assert MemberOrganisation.objects.exclude(logo="").count() == 2
    assert SubSite.objects.exclude(logo="").count() == 2
    # The import's records name a copy their own publication uses, or a public upload.
    for record in ImportedMedia.objects.all():
        if record.publication_id is None:
            assert default_storage.exists(record.stored_name)
            assert record.stored_name.startswith("wordpress/")
        else:
            [(model, pk, _)] = used[record.stored_name]
            assert owner_folder(model, pk) == f"publications/{record.publication.files_key}/"


def test_photo_jpg_and_photo_png_of_one_wordpress_month_stay_apart(tmp_path):
    export, root = wordpress_photos(tmp_path)

    import_export(export, media_dir=root)

    posts = {p.slug: p for p in Publication.objects.all()}
    jpg, png, again = posts["post-301"], posts["post-302"], posts["post-303"]
    names = [set(files_of(post)) for post in (jpg, png, again)]
    assert not (names[0] & names[1] or names[0] & names[2] or names[1] & names[2])
    with jpg.featured_image.open("rb") as a, png.featured_image.open("rb") as b:
        assert Image.open(a).format == "JPEG" and Image.open(b).format == "PNG"
    with jpg.featured_image.open("rb") as a, again.featured_image.open("rb") as c:
        assert a.read() == c.read()  # one photo, a copy for each post
