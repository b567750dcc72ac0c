"""Adding a translation in the admin: from the original, pre-filled, with a slug for any
script."""

import re

import pytest
from django.core.files.base import ContentFile

from forumasia.files import owned_files
from publications.models import GalleryImage, Publication
from publications.services import refresh_featured_renditions, refresh_gallery_renditions
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    country,
)
from tests.publications.conftest import image_bytes
from tests.publications.test_admin import ADD, CHANGELIST, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def original():
    signer = MemberOrganisationFactory(name="Thai Lawyers for Rights")
    partner = PartnerOrganisationFactory(name="CIVICUS")
    publication = PublicationFactory(
        title="Crackdown on defenders",
        slug="crackdown-on-defenders",
        type="letter",
        language="en",
        countries=[country("TH"), country("KH")],
        tags=["Civic space", "Elections"],
        signatories=[partner, signer],
        co_signers="A local collective",
        media_contact="press@example.org",
        featured_image_alt="Defenders outside the court",
        featured_image_credit="Sample",
    )
    publication.featured_image.save("court.jpg", ContentFile(image_bytes()), save=True)
    refresh_featured_renditions(publication)
    image = GalleryImage(publication=publication, alt_text="The court", order=1)
    image.image.save("court.jpg", ContentFile(image_bytes(colour=(10, 90, 30))), save=True)
    refresh_gallery_renditions(image)
    publication.refresh_from_db()
    return publication


def test_the_change_form_offers_add_translation_and_lists_the_translations(editor_client, original):
    thai = PublicationFactory(language="th", translation_of=original)

    page = editor_client.get(f"{CHANGELIST}{original.pk}/change/").content.decode()
    thai_page = editor_client.get(f"{CHANGELIST}{thai.pk}/change/").content.decode()

    add = f'href="{ADD}?translation_of={original.pk}"'
    assert add in page and add in thai_page  # a translation's form adds to its original
    assert f'href="{CHANGELIST}{thai.pk}/change/" lang="th">Thai</a>' in page
    assert "English</a> (original)" in thai_page


def test_add_translation_opens_a_form_pre_filled_from_the_original(editor_client, original):
    PublicationFactory(language="km", translation_of=original)

    response = editor_client.get(ADD, {"translation_of": original.pk})

    form = response.context["adminform"].form
    assert form.initial["translation_of"] == original.pk
    assert form.initial["type"] == "letter"
    assert sorted(form.initial["countries"]) == sorted([country("TH").pk, country("KH").pk])
    assert sorted(tag.name for tag in form.initial["tags"]) == ["Civic space", "Elections"]
    assert form.initial["featured_image_alt"] == "Defenders outside the court"
    assert form.initial["co_signers"] == "A local collective"
    languages = [code for code, _ in form.fields["language"].choices]
    assert languages[0] == "" and "en" not in languages and "km" not in languages
    assert form.initial["language"] == ""
    rows = response.context["inline_admin_formsets"][0].formset
    assert [(f.initial.get("member"), f.initial.get("partner")) for f in rows.forms] == [
        (None, original.signatures.all()[0].partner_id),
        (original.signatures.all()[1].member_id, None),
    ]
    page = response.content.decode()
    assert "Use the original&#x27;s featured image" in page
    assert "Copy the original&#x27;s gallery (1 images)" in page


def translation_post(original, **overrides):
    signatures = list(original.signatures.all())
    data = form_data(
        type="letter",
        title="การปราบปรามนักปกป้องสิทธิ",
        slug="",
        language="th",
        translation_of=str(original.pk),
        countries=[country("TH").pk],
        reuse_featured_image="on",
        copy_gallery="on",
        featured_image_alt="ผู้ปกป้องสิทธิหน้าศาล",
        **{
            "signatures-TOTAL_FORMS": str(len(signatures)),
            **{
                f"signatures-{index}-{name}": str(getattr(signature, f"{name}_id") or "")
                for index, signature in enumerate(signatures)
                for name in ("member", "partner")
            },
            **{f"signatures-{index}-order": str(index + 1) for index, _ in enumerate(signatures)},
        },
    )
    data.update(overrides)
    return data


