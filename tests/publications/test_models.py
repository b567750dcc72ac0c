from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from publications.models import Publication, media_embed
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_now(monkeypatch):
    now = timezone.now().replace(microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def test_published_item_whose_time_is_exactly_now_is_public(frozen_now):
    publication = PublicationFactory(publish_at=frozen_now)

    assert list(Publication.objects.published()) == [publication]
    assert publication.is_public
    assert publication.status_label == "Published"


def test_published_item_one_second_in_the_future_is_scheduled_not_public(frozen_now):
    publication = PublicationFactory(publish_at=frozen_now + timedelta(seconds=1))

    assert not Publication.objects.published().exists()
    assert not publication.is_public
    assert publication.status_label == "Scheduled"


def test_published_becomes_public_when_its_time_comes_without_any_job():
    publish_at = timezone.now() + timedelta(hours=1)
    PublicationFactory(publish_at=publish_at)

    assert Publication.objects.published(now=publish_at - timedelta(seconds=1)).count() == 0
    assert Publication.objects.published(now=publish_at).count() == 1


def test_draft_is_never_public_even_with_a_past_date(frozen_now):
    publication = PublicationFactory(status="draft", publish_at=frozen_now - timedelta(days=30))

    assert not Publication.objects.published().exists()
    assert not publication.is_public
    assert publication.status_label == "Draft"


def test_published_is_ordered_newest_first():
    older = PublicationFactory(publish_at=timezone.now() - timedelta(days=3))
    newer = PublicationFactory(publish_at=timezone.now() - timedelta(days=1))

    assert list(Publication.objects.published()) == [newer, older]


def test_search_matches_title_and_standfirst_case_insensitively():
    by_title = PublicationFactory(title="Crackdown on Bloggers")
    by_standfirst = PublicationFactory(standfirst="Land rights and the BLOGGERS who report")
    PublicationFactory(title="Unrelated", standfirst="Nothing here")

    found = set(Publication.objects.published().search("bloggers"))

    assert found == {by_title, by_standfirst}


def test_featured_image_requires_alt_text():
    publication = PublicationFactory.build(featured_image="publications/x.jpg")

    with pytest.raises(ValidationError) as error:
        publication.clean()

    assert "featured_image_alt" in error.value.message_dict


def test_translation_must_be_in_another_language_than_its_original():
    original = PublicationFactory(language="en")
    translation = PublicationFactory.build(language="en", translation_of=original)

    with pytest.raises(ValidationError) as error:
        translation.full_clean()

    assert "translation_of" in error.value.message_dict


def test_absolute_url_is_the_public_detail_address():
    publication = PublicationFactory(slug="free-the-five")

    assert publication.get_absolute_url() == "/publications/free-the-five/"


def test_type_labels_are_what_readers_see():
    assert dict(Publication.Type.choices) == {
        "statement": "Statement",
        "letter": "Open letter",
        "report": "Report",
        "story": "Story",
    }


def test_co_signers_are_read_one_per_line_ignoring_blank_lines():
    publication = PublicationFactory.build(co_signers="Alpha Network\n\n  Beta Lawyers  \n")

    assert publication.co_signer_list == ["Alpha Network", "Beta Lawyers"]


@pytest.mark.parametrize(
    ("url", "embed_url"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        (
            "https://soundcloud.com/some-artist/a-track",
            "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fsome-artist%2Fa-track",
        ),
    ],
)
def test_media_links_become_privacy_friendly_embed_addresses(url, embed_url):
    assert media_embed(url)["embed_url"] == embed_url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=bad",
        "javascript:alert(1)",
        "https://vimeo.com/channels/staffpicks",
        "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    ],
)
def test_other_media_links_are_refused(url):
    publication = PublicationFactory.build(video_url=url)

    with pytest.raises(ValidationError) as error:
        publication.full_clean()

    assert "video_url" in error.value.message_dict


def test_check_constraint_refuses_an_unknown_type_at_the_database():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(type="podcast")
