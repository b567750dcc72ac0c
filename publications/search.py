"""Site search over publications: PostgreSQL full text, with a plain fallback on SQLite.

The list and search pages call the selector `search_publications()` (a page of cards, their
count and the correction); the admin's changelist calls `search()`; the search page's template
filters show the matches (`highlight`, `mark_words`). This module imports the models, never the
other way round.

- The stored `search_vector` (publications/models.py: `search_vector()`) holds title (weight
  A), standfirst, tags, country names and the signatories' names (members' names and
  acronyms, partners, other co-signers) (B) and the stored `body_text` (C).
  `refresh_search_vectors()` writes it once per editorial action, after its transaction
  commits, for the publications the action wrote or whose countries, themes, members or
  partners it changed (forumasia/events.py, publications/apps.py), and for all rows in
  `manage.py rebuild_search_index`.
- Text search configuration 'simple' (lower-casing, no stemming, no stop words), chosen
  deliberately: publications are in English and 24 Asian languages, and most searches are for
  names of people, places and organisations. English stemming would mangle those and the
  non-English texts; instead the last word typed is matched as a prefix ("defender" finds
  "defenders"), which also gives results while someone is still typing.
- The visitor's text never reaches to_tsquery as written. It is cut into words (runs of
  letters, marks and digits: everything tsquery treats as an operator is punctuation and is
  dropped; forumasia/text.py, the words member search uses too), each word is quoted, and the
  words are joined with &. Empty, one-character, 1,000-character and punctuation-only queries
  therefore cannot raise a syntax error.
- Thai, Lao, Burmese and Khmer are written without spaces between words, so the parser keeps
  a whole phrase as one "word" and a word from the middle of it is not in the vector. A word in
  those scripts is found as a substring of the stored `unspaced_text` (the runs of those
  scripts in the title, standfirst, body and co-signers; publications/models.py), through a
  pg_trgm GIN index, or in the vector (as a prefix: themes', countries' and signatories' names).
  A substring search finds every occurrence, where a dictionary segmenter (ICU's word break)
  splits a compound such as สิทธิมนุษยชน ("human rights") its own way and misses a word
  inside it; it needs no system library either. Each such word in the title adds 1 to the
  rank (the other words' ts_rank), and they are marked in the title and in a snippet cut
  around the first of them. Words in spaced scripts take the route above, unchanged.
- Typos: when the words match nothing, each word is compared (pg_trgm) with the names public
  pages show (countries, themes, members, partners; `known_word()`); "Cambodja" is searched
  as "Cambodia".
- Bounded: a search ranks the newest RANKED_WINDOW matches only (best match first among them,
  "more than 500 results" beyond), so a word found in most of the archive costs the same as
  a rare one.
- Highlighting: ts_headline marks matches with two private-use characters; `highlight()`
  escapes the whole text and only then turns those into <mark> elements, so nothing from a
  publication is ever marked safe unescaped.
"""

import difflib
import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Concat, Greatest, Replace, StrIndex, Substr
from django.utils.html import escape
from django.utils.safestring import mark_safe

from forumasia.text import is_searchable, search_terms
from members.models import MemberOrganisation

from .models import (
    CARD_LANGUAGE,
    SEARCH_CONFIG,
    UNSPACED_SCRIPTS,
    UNSPACED_SOURCES,
    Publication,
    Signature,
    card_language,
    unspaced_text,
)
from .pagination import CappedPaginator
from .queries import named_countries, public_partners, public_tags

CONFIG = SEARCH_CONFIG
# Full-text results are ranked among the newest RANKED_WINDOW matching publications.
RANKED_WINDOW = 500
# Private-use characters: they cannot come from a visitor's query (dropped as non-letters).
START, STOP = "\ue000", "\ue001"
# A snippet for words in scripts without spaces: SNIPPET_LENGTH characters of the standfirst
# and body, from SNIPPET_LEAD characters before the first of them.
SNIPPET_LEAD, SNIPPET_LENGTH = 80, 280
UNSPACED_CHARACTER = re.compile(f"[{UNSPACED_SCRIPTS}]")


def is_postgres():
    return connection.vendor == "postgresql"


# --- the visitor's words as a tsquery -------------------------------------------------------


def is_unspaced(word):
    """Whether `word` is written in a script without spaces (Thai, Lao, Burmese, Khmer)."""
    return UNSPACED_CHARACTER.search(word) is not None


def split_words(words):
    """(words in spaced scripts, words in scripts without spaces), each in the query's order."""
    unspaced = [word for word in words if is_unspaced(word)]
    return [word for word in words if word not in unspaced], unspaced


def tsquery_text(words):
    """'a' & 'b' & 'c':* — every word quoted, the last one also as a prefix."""
    parts = [f"'{word}'" for word in words]
    if words and len(words[-1]) >= 2:
        parts[-1] += ":*"
    return " & ".join(parts)


