"""subsites/models.py: what a sub-site shows (its stream), where it lives (its addresses), and
which sub-sites the main site lists."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from publications.models import Publication
from subsites.models import SubSite
from tests.factories import PickFactory, PublicationFactory, SubSiteFactory, country

pytestmark = pytest.mark.django_db


def shown(sub_site):
    return list(sub_site.stream(Publication.objects.published()).order_by("title"))


def titles(publications):
    return [publication.title for publication in publications]


# --- The stream -------------------------------------------------------------------------------


def test_with_no_criterion_a_sub_site_shows_its_picks_only():
    sub_site = SubSiteFactory()
    picked = PublicationFactory(title="Picked")
    PublicationFactory(title="Not picked")
    PickFactory(sub_site=sub_site, publication=picked)

    assert titles(shown(sub_site)) == ["Picked"]


def test_the_translations_of_what_a_sub_site_shows_go_with_them():
    sub_site = SubSiteFactory(publication_types=["report"])
    picked = PublicationFactory(title="Picked", type="story")
    PickFactory(sub_site=sub_site, publication=picked)
    PublicationFactory(title="Picked in Thai", type="story", language="th", translation_of=picked)
    report = PublicationFactory(title="Report", type="report")
    PublicationFactory(title="Report in Thai", type="report", language="th", translation_of=report)
    PublicationFactory(title="Not shown", type="story")

    assert titles(shown(sub_site)) == ["Picked", "Picked in Thai", "Report", "Report in Thai"]


def test_a_sub_site_shows_the_publications_of_its_types():
    sub_site = SubSiteFactory(publication_types=["report", "letter"])
    PublicationFactory(title="Report", type="report")
    PublicationFactory(title="Letter", type="letter")
    PublicationFactory(title="Statement", type="statement")

    assert titles(shown(sub_site)) == ["Letter", "Report"]


def test_a_sub_site_shows_the_publications_about_any_of_its_countries_once_each():
    sub_site = SubSiteFactory()
    sub_site.countries.set([country("TH"), country("KH")])
    PublicationFactory(title="Both", countries=[country("TH"), country("KH")])
    PublicationFactory(title="Thailand", countries=[country("TH")])
    PublicationFactory(title="Nepal", countries=[country("NP")])

    assert titles(shown(sub_site)) == ["Both", "Thailand"]


def test_a_sub_site_shows_the_publications_with_any_of_its_themes_once_each():
    land = PublicationFactory(title="Land and water", tags=["Land", "Water"])
    PublicationFactory(title="Land", tags=["Land"])
    PublicationFactory(title="Labour", tags=["Labour"])
    sub_site = SubSiteFactory()
    sub_site.themes.set(land.tags.all())

    assert titles(shown(sub_site)) == ["Land", "Land and water"]


def test_a_sub_site_shows_what_matches_every_criterion_it_sets_and_its_picks():
    sub_site = SubSiteFactory(publication_types=["report"])
    sub_site.countries.set([country("TH"), country("KH")])
    PublicationFactory(
        title="Report on both", type="report", countries=[country("TH"), country("KH")]
    )
    PublicationFactory(title="Report on Nepal", type="report", countries=[country("NP")])
    PublicationFactory(title="Statement on Thailand", countries=[country("TH")])
    picked = PublicationFactory(title="Picked statement on Nepal", countries=[country("NP")])
    PickFactory(sub_site=sub_site, publication=picked)

    assert titles(shown(sub_site)) == ["Picked statement on Nepal", "Report on both"]


def test_theme_and_country_criteria_are_both_required():
    matching = PublicationFactory(
        title="Land in Thailand and Cambodia",
        tags=["Land", "Water"],
        countries=[country("TH"), country("KH")],
    )
    PublicationFactory(title="Land in Nepal", tags=["Land"], countries=[country("NP")])
    PublicationFactory(title="Labour in Thailand", tags=["Labour"], countries=[country("TH")])
    sub_site = SubSiteFactory()
    sub_site.themes.set(matching.tags.all())
    sub_site.countries.set([country("TH"), country("KH")])

    assert titles(shown(sub_site)) == ["Land in Thailand and Cambodia"]


def test_the_stream_stays_within_what_is_published():
    sub_site = SubSiteFactory(publication_types=["statement"])
    draft = PublicationFactory(title="Draft", status="draft")
    PickFactory(sub_site=sub_site, publication=draft)
    PublicationFactory(title="Public")

    assert titles(shown(sub_site)) == ["Public"]


def test_a_pick_matching_the_criteria_too_is_shown_once():
    sub_site = SubSiteFactory(publication_types=["statement"])
    statement = PublicationFactory(title="Statement")
    PickFactory(sub_site=sub_site, publication=statement, is_pinned=True)

    assert shown(sub_site) == [statement]


def test_pinned_picks_come_first_then_by_position():
    sub_site = SubSiteFactory()
    later = PickFactory(sub_site=sub_site, position=2)
    pinned = PickFactory(sub_site=sub_site, position=9, is_pinned=True)
    first = PickFactory(sub_site=sub_site, position=1)

    assert list(sub_site.pick_set.all()) == [pinned, first, later]


# --- Where it lives ---------------------------------------------------------------------------


@override_settings(SITE_URL="https://forum-asia.example.org")
def test_without_a_host_a_sub_site_lives_under_sites_slug_on_the_main_site():
    sub_site = SubSiteFactory(slug="asean")

    assert sub_site.url_prefix == "sites/asean/"
    assert sub_site.origin == "https://forum-asia.example.org"
    assert sub_site.get_absolute_url() == "https://forum-asia.example.org/sites/asean/"


@override_settings(SITE_URL="https://forum-asia.example.org")
def test_with_a_host_a_sub_site_lives_at_its_root_with_the_main_sites_scheme():
    sub_site = SubSiteFactory(slug="asean", host="aseanrights.example.org")

    assert sub_site.url_prefix == ""
    assert sub_site.origin == "https://aseanrights.example.org"
    assert sub_site.get_absolute_url() == "https://aseanrights.example.org/"


def test_a_host_is_stored_lower_case_and_an_empty_one_as_none():
    with_host = SubSiteFactory(host=" ASEANrights.Example.org ")
    without = SubSiteFactory(host="")

    with_host.refresh_from_db()
    without.refresh_from_db()
    assert with_host.host == "aseanrights.example.org"
    assert without.host is None  # several sub-sites without a host never clash on ""
    assert SubSiteFactory(host="").host is None


def test_the_introduction_is_cleaned_on_save():
    sub_site = SubSiteFactory(introduction='<p onclick="steal()">Hello<script>x</script></p>')

    sub_site.refresh_from_db()
    assert sub_site.introduction == "<p>Hello</p>"


def test_languages_offered_are_the_chosen_ones_or_all():
    assert SubSiteFactory(languages=["th"]).offers("th")
    assert not SubSiteFactory(languages=["th"]).offers("id")
    assert SubSiteFactory(languages=[]).offers("id")


def test_an_unknown_language_is_refused():
    sub_site = SubSiteFactory.build(languages=["en", "xx"])

    with pytest.raises(ValidationError) as refused:
        sub_site.full_clean()

    assert refused.value.message_dict["languages"] == ["Unknown languages: xx"]


def test_a_dark_accent_passes_and_a_pale_one_is_refused_naming_its_contrast():
    SubSiteFactory.build(accent_colour="#1a4d8f").full_clean()

    with pytest.raises(ValidationError) as refused:
        SubSiteFactory.build(accent_colour="#ff9900").full_clean()

    [message] = refused.value.message_dict["accent_colour"]
    assert "contrast of 2.1:1 with white" in message


# --- Which the main site lists ----------------------------------------------------------------


def test_the_main_site_lists_the_sub_sites_not_archived_by_name():
    SubSiteFactory(name="Youth")
    SubSiteFactory(name="Defenders", is_archived=True)
    SubSiteFactory(name="ASEAN")

    assert [s.name for s in SubSite.objects.listed()] == ["ASEAN", "Youth"]
