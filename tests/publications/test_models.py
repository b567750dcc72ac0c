import ast
import datetime as dt
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from taggit.models import Tag

from publications.models import (
    LANGUAGES,
    PartnerOrganisation,
    Publication,
    Signature,
    attach_other_languages,
    language_direction,
    media_embed,
    plain_text,
)
from publications.search import search
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    country,
)

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

    found = set(search(Publication.objects.published(), "bloggers")[0])

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


def test_each_type_names_its_lists():
    assert [kind.plural_label for kind in Publication.Type] == [
        "Statements",
        "Open letters",
        "Reports",
        "Stories",
    ]


# --- the queryset's words: each rule about which publications a page shows, once -------------


def titles(publications):
    return sorted(publication.title for publication in publications)


def test_scheduled_are_published_ones_whose_time_has_not_come(frozen_now):
    PublicationFactory(title="Live", publish_at=frozen_now)
    PublicationFactory(title="Later", publish_at=frozen_now + timedelta(seconds=1))
    PublicationFactory(title="Draft", status="draft", publish_at=frozen_now + timedelta(days=1))

    assert titles(Publication.objects.scheduled()) == ["Later"]
    assert titles(Publication.objects.published()) == ["Live"]
    assert titles(Publication.objects.drafts()) == ["Draft"]
    later = Publication.objects.get(title="Later")
    assert Publication.objects.next_publish_at() == later.publish_at
    assert Publication.objects.scheduled(now=later.publish_at).count() == 0


def test_status_labels_say_which_of_drafts_scheduled_and_published_holds_each(frozen_now):
    for status in ("draft", "published"):
        for offset in (-1, 0, 1):
            PublicationFactory(status=status, publish_at=frozen_now + timedelta(days=offset))
    words = {
        "Draft": Publication.objects.drafts(),
        "Scheduled": Publication.objects.scheduled(),
        "Published": Publication.objects.published(),
    }

    labels = {
        publication.pk: label for label, queryset in words.items() for publication in queryset
    }
    assert len(labels) == Publication.objects.count() == 6
    assert all(p.status_label == labels[p.pk] for p in Publication.objects.all())


def test_of_type_and_in_year_narrow_by_type_and_the_secretariats_year():
    # 00:30 on 1 January in Bangkok is still 31 December in UTC.
    bangkok_new_year = timezone.make_aware(dt.datetime(2025, 1, 1, 0, 30))
    PublicationFactory(title="Report 2025", type="report", publish_at=bangkok_new_year)
    PublicationFactory(title="Statement 2024", publish_at=bangkok_new_year - timedelta(hours=1))

    assert titles(Publication.objects.of_type("report")) == ["Report 2025"]
    assert titles(Publication.objects.in_year(2025)) == ["Report 2025"]
    assert titles(Publication.objects.in_year(2024)) == ["Statement 2024"]


def test_tagged_about_country_and_signed_by_match_any_of_their_arguments():
    member = MemberOrganisationFactory()
    PublicationFactory(title="Land", tags=["Land rights", "Elections"], countries=[country("KH")])
    PublicationFactory(title="Elections", tags=["Elections"], signatories=[member])
    PublicationFactory(title="Thai", countries=[country("TH")], signatories=[member])
    land, elections = (Tag.objects.get(name=name) for name in ("Land rights", "Elections"))

    assert titles(Publication.objects.tagged(land)) == ["Land"]
    assert titles(Publication.objects.tagged(land.pk, elections.pk)) == ["Elections", "Land"]
    assert titles(Publication.objects.tagged()) == []
    assert titles(Publication.objects.about_country(country("TH"))) == ["Thai"]
    assert titles(Publication.objects.about_country(country("TH"), country("KH"))) == [
        "Land",
        "Thai",
    ]
    assert titles(Publication.objects.signed_by(member)) == ["Elections", "Thai"]
    assert titles(Publication.objects.signed_by(MemberOrganisationFactory())) == []


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


# The fields behind the queryset's words. Newsletter is not read: its models have a status of
# their own and it may not reach publications at all (tests/test_app_dependencies.py).
RULE_FIELDS = {
    "status",
    "publish_at",
    "unpublish_at",
    "type",
    "tags",
    "countries",
    "signatories",
    "signatures",
}
QUERYING_APPS = ["forumasia", "pages", "publications", "members", "wordpress"]


