from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.text import slugify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import MemberOrganisation
from tests.factories import MemberOrganisationFactory, PublicationFactory, country

pytestmark = pytest.mark.django_db


def member(name, code, **kwargs):
    return MemberOrganisationFactory(name=name, slug=slugify(name), country=country(code), **kwargs)


@pytest.fixture
def network():
    member("Informal Sector Service Centre", "NP", acronym="INSEC", city="Kathmandu")
    member("Nepal Law Society", "NP", city="Kathmandu")
    member("Cambodian League", "KH", acronym="LICADHO", city="Phnom Penh")
    member("Thai Lawyers for Rights", "TH", city="Bangkok")
    member("Gone Away Centre", "TH", is_active=False)


def names(response):
    return [m.name for _country, members in response.context["groups"] for m in members]


def test_directory_groups_current_members_by_country_with_computed_counts(client, network):
    response = client.get("/members/")

    body = response.content.decode()
    assert response.status_code == 200
    assert [c.name for c, _m in response.context["groups"]] == ["Cambodia", "Nepal", "Thailand"]
    assert "Gone Away Centre" not in body
    assert "<strong>4</strong> members in <strong>3</strong> countries" in body


def test_directory_filters_by_country_code_in_either_case(client, network, page_cache_off):
    # Both spellings are one page (one cache key): rendered twice here, without the cache.
    for value in ("np", "NP"):
        response = client.get("/members/", {"country": value})
        assert names(response) == ["Informal Sector Service Centre", "Nepal Law Society"]


def test_directory_filters_by_sub_region(client, network):
    response = client.get("/members/", {"region": "southeast"})

    assert names(response) == ["Cambodian League", "Thai Lawyers for Rights"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("insec", ["Informal Sector Service Centre"]),  # acronym
        ("phnom", ["Cambodian League"]),  # city
        ("thailand", ["Thai Lawyers for Rights"]),  # country name
        ("law", ["Nepal Law Society", "Thai Lawyers for Rights"]),  # name
    ],
)
def test_directory_search_covers_name_acronym_city_and_country(client, network, q, expected):
    assert sorted(names(client.get("/members/", {"q": q}))) == expected


# Names, typos (pg_trgm finds them on PostgreSQL), words spread over fields, too little text.
MEMBER_QUERIES = st.one_of(
    st.sampled_from(
        ["Cambodja", "Kathmandoo", "Nepal Law", "lawyers bangkok", "INSEC", "a", "!!", "Thai"]
    ),
    st.text(alphabet="abcdeiklmnoprstuy ", max_size=12),
    st.text(max_size=12),
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(query=MEMBER_QUERIES)
def test_directory_search_finds_the_members_site_search_finds(
    client, network, page_cache_off, query
):
    directory = client.get("/members/", {"q": query})
    search = client.get("/search/", {"q": query})

    if search.context["is_searching"]:
        expected = sorted(member.name for member in search.context["members"])
    else:  # nothing to search for: the whole directory
        expected = sorted(MemberOrganisation.objects.active().values_list("name", flat=True))
    assert sorted(names(directory)) == expected


def test_directory_with_no_match_says_so(client, network):
    response = client.get("/members/", {"q": "zzz"})

    assert response.status_code == 200
    assert "No members match" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"country": "<script>alert(1)</script>"},
        {"q": "<script>alert(1)</script>"},
        {"q": "x" * 5000, "country": "y" * 5000, "region": "z" * 5000},
        {"q": "ພາສາລາວ 中文 ✊", "country": "ไทย"},
        {"q": "%00'\"; DROP TABLE", "region": "<b>"},
    ],
)
def test_hostile_query_strings_get_a_normal_escaped_page(client, network, params):
    response = client.get("/members/", params)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in body
    assert "<b>" not in body


def test_invalid_country_filter_is_ignored(client, network):
    response = client.get("/members/", {"country": "xx"})

    assert len(names(response)) == 4


def test_directory_shows_the_network_map_linking_countries(client, network):
    body = client.get("/members/").content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg"' in body
    assert '<a href="/countries/np/" class="country step-2">' in body
    assert "<title>Nepal: 2 members</title>" in body


