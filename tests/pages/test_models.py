"""pages/models.py: what a page always is, whoever saves it (admin, import, demo, shell): clean
text, an address that can be a page's, an image without metadata, a parent above it, and the
one rule of what is public."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from pages.models import Page
from tests.e2e.editor_session import GPS_IFD, photo_with_gps
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def test_page_body_is_sanitised_on_every_save(client):
    page = PageFactory(
        path="/history/",
        body='<p onclick="x()">Founded in 1991.</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a>',
    )

    page.refresh_from_db()
    assert "script" not in page.body
    assert "onclick" not in page.body
    assert "javascript:" not in page.body
    assert "Founded in 1991." in client.get("/history/").content.decode()


def test_plain_text_fields_lose_control_characters():
    page = PageFactory(title="About\x0bus\x00", introduction="Since\x0b1991\x07")

    page.refresh_from_db()
    assert (page.title, page.introduction) == ("About us", "Since 1991")


@pytest.mark.parametrize(
    "path", ["//evil.example/", "/publications/a-statement/annex/", "/admin/x/", "no-slash"]
)
def test_an_address_a_page_cannot_have_is_refused_on_save_not_only_in_forms(path):
    with pytest.raises(ValidationError):
        Page(title="Annex", path=path).save()

    assert not Page.objects.filter(path=path).exists()


def test_the_image_loses_its_location_and_camera_data_on_save():
    page = PageFactory(hero_image=SimpleUploadedFile("protest.jpg", photo_with_gps("red")))

    with page.hero_image.open() as stored, Image.open(stored) as photo:
        assert not photo.getexif().get_ifd(GPS_IFD)
        assert not photo.getexif()


def test_an_image_without_alt_text_is_refused():
    page = PageFactory.build(hero_image=SimpleUploadedFile("x.jpg", photo_with_gps("blue")))

    with pytest.raises(ValidationError) as refused:
        page.full_clean()

    assert "hero_image_alt" in refused.value.message_dict


def test_a_page_cannot_belong_under_itself_or_a_page_below_it():
    top = PageFactory(path="/top/")
    middle = PageFactory(path="/top/middle/", parent=top)
    bottom = PageFactory(path="/top/middle/bottom/", parent=middle)

    top.parent = bottom
    with pytest.raises(ValidationError) as refused:
        top.full_clean()

    assert "parent" in refused.value.message_dict


NOW = timezone.now()
moments = st.integers(min_value=-3, max_value=3).map(lambda days: NOW + timedelta(days=days))


@settings(max_examples=40, deadline=None)
@given(
    status=st.sampled_from(Page.Status.values),
    publish_at=moments,
    unpublish_at=st.one_of(st.none(), moments),
    now=moments,
)
def test_published_and_is_public_at_are_one_rule(status, publish_at, unpublish_at, now):
    if unpublish_at is not None and unpublish_at <= publish_at:
        unpublish_at = None
    Page.objects.all().delete()
    page = PageFactory(
        path="/rule/", status=status, publish_at=publish_at, unpublish_at=unpublish_at
    )

    assert Page.objects.published(now).filter(pk=page.pk).exists() == page.is_public_at(now)