# --- the stored vector -------------------------------------------------------------------------


def refresh_search_vectors(publications):
    """Rewrite the vector of every row of the `publications` queryset in one UPDATE
    (models.search_vector(), over the stored body text); 0 on SQLite."""
    return publications.refresh_search_vectors()


REBUILD_BATCH_SIZE = 5000


def rebuild_search_index(*, batch_size: int = REBUILD_BATCH_SIZE) -> int:
    """Rewrite the vector (and the text in scripts without spaces) of every publication,
    `batch_size` rows by primary key per UPDATE; return how many (0 on SQLite, which has no
    vectors)."""
    if not is_postgres():
        return 0
    batch_size = batch_size if batch_size >= 1 else REBUILD_BATCH_SIZE
    ids = Publication.objects.order_by("pk").values_list("pk", flat=True)
    total = last = 0
    while batch := list(ids.filter(pk__gt=last)[:batch_size]):
        rows = Publication.objects.filter(pk__gte=batch[0], pk__lte=batch[-1])
        total += refresh_search_vectors(rows)
        refresh_unspaced_texts(rows)
        last = batch[-1]
    return total


def refresh_unspaced_texts(publications):
    """Rewrite `unspaced_text` (which save() writes) for the rows of `publications` that hold a
    character of the scripts without spaces or held one: the rest are read by the database's
    regular expression only. Returns how many were written."""
    has_script = ~Q(unspaced_text="")
    for name in UNSPACED_SOURCES:
        has_script |= Q(**{f"{name}__regex": UNSPACED_CHARACTER.pattern})
    rows = list(publications.filter(has_script).only(*UNSPACED_SOURCES))
    for row in rows:
        row.unspaced_text = unspaced_text(*(getattr(row, name) for name in UNSPACED_SOURCES))
    return Publication.objects.bulk_update(rows, ["unspaced_text"], batch_size=500)


# --- searching ---------------------------------------------------------------------------------


def known_word(word):
    """The name word the public site shows that is closest to `word` (pg_trgm, then difflib),
    or None. A correction ("Showing results for …") is itself a public answer, so its words
    come from public rows only: countries, themes and partners named on a public page
    (publications/queries.py), current members; never a name only drafts, scheduled or
    withdrawn items know."""
    if len(word) < 4:
        return None
    vocabularies = [
        named_countries(),
        public_tags(),
        MemberOrganisation.objects.active(),
        public_partners(),
    ]
    first, *others = (
        names.filter(name__trigram_word_similar=word).values_list("name", flat=True)
        for names in vocabularies
    )
    names = first.union(*others)
    candidates = {candidate for name in names for candidate in search_terms(name)}
    best = difflib.get_close_matches(word, candidates, n=1, cutoff=0.75)
    return best[0] if best and best[0] != word else None


def search(publications, query, *, cards=False, headlines=True):
    """(results, count, correction): the `publications` matching `query`, best match first,
    with `search_title`/`search_snippet` headlines on PostgreSQL (unless `headlines` is False:
    the admin lists titles only), only the cards (one per translation group) when `cards` is
    True; how many results, when known without counting (else None); the corrected words
    when the words as typed matched nothing (else None). Full text on PostgreSQL, a plain
    contains search on SQLite. A query with nothing to search for leaves `publications` as
    they are."""
    if not is_searchable(query):
        return (publications.one_per_group() if cards else publications), None, None
    words = search_terms(query)
    if not is_postgres():
        results = fallback_search(publications, words)
        return (results.one_per_group() if cards else results), None, None

    found = matching_rows(publications, words)
    correction = None
    if not found:
        corrected = [known_word(word) or word for word in words]
        if corrected != words:
            words, correction = corrected, " ".join(corrected)
            found = matching_rows(publications, words)
    ids = card_ids(found) if cards else [row[0] for row in found]
    return full_text(publications, words, ids, headlines=headlines), len(ids), correction


def search_publications(*, query, publications, page, per_page):
    """The search selector: (page, count, correction) for page number `page` of the cards of
    `publications` (already narrowed by the list's other filters) matching `query`, one per
    translation group, best match first; `count` is the number of cards, capped at
    RANKED_WINDOW on PostgreSQL (`page.paginator.is_capped`). InvalidPage for a page that is
    not there."""
    results, count, correction = search(publications, query, cards=True)
    paginator = CappedPaginator(results, per_page, cap=RANKED_WINDOW if is_postgres() else None)
    if count is not None:
        paginator.count = count
    return paginator.page(page), paginator.count, correction


def search_query(words):
    return SearchQuery(tsquery_text(words), search_type="raw", config=CONFIG)


