"""Site search: PostgreSQL full text (ranking, highlighting, typos, hostile input) and the
SQLite fallback. Each test says which database it needs; the other one skips it."""

import contextlib
import string
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.paginator import InvalidPage
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumasia import events
from forumasia.text import is_searchable, search_terms
from members import services as member_services
from publications import services
from publications.models import Publication
from publications.search import highlight, search_publications, tsquery_text
from publications.search import search as matching
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    country,
    publisher,
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
    return list(matching(queryset or Publication.objects.published(), query)[0])


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


def saved(publication, commit):
    """The publication's admin save with its links and inlines, committed."""
    services.save_publication(publication=publication, user=publisher())
    commit()


@postgres_only
def test_tags_and_country_names_are_searchable_after_they_are_added(commit):
    publication = PublicationFactory(title="A statement", standfirst="", body="")
    assert search("Nepal") == []

    publication.countries.add(country("NP"))
    publication.tags.add("Freedom of assembly")
    saved(publication, commit)

    assert search("Nepal") == [publication]
    assert search("assembly") == [publication]

    publication.tags.clear()
    saved(publication, commit)
    assert search("assembly") == []


def test_signatories_names_acronyms_partners_and_other_co_signers_are_searchable(commit):
    """Both databases: the vector on PostgreSQL, the contains fallback on SQLite."""
    lawyers = MemberOrganisationFactory(name="Thai Lawyers for Rights", acronym="TLHR")
    partner = PartnerOrganisationFactory(name="CIVICUS")
    publication = PublicationFactory(title="A statement", standfirst="", body="")
    assert search("Lawyers") == []

    publication.signatures.create(member=lawyers, order=1)
    publication.signatures.create(partner=partner, order=2)
    publication.co_signers = "Quetzal Solidarity Circle"
    saved(publication, commit)

    for words in ("thai lawyers", "TLHR", "civicus", "quetzal solidarity"):
        assert search(words) == [publication], words
    publication.signatures.filter(partner=partner).delete()
    saved(publication, commit)
    assert search("civicus") == []


@postgres_only
def test_renaming_a_member_or_a_partner_updates_the_vectors_of_what_they_signed(commit):
    member = MemberOrganisationFactory(name="Old Name Centre")
    partner = PartnerOrganisationFactory(name="Old Alliance")
    publication = PublicationFactory(title="A statement", signatories=[member, partner])

    member.name = "Renamed Legal Aid Centre"
    member_services.save_member(member=member, user=publisher())
    partner.name = "Brandnew Alliance"
    partner.save()
    events.changed(partner)  # as its admin save does (forumasia/workflow_admin.py)
    commit()

    assert search("Renamed Legal") == [publication]
    assert search("Brandnew") == [publication]


@postgres_only
def test_renaming_a_country_updates_the_vectors_of_its_publications(commit):
    place = country("LA")
    publication = PublicationFactory(title="A statement", countries=[place])

    place.name = "Lao People's Democratic Republic"
    member_services.save_country(country=place)
    commit()

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

    results, count, correction = matching(Publication.objects.published(), "Cambodja")

    assert list(results) == [publication] and count == 1
    assert correction == "cambodia"


@postgres_only
def test_a_typo_is_corrected_to_public_themes_only(client):
    PublicationFactory(title="Land defenders", tags=["Kleptocracy watch"])
    PublicationFactory(title="Embargoed", status="draft", tags=["Oligarchy files"])

    _, _, correction = matching(Publication.objects.published(), "Kleptocrasy")
    draft_only = client.get("/search/", {"q": "Oligarchi"}).content.decode()

    assert correction == "kleptocracy"
    assert "oligarchy" not in draft_only.lower() and "Showing results for" not in draft_only


@postgres_only
def test_a_correct_word_is_not_corrected():
    PublicationFactory(title="Cambodia: free the land defenders", countries=[country("KH")])

    results, _, correction = matching(Publication.objects.published(), "cambodia")

    assert correction is None
    assert len(results) == 1


def found_by_every_word(query, words_found):
    """Whether full text finds a publication holding `words_found` by `query`'s words: every
    word, the last one also as a prefix (a query with nothing to search for finds all)."""
    words = search_terms(query)
    if not is_searchable(query):
        return True
    *whole, last = words
    prefix = len(last) >= 2
    return set(whole) <= words_found and any(
        word.startswith(last) if prefix else word == last for word in words_found
    )