def same_files(name, renditions, original_name, original_renditions, *, folder):
    """Each file is a copy of the original's (same bytes) under another name in `folder`."""
    pairs = [(name, original_name)] + [
        (item[key], source[key])
        for item, source in zip(renditions, original_renditions, strict=True)
        for key in ("jpeg", "webp")
    ]
    assert [item["width"] for item in renditions] == [i["width"] for i in original_renditions]
    for copy, source in pairs:
        assert copy != source and copy.startswith(folder)
        with owned_files.open(copy) as mine, owned_files.open(source) as theirs:
            assert mine.read() == theirs.read()
    return True


def test_saving_the_pre_filled_form_makes_the_translation_with_all_it_took(editor_client, original):
    response = editor_client.post(f"{ADD}?translation_of={original.pk}", translation_post(original))

    assert response.status_code == 302, response.context["adminform"].form.errors
    thai = Publication.objects.get(language="th")
    assert thai.translation_of == original
    assert thai.slug == "crackdown-on-defenders-th"
    assert [s.signatory for s in thai.signatures.all()] == [
        s.signatory for s in original.signatures.all()
    ]
    # Copies of its own, in its own folder: the original's files are never shared.
    assert same_files(
        thai.featured_image.name,
        thai.featured_image_renditions,
        original.featured_image.name,
        original.featured_image_renditions,
        folder=f"publications/{thai.files_key}/",
    )
    assert thai.featured_image_alt == "ผู้ปกป้องสิทธิหน้าศาล"
    (copy,) = thai.gallery_images.all()
    (source,) = original.gallery_images.all()
    assert copy.alt_text == "The court"
    assert same_files(
        copy.image.name,
        copy.renditions,
        source.image.name,
        source.renditions,
        folder=f"publications/{thai.files_key}/",
    )
    assert not thai.attachments.exists()


def test_unticked_boxes_leave_the_image_and_the_gallery_behind(editor_client, original):
    data = translation_post(original, featured_image_alt="")
    del data["reuse_featured_image"], data["copy_gallery"]

    response = editor_client.post(f"{ADD}?translation_of={original.pk}", data)

    assert response.status_code == 302
    thai = Publication.objects.get(language="th")
    assert not thai.featured_image and not thai.gallery_images.exists()


def test_a_second_translation_in_the_same_language_is_a_form_error(editor_client, original):
    PublicationFactory(language="th", translation_of=original, slug="taken-th")

    response = editor_client.post(ADD, translation_post(original))

    assert response.status_code == 200
    assert "already has a translation in this language" in response.content.decode()


@pytest.mark.parametrize(
    "title",
    ["แถลงการณ์ร่วม", "សេចក្តីថ្លែងការណ៍រួម", "မြန်မာ လူ့အခွင့်အရေး", "بیانیه مشترک", "…"],
)
def test_a_title_in_any_script_with_no_slug_is_saved_with_a_readable_one(editor_client, title):
    response = editor_client.post(ADD, form_data(title=title, slug=""))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", Publication.objects.get().slug)


@pytest.mark.parametrize("value", ["999999", "abc", "1 OR 1=1", "١٢", "9" * 40])
def test_an_unknown_or_malformed_original_gives_the_plain_add_form(editor_client, value):
    response = editor_client.get(ADD, {"translation_of": value})

    assert response.status_code == 200
    assert response.context["adminform"].form.initial.get("type") is None


def test_adding_a_translation_with_a_copied_gallery_is_one_change_event(
    editor_client, original, commit, change_counts
):
    commit()
    change_counts.update(vectors=0, pages=[])

    response = editor_client.post(f"{ADD}?translation_of={original.pk}", translation_post(original))
    commit()

    assert response.status_code == 302
    assert Publication.objects.get(language="th").gallery_images.count() == 1
    assert change_counts == {"vectors": 1, "pages": [False]}
