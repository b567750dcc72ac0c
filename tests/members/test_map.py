import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.utils import translation

from members import services
from members.map import CACHE_KEY, country_shapes, network_map_svg, render_map
from members.models import Country
from tests.factories import MemberOrganisationFactory, country

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def parse(markup):
    return ET.fromstring(markup)  # noqa: S314 — our own output


def test_shapes_come_from_the_package_keyed_by_lowercase_iso_code():
    shapes = country_shapes()

    assert {"np", "th", "kh", "jp", "id"} <= set(shapes)
    path, (x0, y0, x1, y1) = shapes["np"]
    assert path.startswith("M") and path.endswith("Z")
    assert x1 > x0 and y1 > y0


def test_map_draws_only_our_countries_each_linked_with_a_title_and_shaded_by_members():
    MemberOrganisationFactory.create_batch(3, country=country("NP"))
    MemberOrganisationFactory(country=country("KH"))

    svg = parse(render_map(Country.objects.with_member_counts()))

    links = svg.findall(f"{SVG}a")
    hrefs = {a.get("href") for a in links}
    assert "/countries/np/" in hrefs and "/countries/jp/" in hrefs
    assert "/countries/fr/" not in hrefs  # only countries in our table
    by_href = {a.get("href"): a for a in links}
    assert by_href["/countries/np/"].get("class") == "country step-2"
    assert by_href["/countries/kh/"].get("class") == "country step-1"
    assert by_href["/countries/jp/"].get("class") == "country step-0"
    assert by_href["/countries/np/"].find(f"{SVG}title").text == "Nepal: 3 members"
    assert svg.get("viewBox").count(" ") == 3


def test_map_has_no_script_style_or_external_reference():
    markup = render_map(Country.objects.with_member_counts())

    assert "<script" not in markup
    assert "style=" not in markup
    assert "http://" not in markup.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in markup


def test_tiny_countries_get_a_dot_to_click():
    svg = parse(render_map(Country.objects.filter(code__in=["SG", "TH"]).with_member_counts()))

    dotted = {a.get("href") for a in svg.findall(f"{SVG}a") if a.find(f"{SVG}circle") is not None}
    assert dotted == {"/countries/sg/"}  # Thailand is large enough to click


def test_country_names_are_escaped_in_the_map():
    thailand = country("TH")
    thailand.name = "Thai<script>land"
    thailand.save()

    markup = render_map(Country.objects.with_member_counts())

    assert "Thai&lt;script&gt;land" in markup
    assert "<script" not in markup


def test_map_is_cached_and_forgotten_when_a_member_changes(django_assert_num_queries, commit):
    with django_assert_num_queries(1):
        network_map_svg(Country.objects.with_member_counts())
    with django_assert_num_queries(0):
        before = network_map_svg(Country.objects.with_member_counts())
    assert "Nepal: no current members" in before

    services.save_member(member=MemberOrganisationFactory.build(country=country("NP")), user=None)
    commit()

    assert cache.get(CACHE_KEY.format(language="en")) is None
    assert "Nepal: 1 member<" in network_map_svg(Country.objects.with_member_counts())


def test_map_is_forgotten_when_a_member_is_deleted(commit):
    nepali = MemberOrganisationFactory(country=country("NP"))
    assert "Nepal: 1 member<" in network_map_svg(Country.objects.with_member_counts())

    services.delete(objs=[nepali])
    commit()

    assert "Nepal: no current members" in network_map_svg(Country.objects.with_member_counts())


def test_network_map_template_tag_renders_map_and_legend():
    html = Template("{% load members_tags %}{% network_map %}").render(Context())

    assert 'class="network-map-svg"' in html
    assert "network-map-legend" in html
    assert html.count('class="swatch') == 5


def test_map_is_kept_per_language_with_links_in_that_language():
    with translation.override("th"):
        thai = network_map_svg(Country.objects.with_member_counts())
    english = network_map_svg(Country.objects.with_member_counts())

    assert 'href="/th/countries/np/"' in thai.lower()
    assert 'href="/countries/np/"' in english.lower()
