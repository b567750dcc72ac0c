import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import MemberOrganisation
from tests.factories import member

pytestmark = pytest.mark.django_db


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
        south = client.get("/members/", {"q": "member", "region": "south"})
    with django_assert_max_num_queries(6):
        everyone = client.get("/members/")

    # Within budget with every member shown, not an empty or failed page.
    assert south.status_code == everyone.status_code == 200
    assert south.content.decode().count('href="/members/member-') == len(range(0, count, 5))
    assert everyone.content.decode().count('href="/members/member-') == count


def test_directory_with_a_cold_map_cache_stays_within_budget(
    client, network, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get("/members/")
    assert response.status_code == 200
