"""An editorial page's image and its renditions are served only while the page is public
(pages/files.py, served by forumasia/files.py), to staff always: the same states and clock as
publications' files (tests/publications/test_files.py)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from forumasia.files import owned_files
from forumasia.images import rendition_names
from pages.services import refresh_hero_renditions
from tests.factories import PageFactory, editor
from tests.publications.conftest import image_bytes
from tests.publications.test_files import NOT_PUBLIC

pytestmark = pytest.mark.django_db


def page_with_image(**fields):
    page = PageFactory(hero_image_alt="The first meeting", **fields)
    page.hero_image = ContentFile(image_bytes(size=(900, 600)), name="DSC_20261203.jpg")
    page.save()
    refresh_hero_renditions(page)
    return page


def names_of(page):
    return sorted({page.hero_image.name, *rendition_names(page.hero_image_renditions)})


def statuses(client, page):
    return {client.get(owned_files.url(name)).status_code for name in names_of(page)}


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_the_image_of_a_page_that_is_not_public_is_not_served_to_visitors(client, state):
    page = page_with_image(**state())

    assert statuses(client, page) == {404}


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_staff_who_may_open_pages_see_it_and_nothing_keeps_it(state):
    page = page_with_image(**state())
    staff = Client()
    staff.force_login(editor())

    for name in names_of(page):
        response = staff.get(owned_files.url(name))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_a_public_pages_image_is_served_from_its_own_folder_under_random_names(client):
    page = page_with_image()

    assert statuses(client, page) == {200}
    folder = re.escape(f"pages/{page.files_key}/")
    for name in names_of(page):
        # 128 random bits in hex: nothing of the upload's name ("DSC_20261203.jpg") or month.
        assert re.fullmatch(rf"{folder}[0-9a-f]{{32}}\.(jpg|webp)", name), name
    shown = client.get(page.get_absolute_url()).content.decode()
    assert owned_files.url(page.hero_image_renditions[0]["webp"]) in shown


def test_a_scheduled_pages_image_appears_at_its_publish_time(client):
    moment = timezone.now() + timedelta(hours=3)
    page = page_with_image(status="published", publish_at=moment)

    assert statuses(client, page) == {404}
    with time_machine.travel(moment + timedelta(seconds=1), tick=False):
        assert statuses(client, page) == {200}