def matching_rows(publications, words):
    """(id, translation key, language, original's id) of the newest RANKED_WINDOW + 1
    `publications` matching `words` (+1, so the page can say "more than"), newest first: one
    query.

    Ranking reads every candidate's vector: for a word in most of the archive that is the
    whole table (~400 ms at 100,000), so only these are ranked; they are found newest first
    along the publish-time index for a common word, through the GIN index for a rare one.
    Read once here, as a list, they serve the typo check (none found), the cards (one per
    translation group among them, card_ids()) and their count, without the search being run
    again in each of those queries."""
    spaced, unspaced = split_words(words)
    matches = Q(search_vector=search_query(spaced)) if spaced else Q()
    for word in unspaced:
        matches &= Q(unspaced_text__contains=word) | Q(search_vector=search_query([word]))
    if any(ord(char) > 0x24F for word in spaced for char in word):
        # Other scripts written without spaces between words (Chinese, Japanese) are indexed in
        # long runs; a title containing the text also counts. (Not for the scripts above: their
        # words are in `unspaced_text`, whose index this unindexed condition would defeat.)
        phrase = " ".join(words)
        matches |= Q(title__icontains=phrase)
    return list(
        publications.filter(matches)
        .order_by("-publish_at", "-pk")
        .values_list("pk", "translation_key", "language", "translation_of")[: RANKED_WINDOW + 1]
    )


def card_ids(found):
    """The ids of the cards among the `found` rows (matching_rows()): in each translation group,
    the member `Publication.objects.one_per_group()` would keep among them: the one in the
    page's language, else in CARD_LANGUAGE, else the original, else the earliest translation."""
    page_language = card_language()
    best = {}
    for pk, key, language, translation_of in found:
        rank = (
            language != page_language,
            language != CARD_LANGUAGE,
            translation_of is not None,
            pk,
        )
        best[key] = min(best.get(key, rank), rank)
    return [rank[-1] for rank in best.values()]


def full_text(publications, words, ids, *, headlines=True):
    """The publications `ids` (card_ids()) of `publications`, best match first, with their
    headlines unless `headlines` is False."""
    spaced, unspaced = split_words(words)
    tsquery = search_query(spaced) if spaced else None
    rank = SearchRank(F("search_vector"), tsquery) if spaced else Value(0.0)
    for word in unspaced:
        rank += Case(When(title__contains=word, then=Value(1.0)), default=Value(0.0))
    ranked = publications.filter(pk__in=ids).annotate(search_rank=rank)
    if not headlines:
        return ranked.order_by("-search_rank", "-publish_at", "-pk")
    text = Concat("standfirst", Value(" "), "body_text", output_field=TextField())
    if spaced:
        title = SearchHeadline(
            "title",
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            highlight_all=True,
        )
        snippet = SearchHeadline(
            text,
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    else:
        title = F("title")
        start = Greatest(StrIndex(text, Value(unspaced[0])) - SNIPPET_LEAD, 1)
        snippet = Substr(text, start, SNIPPET_LENGTH)
    for word in sorted(unspaced, key=len, reverse=True):
        title, snippet = mark(title, word), mark(snippet, word)
    return ranked.annotate(search_title=title, search_snippet=snippet).order_by(
        "-search_rank", "-publish_at", "-pk"
    )


def mark(expression, word):
    """The text `expression` with `word` between the match markers, as ts_headline marks."""
    return Replace(expression, Value(word), Value(START + word + STOP), output_field=TextField())


def fallback_search(publications, words):
    """SQLite (the zero-set-up default): every word in the title, summary, body text or a
    signatory's name."""
    for word in words:
        signatory = Signature.objects.filter(publication=OuterRef("pk")).filter(
            Q(member__name__icontains=word)
            | Q(member__acronym__icontains=word)
            | Q(partner__name__icontains=word)
        )
        publications = publications.filter(
            Q(title__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body_text__icontains=word)
            | Q(co_signers__icontains=word)
            | Exists(signatory)
        )
    return publications


def mark_words(text, query):
    """`text` escaped, with the query's words in <mark> (case-insensitive): the highlighting
    of the SQLite fallback, which has no ts_headline."""
    words = sorted(search_terms(query), key=len, reverse=True)
    if not text or not words:
        return escape(text or "")
    pattern = re.compile("(" + "|".join(re.escape(word) for word in words) + ")", re.IGNORECASE)
    parts = pattern.split(text)
    return mark_safe(  # noqa: S308 - every part is escaped; only our <mark> tags are added
        "".join(
            f"<mark>{escape(part)}</mark>" if index % 2 else escape(part)
            for index, part in enumerate(parts)
        )
    )


def highlight(text):
    """Escape `text` (a headline) and turn the match markers into <mark> elements."""
    if not text:
        return ""
    escaped = escape(text.replace("\x00", ""))
    return mark_safe(  # noqa: S308 - everything but our own <mark> tags is escaped above
        escaped.replace(START, "<mark>").replace(STOP, "</mark>")
    )
