"""Site search: PostgreSQL full text (ranking, highlighting, typos, hostile input) and the
SQLite fallback. Each test says which database it needs; the other one skips it."""

import pytest
from django.core.management import call_command
from django.db import connection

from publications.models import Publication
from publications.search import highlight, tsquery_text
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    country,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Full-text search, ranking, headlines and pg_trgm need PostgreSQL (DATABASE_URL)",
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="The contains fallback is what SQLite runs"
)

HOSTILE = [
    "",
    "a",
    "x" * 1000,
    '"',
    "&",
    "!",
    ":*",
    "'",
    "\\",
    "\x00",
    "land\x00rights",
    "& | ! ( ) <-> :* ' \"",
    "'; DROP TABLE publications_publication; --",
    "rights:*&!",
    "(((",
    "a:b:c",
    "<script>alert(1)</script>",
    "ข่าว",
    "🙂",
    " ".join(["word"] * 500),
]


def search(query, queryset=None):
    return list((queryset or Publication.objects.published()).search(query))


# --- the tsquery and highlighting (both databases) -----------------------------------------


def test_tsquery_text_quotes_each_word_and_prefixes_the_last():
    assert tsquery_text(["land", "rig"]) == "'land' & 'rig':*"
    assert tsquery_text(["x"]) == "'x'"


def test_highlight_escapes_everything_but_the_marks():
    from publications.search import START, STOP

    html = highlight(f"</p><script>alert(1)</script> {START}land{STOP} & rights")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>land</mark>" in html
    assert "&amp; rights" in html


# --- PostgreSQL -----------------------------------------------------------------------------


@postgres_only
def test_a_title_match_ranks_above_a_body_match():
    body_only = PublicationFactory(
        title="Statement on elections",
        standfirst="",
        body="<p>The authorities detained journalists in the capital.</p>",
    )
    in_title = PublicationFactory(
        title="Journalists detained in the capital",
        standfirst="",
        body="<p>A statement.</p>",
    )

    results = search("journalists")

    assert results == [in_title, body_only]
    assert results[0].search_rank > results[1].search_rank


@postgres_only
def test_body_html_is_searched_as_text_but_tags_are_not():
    PublicationFactory(title="One", body='<p class="lead">Forced <strong>evictions</strong></p>')

    assert len(search("evictions")) == 1
    assert search("strong") == []
    assert search("class") == []


@postgres_only
def test_every_word_must_match_and_the_last_one_matches_as_a_prefix():
    wanted = PublicationFactory(title="Release the land defenders now")
    PublicationFactory(title="Land reform in the delta")

    assert search("land defen") == [wanted]
    assert search("defenders land") == [wanted]


@postgres_only
def test_tags_and_country_names_are_searchable_after_they_are_added():
    publication = PublicationFactory(title="A statement", standfirst="", body="")
    assert search("Nepal") == []

    publication.countries.add(country("NP"))
    publication.tags.add("Freedom of assembly")

    assert search("Nepal") == [publication]
    assert search("assembly") == [publication]

    publication.tags.clear()
    assert search("assembly") == []


def test_signatories_names_acronyms_partners_and_other_co_signers_are_searchable():
    """Both databases: the vector on PostgreSQL, the contains fallback on SQLite."""
    lawyers = MemberOrganisationFactory(name="Thai Lawyers for Rights", acronym="TLHR")
    partner = PartnerOrganisationFactory(name="CIVICUS")
    publication = PublicationFactory(title="A statement", standfirst="", body="")
    assert search("Lawyers") == []

    publication.signatures.create(member=lawyers, order=1)
    publication.signatures.create(partner=partner, order=2)
    publication.co_signers = "Quetzal Solidarity Circle"
    publication.save()

    for words in ("thai lawyers", "TLHR", "civicus", "quetzal solidarity"):
        assert search(words) == [publication], words
    publication.signatures.filter(partner=partner).delete()
    assert search("civicus") == []


@postgres_only
def test_renaming_a_member_or_a_partner_updates_the_vectors_of_what_they_signed():
    member = MemberOrganisationFactory(name="Old Name Centre")
    partner = PartnerOrganisationFactory(name="Old Alliance")
    publication = PublicationFactory(title="A statement", signatories=[member, partner])

    member.name = "Renamed Legal Aid Centre"
    member.save()
    partner.name = "Brandnew Alliance"
    partner.save()

    assert search("Renamed Legal") == [publication]
    assert search("Brandnew") == [publication]


@postgres_only
def test_renaming_a_country_updates_the_vectors_of_its_publications():
    place = country("LA")
    publication = PublicationFactory(title="A statement", countries=[place])

    place.name = "Lao People's Democratic Republic"
    place.save()

    assert search("Democratic Republic") == [publication]


@postgres_only
def test_headline_highlights_matches_and_escapes_the_text():
    PublicationFactory(
        title="Defenders <b>at</b> risk & under threat",
        standfirst="Sample summary.",
        body="<p>Ten human rights defenders were arrested on Monday.</p>",
    )

    [result] = search("defenders")

    assert str(highlight(result.search_title)).startswith("<mark>Defenders</mark> &lt;b&gt;")
    assert "&amp; under threat" in highlight(result.search_title)
    assert "human rights <mark>defenders</mark> were arrested" in highlight(result.search_snippet)