@pytest.mark.parametrize("count", [10, 60])
def test_directory_query_count_does_not_grow_with_members(
    client, django_assert_max_num_queries, django_assert_num_queries, count
):
    for index in range(count):
        member(f"Member {index}", ["NP", "KH", "TH", "PH", "ID"][index % 5])
    client.get("/members/")  # the map is cached after the first view

    with django_assert_num_queries(2), django_assert_max_num_queries(6):
        client.get("/members/", {"q": "member", "region": "south"})
    with django_assert_max_num_queries(6):
        client.get("/members/")


def test_directory_with_a_cold_map_cache_stays_within_budget(
    client, network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/members/")
    assert response.status_code == 200


def test_member_page_shows_facts_description_and_links(client):
    insec = member(
        "Informal Sector Service Centre",
        "NP",
        acronym="INSEC",
        city="Kathmandu",
        website="https://insec.example.org/",
        description="<p>Documents <strong>violations</strong>.</p>",
        focus_areas="Civic space, Transitional justice",
        x_url="https://x.com/insec",
    )

    response = client.get("/members/informal-sector-service-centre/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["member"] == insec
    assert "<strong>violations</strong>" in body
    assert 'href="https://insec.example.org/"' in body
    assert 'href="/countries/np/"' in body
    assert "Transitional justice" in body
    assert 'href="https://x.com/insec"' in body
    assert "INSEC" in body  # placeholder initials when there is no logo
    assert "Former member" not in body


def test_former_member_page_exists_and_is_marked(client, network):
    response = client.get("/members/gone-away-centre/")

    assert response.status_code == 200
    assert "Former member" in response.content.decode()


def test_member_page_lists_only_public_co_signed_publications_newest_first(client):
    insec = member("INSEC", "NP")
    now = timezone.now()
    PublicationFactory(
        title="Older joint statement", publish_at=now - timedelta(days=30), signatories=[insec]
    )
    PublicationFactory(
        title="Newer joint letter", publish_at=now - timedelta(days=1), signatories=[insec]
    )
    PublicationFactory(title="Draft statement", status="draft", signatories=[insec])
    PublicationFactory(
        title="Scheduled letter", publish_at=now + timedelta(days=3), signatories=[insec]
    )
    PublicationFactory(title="Not signed by INSEC")

    response = client.get("/members/insec/")

    titles = [p.title for p in response.context["page_obj"]]
    assert titles == ["Newer joint letter", "Older joint statement"]
    body = response.content.decode()
    assert "Draft statement" not in body
    assert "Scheduled letter" not in body


def test_member_publications_are_paginated_ten_a_page(client, django_assert_max_num_queries):
    insec = member("INSEC", "NP")
    for _ in range(12):
        PublicationFactory(signatories=[insec])

    with django_assert_max_num_queries(8):
        first = client.get("/members/insec/")
    second = client.get("/members/insec/", {"page": 2})
    junk = client.get("/members/insec/", {"page": "<x>"})

    assert len(first.context["page_obj"]) == 10
    assert len(second.context["page_obj"]) == 2
    assert junk.status_code == 200
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_country_page_lists_members_former_members_and_publications(
    client, network, django_assert_max_num_queries
):
    for _ in range(11):
        PublicationFactory(countries=[country("TH")])
    PublicationFactory(
        title="Scheduled", publish_at="2999-01-01T00:00:00+07:00", countries=[country("TH")]
    )

    with django_assert_max_num_queries(8):
        response = client.get("/countries/th/")

    body = response.content.decode()
    assert response.status_code == 200
    assert [m.name for m in response.context["members"]] == ["Thai Lawyers for Rights"]
    assert [m.name for m in response.context["former_members"]] == ["Gone Away Centre"]
    assert response.context["page_obj"].paginator.count == 11
    assert "Scheduled" not in body


def test_country_without_members_still_has_a_page(client):
    response = client.get("/countries/kp/")

    assert response.status_code == 200
    assert "No current member organisation in North Korea" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/members/no-such-member/",
        "/countries/xx/",
        "/countries/thx/",
        "/countries/t/",
        "/countries/%E0%B9%84%E0%B8%97/",
        "/countries/<script>/",
    ],
)
def test_unknown_member_or_country_gets_the_404_page(client, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