@postgres_only
@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_searched_as_their_words(query):
    publication = PublicationFactory(
        title="Land rights", standfirst="", body="<p>Land & rights</p>", co_signers=""
    )

    expected = [publication] if found_by_every_word(query, {"land", "rights"}) else []
    assert search(query) == expected  # and no tsquery syntax error
    assert Publication.objects.exists()


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
def test_sqlite_fallback_searches_hostile_queries_as_their_words(query):
    publication = PublicationFactory(title="Land rights", standfirst="", body="", co_signers="")

    text = "land rights"
    expected = not is_searchable(query) or all(word in text for word in search_terms(query))
    assert search(query) == ([publication] if expected else [])
    assert Publication.objects.exists()


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


def test_the_search_selector_gives_a_page_of_one_card_per_group_the_count_and_correction():
    english = PublicationFactory(title="Detention report", language="en")
    PublicationFactory(title="Detention report in Thai", language="th", translation_of=english)
    thai = PublicationFactory(title="Detention in Bangkok", language="th")
    PublicationFactory(title="Detention in Bangkok, English", language="en", translation_of=thai)
    PublicationFactory(title="Detention elsewhere", language="km")
    PublicationFactory(title="Elections", language="en")
    public = Publication.objects.published()

    found = [
        search_publications(query="detention", publications=public, page=number, per_page=2)
        for number in (1, 2)
    ]

    titles = sorted(card.title for page, _, _ in found for card in page)
    assert titles == ["Detention elsewhere", "Detention in Bangkok, English", "Detention report"]
    assert [len(page) for page, _, _ in found] == [2, 1]
    assert [(count, correction) for _, count, correction in found] == [(3, None)] * 2
    assert found[0][0].has_next() and not found[1][0].has_next()
    with pytest.raises(InvalidPage):
        search_publications(query="detention", publications=public, page=3, per_page=2)


@postgres_only
def test_the_search_selector_says_which_words_it_searched_instead():
    publication = PublicationFactory(title="Land defenders", countries=[country("KH")])

    page, count, correction = search_publications(
        query="Cambodja", publications=Publication.objects.published(), page=1, per_page=20
    )

    assert (list(page), count, correction) == ([publication], 1, "cambodia")


# --- suggestions come from public rows only ---------------------------------------------------

# Every way a publication is not public.
NOT_PUBLIC = {
    "draft": lambda now: {"status": "draft"},
    "in review": lambda now: {"status": "review"},
    "scheduled": lambda now: {"publish_at": now + timedelta(days=2)},
    "unpublished": lambda now: {"status": "unpublished"},
    "expired": lambda now: {
        "publish_at": now - timedelta(days=3),
        "unpublish_at": now - timedelta(hours=1),
    },
}
# Where a word can hide in a publication that is not public (and in the rows only it uses).
PLANTED_FIELDS = [
    "title",
    "standfirst",
    "body",
    "co_signers",
    "media_contact",
    "featured_image_alt",
    "featured_image_caption",
    "featured_image_credit",
    "gallery alt text",
    "gallery caption",
    "gallery credit",
    "attachment title",
    "theme",
    "partner",
]


# Made-up words nothing else on the site contains: "zq", a letter of its own for each word,
# then eight different letters other than "z" (names, not runs of one letter). No word, nor a
# misspelling of one (`typos()`), contains another.
def planted_words(count):
    return st.lists(
        st.permutations(string.ascii_lowercase[:-1]).map(lambda letters: "".join(letters[:8])),
        min_size=count,
        max_size=count,
    ).map(lambda parts: [f"zq{string.ascii_lowercase[i]}{part}" for i, part in enumerate(parts)])