@postgres_only
def test_a_typo_in_a_country_name_still_finds_it():
    publication = PublicationFactory(title="Land defenders on trial", countries=[country("KH")])
    PublicationFactory(title="Elections in Nepal", countries=[country("NP")])

    results = Publication.objects.published().search("Cambodja")

    assert list(results) == [publication]
    assert results.search_correction == "cambodia"


@postgres_only
def test_a_typo_is_corrected_to_public_themes_only(client):
    PublicationFactory(title="Land defenders", tags=["Kleptocracy watch"])
    PublicationFactory(title="Embargoed", status="draft", tags=["Oligarchy files"])

    public = Publication.objects.published().search("Kleptocrasy")
    draft_only = client.get("/search/", {"q": "Oligarchi"}).content.decode()

    assert public.search_correction == "kleptocracy"
    assert "oligarchy" not in draft_only.lower() and "Showing results for" not in draft_only


@postgres_only
def test_a_correct_word_is_not_corrected():
    PublicationFactory(title="Cambodia: free the land defenders", countries=[country("KH")])

    results = Publication.objects.published().search("cambodia")

    assert results.search_correction is None
    assert len(results) == 1


@postgres_only
@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(query):
    PublicationFactory(title="Land rights", body="<p>Land & rights</p>")

    search(query)  # must not raise a tsquery syntax error


@postgres_only
def test_search_only_returns_public_items():
    PublicationFactory(title="Public torture report")
    PublicationFactory(title="Draft torture report", status="draft")
    from datetime import timedelta

    from django.utils import timezone

    PublicationFactory(
        title="Scheduled torture report", publish_at=timezone.now() + timedelta(days=1)
    )

    assert [p.title for p in search("torture")] == ["Public torture report"]


@postgres_only
def test_rebuild_command_rewrites_vectors_written_around_save():
    publication = PublicationFactory(title="Migrant workers in the Gulf")
    Publication.objects.update(search_vector=None)  # as after a bulk load
    assert search("migrant") == []

    call_command("rebuild_search_index", batch_size=1, stdout=__import__("io").StringIO())

    assert search("migrant") == [publication]


# --- SQLite --------------------------------------------------------------------------------------


@sqlite_only
def test_sqlite_fallback_finds_every_word_in_title_summary_or_body():
    wanted = PublicationFactory(title="Land defenders", body="<p>Detained in Koh Kong.</p>")
    PublicationFactory(title="Land reform", body="<p>Nothing else.</p>")

    assert search("land koh") == [wanted]
    assert search("DEFENDERS") == [wanted]


@sqlite_only
@pytest.mark.parametrize("query", HOSTILE)
def test_sqlite_fallback_takes_hostile_queries(query):
    PublicationFactory(title="Land rights")

    search(query)


def test_fallback_marks_words_case_insensitively_and_escapes_the_rest():
    from publications.search import mark_words

    marked = mark_words("Land <b>rights</b> & LAND", "land")

    assert marked == "<mark>Land</mark> &lt;b&gt;rights&lt;/b&gt; &amp; <mark>LAND</mark>"
    assert mark_words("<i>x</i>", "&&") == "&lt;i&gt;x&lt;/i&gt;"


# --- the page (both databases) -------------------------------------------------------------


def test_list_filter_q_goes_through_the_same_search(client):
    wanted = PublicationFactory(title="Enforced disappearances in the south")
    PublicationFactory(title="Elections")

    response = client.get("/publications/", {"q": "disappearances"})

    assert list(response.context["publications"]) == [wanted]


@postgres_only
def test_a_search_ranks_the_newest_window_of_matches_and_says_more_than(client, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from publications import search

    monkeypatch.setattr(search, "RANKED_WINDOW", 3)
    now = timezone.now()
    items = [
        PublicationFactory(title=f"Detention report {n}", publish_at=now - timedelta(days=n))
        for n in range(6)
    ]

    response = client.get("/search/", {"q": "detention"})

    assert response.context["result_count"] == 3
    assert response.context["result_count_capped"] is True
    assert "more than 3 results" in response.content.decode()
    assert set(response.context["publications"]) <= set(items[:4])


@postgres_only
def test_a_search_page_matches_the_words_once_and_a_typo_twice(client):
    """The matching ids are read in one query and reused by the count, the page and the one
    card per translation group; a typo adds only the corrected search."""
    from django.test.utils import CaptureQueriesContext

    for number in range(3):
        PublicationFactory(title=f"Detention report {number}", countries=[country("KH")])

    def matching_queries(query):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        return response, [q for q in captured.captured_queries if "@@" in q["sql"]]

    response, queries = matching_queries("detention")
    assert len(queries) == 1 and response.context["result_count"] == 3
    response, queries = matching_queries("Cambodja")
    assert len(queries) == 2 and response.context["result_count"] == 3
    assert response.context["search_correction"] == "cambodia"


@postgres_only
def test_a_search_counts_one_result_per_translation_group_without_counting_again(client):
    from django.test.utils import CaptureQueriesContext

    original = PublicationFactory(title="Detention report", language="en")
    PublicationFactory(title="Detention report, Thai", language="th", translation_of=original)
    PublicationFactory(title="Detention elsewhere", language="km")

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/search/", {"q": "detention"})

    assert response.context["result_count"] == len(response.context["publications"]) == 2
    assert "2 results" in response.content.decode()
    assert not [q for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
