"""Slugs for titles in any script: never empty, URL-safe, unique."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publications.models import Publication
from publications.slugs import slug_base, unique_slug
from tests.factories import PublicationFactory

URL_SAFE = re.compile(r"[a-z0-9_]+(-[a-z0-9_]+)*\Z")  # what Django's slug_re allows, lowercase
# Thai, Lao, Khmer, Myanmar, Arabic (Urdu, Pashto, Dari), Devanagari, Sinhala, Hangul, CJK.
SCRIPTS = [(0x0E00, 0x0E7F), (0x0E80, 0x0EFF), (0x1780, 0x17FF), (0x1000, 0x109F),
           (0x0600, 0x06FF), (0x0900, 0x097F), (0x0D80, 0x0DFF), (0xAC00, 0xD7A3),
           (0x4E00, 0x9FFF)]  # fmt: skip
script_text = st.one_of(
    *[
        st.text(st.characters(min_codepoint=low, max_codepoint=high), min_size=1, max_size=300)
        for low, high in SCRIPTS
    ],
    st.text(min_size=0, max_size=300),
)


@settings(max_examples=300, deadline=None)
@given(title=script_text)
def test_any_title_gives_a_url_safe_slug_that_is_never_empty(title):
    slug = slug_base(title, fallback="statement")

    assert URL_SAFE.match(slug), slug
    assert len(slug) <= 200


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(title=script_text)
def test_publications_with_the_same_title_in_any_script_get_distinct_slugs(title):
    first = PublicationFactory(title=title, slug="")
    second = PublicationFactory(title=title, slug="")

    assert first.slug != second.slug
    assert URL_SAFE.match(first.slug) and URL_SAFE.match(second.slug)
    assert len(second.slug) <= Publication._meta.get_field("slug").max_length


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("แถลงการณ์ร่วม", "aethlngkarnrwm"),
        ("សេចក្តីថ្លែងការណ៍រួម", "sechkteithlaengkarnruom"),
        ("人权捍卫者", "renquanhanweizhe"),
        ("بیانیه مشترک", "bynyh-mshtrk"),
        ("!!!", "statement"),
    ],
)
def test_titles_are_spelled_in_latin_letters(title, slug):
    assert slug_base(title, fallback="statement") == slug


@pytest.mark.django_db
def test_a_translation_without_a_slug_takes_its_originals_and_its_language():
    original = PublicationFactory(slug="crackdown-on-defenders")

    thai = PublicationFactory(title="การปราบปราม", slug="", language="th", translation_of=original)

    assert thai.slug == "crackdown-on-defenders-th"


def test_unique_slug_counts_up_past_taken_ones():
    taken = {"release-them", "release-them-2"}

    assert unique_slug("Release them!", taken=taken) == "release-them-3"