def plant(words, state, *, now, member):
    """A publication in `state` carrying one of `words` in each of PLANTED_FIELDS."""
    word = dict(zip(PLANTED_FIELDS, words, strict=True))
    publication = PublicationFactory(
        title=f"Statement {word['title']}",
        standfirst=f"Summary {word['standfirst']}.",
        body=f"<p>Body {word['body']}.</p>",
        co_signers=f"Alliance {word['co_signers']}",
        media_contact=f"Call {word['media_contact']}",
        featured_image_alt=f"Photo {word['featured_image_alt']}",
        featured_image_caption=f"Caption {word['featured_image_caption']}",
        featured_image_credit=f"Credit {word['featured_image_credit']}",
        countries=[country("TH")],
        tags=[f"Theme {word['theme']}"],
        signatories=[member, PartnerOrganisationFactory(name=f"Partner {word['partner']}")],
        **NOT_PUBLIC[state](now),
    )
    GalleryImageFactory(
        publication=publication,
        alt_text=f"Photo {word['gallery alt text']}",
        caption=f"Caption {word['gallery caption']}",
        credit=f"Credit {word['gallery credit']}",
    )
    AttachmentFactory(publication=publication, title=f"Report {word['attachment title']}")
    return publication


def public_answers(client, member, queries):
    """Every public page a planted word could leak to: lists, feeds, sitemaps, home, the member
    and country pages of its signatories and countries, and searches for `queries`."""
    paths = [
        "/",
        "/publications/",
        "/statements/",
        "/publications/?country=th",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/sitemap-publications.xml",
        "/members/",
        member.get_absolute_url(),
        "/countries/th/",
    ]
    for path in paths:
        yield path, client.get(path)
    for query in queries:
        yield f"/search/?q={query}", client.get("/search/", {"q": query})


def typos(word):
    """Misspellings a reader might type: the last letter changed ("Zarqawy" for "Zarqawi", the
    kind the correction is made for), a letter in the middle changed, two swapped, one left out
    (never a letter added, which would contain the word itself)."""
    middle = len(word) // 2
    changed = "z" if word[middle] != "z" else "y"
    return [
        word[:-1] + "z",
        word[:middle] + changed + word[middle + 1 :],
        word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :],
        word[:middle] + word[middle + 1 :],
    ]


def body_of(response):
    return (b"".join(response) if response.streaming else response.content).decode().lower()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(words=planted_words(len(PLANTED_FIELDS)), state=st.sampled_from(sorted(NOT_PUBLIC)))
def test_no_public_page_shows_a_word_only_a_non_public_publication_holds(client, words, state):
    with rolled_back():
        member = MemberOrganisationFactory(country=country("TH"))
        PublicationFactory(
            title="A public statement", signatories=[member], countries=[country("TH")]
        )
        plant(words, state, now=timezone.now(), member=member)
        echoes = body_of(client.get("/search/", {"q": "zzzzzzzzz"})).count("zzzzzzzzz")

        for path, response in public_answers(client, member, words):
            assert response.status_code < 500, path
            shown = body_of(response)
            # A search page repeats what was asked (the search box, "no results for"), and
            # nothing more.
            asked = parse_qs(urlsplit(path).query).get("q", [""])[0]
            leaked = [word for word in words if shown.count(word) > echoes * (word == asked)]
            assert not leaked, (state, path)
            if asked:
                assert not response.context["page_obj"].object_list, (state, path)


@contextlib.contextmanager
def rolled_back():
    """Each generated example starts from the same rows (planted names are unique ones), and
    an empty cache (the rows are written without change events)."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@postgres_only
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(words=planted_words(len(PLANTED_FIELDS) + 1), state=st.sampled_from(sorted(NOT_PUBLIC)))
def test_a_typo_is_never_corrected_to_a_word_only_a_non_public_publication_holds(
    client, words, state
):
    """ "Showing results for …" suggests public names only: a partner of a public statement is
    suggested (so corrections do happen here), nothing from a publication that is not public."""
    with rolled_back():
        member = MemberOrganisationFactory(country=country("TH"))
        public_word, *hidden = words
        PublicationFactory(
            title="A public statement",
            signatories=[member, PartnerOrganisationFactory(name=f"Partner {public_word}")],
        )
        plant(hidden, state, now=timezone.now(), member=member)

        corrected = client.get("/search/", {"q": typos(public_word)[0]})
        assert corrected.context["search_correction"] == public_word
        for typo in [typo for word in hidden for typo in typos(word)]:
            response = client.get("/search/", {"q": typo})
            shown = body_of(response)
            leaked = [word for word in hidden if word in shown]
            assert not leaked, (state, typo, leaked, response.context["search_correction"])
            assert response.context["search_correction"] is None, (state, typo)