def filters_on_rule_fields(path):
    """(line, keyword) of each filter(), exclude(), get() or Q() in `path` that names a field
    behind one of the queryset's words."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in {"filter", "exclude", "get", "Q"}:
            for keyword in node.keywords:
                if keyword.arg and keyword.arg.split("__")[0] in RULE_FIELDS:
                    yield node.lineno, keyword.arg


def test_only_the_queryset_spells_out_which_publications_are_meant():
    """Public, scheduled, draft, of a type, in a year, tagged, about a country, signed by:
    each is a PublicationQuerySet method (the workflow's states a WorkflowQuerySet one, shared
    with editorial pages), so a change of rule is made in one place."""
    defining = {
        settings.BASE_DIR / "publications" / "models.py",
        settings.BASE_DIR / "forumasia" / "workflow.py",
    }
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{line} filters on {keyword}"
        for app in QUERYING_APPS
        for path in sorted((settings.BASE_DIR / app).rglob("*.py"))
        if "migrations" not in path.parts and path not in defining
        for line, keyword in filters_on_rule_fields(path)
    ]

    assert found == []


def test_next_publish_at_is_the_earliest_scheduled_publication():
    now = timezone.now()
    PublicationFactory(publish_at=now + timedelta(days=2))
    soon = PublicationFactory(publish_at=now + timedelta(hours=1))
    PublicationFactory(status="draft", publish_at=now + timedelta(minutes=1))

    assert Publication.objects.next_publish_at(now) == soon.publish_at


# --- Unpublish time and the states editors see --------------------------------------------------


def test_an_item_leaves_the_public_site_at_its_unpublish_time_to_the_second(frozen_now):
    publication = PublicationFactory(
        publish_at=frozen_now - timedelta(days=1), unpublish_at=frozen_now + timedelta(seconds=1)
    )

    assert list(Publication.objects.published()) == [publication]
    assert Publication.objects.published(frozen_now + timedelta(seconds=1)).count() == 0
    assert not publication.is_public_at(frozen_now + timedelta(seconds=1))
    assert publication.state_at(frozen_now + timedelta(seconds=1)) == "Unpublished"


def test_the_unpublish_date_must_come_after_the_publish_date():
    publication = PublicationFactory.build(
        publish_at=timezone.now(), unpublish_at=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(ValidationError) as error:
        publication.full_clean()

    assert "unpublish_at" in error.value.message_dict


def test_the_database_refuses_an_unpublish_date_before_the_publish_date():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(unpublish_at=timezone.now() - timedelta(days=2))


def test_next_unpublish_at_is_the_earliest_unpublish_time_still_to_come():
    now = timezone.now()
    PublicationFactory(publish_at=now - timedelta(days=3), unpublish_at=now - timedelta(days=1))
    soon = PublicationFactory(unpublish_at=now + timedelta(hours=2))
    PublicationFactory(unpublish_at=now + timedelta(days=2))
    PublicationFactory(status="unpublished", unpublish_at=now + timedelta(minutes=5))

    assert Publication.objects.next_unpublish_at(now) == soon.unpublish_at


STATE_QUERIES = {
    "Draft": lambda qs, now: qs.drafts(),
    "In review": lambda qs, now: qs.in_review(),
    "Scheduled": lambda qs, now: qs.scheduled(now),
    "Published": lambda qs, now: qs.published(now),
    "Unpublished": lambda qs, now: qs.unpublished(now),
}


# (publish, unpublish) in days from now: every order of the two times and now.
TIMES = [(-2, None), (-2, -1), (-2, 2), (1, None), (1, 2)]


@pytest.mark.parametrize("status", ["draft", "review", "published", "unpublished"])
@pytest.mark.parametrize(("publish_in", "unpublish_in"), TIMES)
def test_every_publication_is_in_exactly_the_state_its_label_says(status, publish_in, unpublish_in):
    """The list filter (queryset) and the badge (state_at) agree, for every status and every
    order of now, publish and unpublish times."""
    now = timezone.now()
    publication = PublicationFactory(
        status=status,
        publish_at=now + timedelta(days=publish_in),
        unpublish_at=None if unpublish_in is None else now + timedelta(days=unpublish_in),
    )

    matching = [
        label
        for label, query in STATE_QUERIES.items()
        if query(Publication.objects.all(), now).filter(pk=publication.pk).exists()
    ]

    assert matching == [publication.state_at(now)]


# --- Translation groups ---------------------------------------------------------------------


def cards(queryset=None):
    """Titles of the public cards, one per translation group."""
    queryset = Publication.objects.published() if queryset is None else queryset
    return sorted(queryset.one_per_group().values_list("title", flat=True))


@pytest.mark.parametrize(
    ("original_language", "public", "card"),
    [
        ("en", {"original", "th", "km"}, "original"),
        ("th", {"original", "en", "km"}, "en"),
        ("th", {"original", "km"}, "original"),
        ("en", {"th", "km"}, "th"),  # the original is a draft: the earliest public translation
        ("en", {"km"}, "km"),
        ("en", set(), None),
    ],
)
def test_one_card_per_group_in_english_else_the_original_else_the_first_translation(
    original_language, public, card
):
    def status(name):
        return "published" if name in public else "draft"

    original = PublicationFactory(
        title="original", language=original_language, status=status("original")
    )
    for language in [code for code in ("en", "th", "km") if code != original_language]:
        PublicationFactory(
            title=language, language=language, translation_of=original, status=status(language)
        )
    PublicationFactory(title="alone")

    assert cards() == sorted(["alone", *([card] if card else [])])


def test_a_group_member_drops_out_only_for_a_better_one_matching_the_same_filters():
    original = PublicationFactory(title="Crackdown on defenders", language="en")
    PublicationFactory(title="การปราบปรามนักปกป้อง", language="th", translation_of=original)

    public = Publication.objects.published()
    assert cards(search(public, "การปราบปราม")[0]) == ["การปราบปรามนักปกป้อง"]
    assert cards(search(public, "crackdown")[0]) == ["Crackdown on defenders"]


LANGUAGES_OF_GROUPS = ["en", "th", "km"]
groups_of_publications = st.lists(
    st.tuples(
        st.permutations(LANGUAGES_OF_GROUPS),
        st.integers(min_value=1, max_value=3),
        st.lists(st.sampled_from(["published", "draft"]), min_size=3, max_size=3),
        st.lists(st.sampled_from(["statement", "report"]), min_size=3, max_size=3),
    ),
    max_size=5,
)


@hypothesis_settings(max_examples=25, deadline=None)
@given(groups=groups_of_publications)
def test_counting_groups_gives_as_many_as_there_are_cards(groups):
    with transaction.atomic():
        for codes, size, statuses, types in groups:
            codes = codes[:size]
            original = PublicationFactory(language=codes[0], status=statuses[0], type=types[0])
            for code, status, type_value in zip(codes[1:], statuses[1:], types[1:], strict=False):
                PublicationFactory(
                    language=code, status=status, type=type_value, translation_of=original
                )
        for queryset in (
            Publication.objects.all(),
            Publication.objects.published(),
            Publication.objects.published().of_type("report"),
            Publication.objects.filter(language="th"),
        ):
            assert queryset.count_groups() == len(queryset.one_per_group())
        transaction.set_rollback(True)


def test_other_languages_are_the_groups_other_public_members_in_one_query(
    django_assert_num_queries,
):
    original = PublicationFactory(language="en")
    thai = PublicationFactory(language="th", translation_of=original)
    khmer = PublicationFactory(language="km", translation_of=original)
    PublicationFactory(language="my", translation_of=original, status="draft")
    alone = PublicationFactory()

    with django_assert_num_queries(1):
        attach_other_languages([original, thai, alone])

    assert original.other_languages == [khmer, thai]  # in the order of LANGUAGES
    assert thai.other_languages == [original, khmer]
    assert alone.other_languages == []
    assert [member.language_autonym for member in original.other_languages] == ["ខ្មែរ", "ไทย"]


def test_outside_group_of_leaves_out_the_whole_group():
    original = PublicationFactory(title="original")
    thai = PublicationFactory(title="thai", language="th", translation_of=original)
    PublicationFactory(title="other")

    for member in (original, thai):
        assert cards(Publication.objects.published().outside_group_of(member)) == ["other"]


def test_a_translation_shares_its_originals_key_until_it_is_unlinked():
    original, other = PublicationFactory(), PublicationFactory()
    thai = PublicationFactory(language="th", translation_of=original)

    assert thai.translation_key == original.translation_key != other.translation_key
    thai.translation_of = None
    thai.save()
    assert thai.translation_key not in (original.translation_key, other.translation_key)
    assert cards() == sorted([original.title, other.title, thai.title])


def test_the_translations_of_a_deleted_original_stay_one_group_with_one_card():
    original = PublicationFactory(title="original", language="th")
    PublicationFactory(title="english", language="en", translation_of=original)
    PublicationFactory(title="khmer", language="km", translation_of=original)
    original.delete()

    assert cards() == ["english"]
    assert Publication.objects.published().count_groups() == 1


def test_the_body_text_is_the_sanitised_body_without_its_tags():
    publication = PublicationFactory(body="<p>Land&nbsp;rights <script>x()</script><b>now</b></p>")

    assert publication.body_text == plain_text(publication.body)
    assert "<" not in publication.body_text and "x()" not in publication.body_text
    assert publication.body_text.split() == ["Land", "rights", "now"]


def test_a_translation_translates_an_original_never_a_translation():
    original = PublicationFactory(language="en")
    thai = PublicationFactory(language="th", translation_of=original)

    with pytest.raises(ValidationError, match="Choose the original"):
        PublicationFactory.build(language="km", translation_of=thai).clean()
    original.translation_of = PublicationFactory(language="fr")
    with pytest.raises(ValidationError, match="has translations of its own"):
        original.clean()


def test_an_original_has_at_most_one_translation_per_language():
    from django.db import IntegrityError, transaction

    original = PublicationFactory(language="en")
    PublicationFactory(language="th", translation_of=original)

    with pytest.raises(IntegrityError), transaction.atomic():
        PublicationFactory(language="th", translation_of=original)


# --- Signatories: members and partners -------------------------------------------------------


def test_signed_by_finds_members_and_partners():
    member, partner = MemberOrganisationFactory(), PartnerOrganisationFactory()
    by_member = PublicationFactory(title="by member", signatories=[member])
    by_partner = PublicationFactory(title="by partner", signatories=[partner])
    PublicationFactory(title="by nobody")

    assert list(Publication.objects.signed_by(member)) == [by_member]
    assert list(Publication.objects.signed_by(partner)) == [by_partner]
    assert set(Publication.objects.signed_by(member, partner)) == {by_member, by_partner}


def test_a_signature_is_a_member_or_a_partner_never_both_nor_neither():
    from django.db import IntegrityError, transaction

    publication = PublicationFactory()
    member, partner = MemberOrganisationFactory(), PartnerOrganisationFactory()

    for kwargs in ({}, {"member": member, "partner": partner}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Signature.objects.create(publication=publication, **kwargs)
    assert str(Signature(publication=publication, partner=partner)) == partner.name


def test_partner_names_are_unique_ignoring_case_and_websites_are_web_addresses():
    PartnerOrganisationFactory(name="CIVICUS")

    with pytest.raises(ValidationError) as error:
        PartnerOrganisation(name="Civicus", website="ftp://civicus.example").full_clean()

    assert "exists already" in str(error.value)
    assert "website" in error.value.message_dict


def test_every_offered_language_has_a_direction_and_the_arabic_script_ones_are_right_to_left():
    directions = {code: language_direction(code) for code, _ in LANGUAGES}

    assert {code for code, direction in directions.items() if direction == "rtl"} == {
        "ur",
        "ps",
        "fa",
    }
    assert set(directions.values()) == {"ltr", "rtl"}  # none unknown: no dir="auto"


@pytest.mark.parametrize(
    "code",
    ["ur", "ps", "prs", "fa", "fa-AF", "ar", "he", "dv", "sd", "ckb", "ug", "pa-Arab", "rhg"],
)
def test_right_to_left_languages_django_knows_and_those_it_lacks(code):
    assert language_direction(code) == "rtl"


@pytest.mark.parametrize("code", ["en", "th", "km", "lo", "my", "zh-hans", "az", "sd-Deva"])
def test_left_to_right_languages_including_those_django_marks_wrongly_or_lacks(code):
    assert language_direction(code) == "ltr"


def test_an_unknown_language_has_no_direction():
    assert language_direction("zz") is None


def test_a_publication_in_urdu_is_right_to_left_and_one_in_thai_left_to_right():
    assert PublicationFactory.build(language="ur").text_direction == "rtl"
    assert PublicationFactory.build(language="th").text_direction == "ltr"
