"""Site search over publications: PostgreSQL full text, with a plain fallback on SQLite.

Searching is `Publication.objects.search(query)`, which calls `apply_search()` here; besides,
the list view sizes its paginator with `is_postgres()` and RANKED_WINDOW, the search page's
template filters show the matches (`highlight`, `mark_words`), and each editorial action's
change event calls `refresh_search_vectors()` (forumasia/events.py, publications/apps.py).

- The stored `search_vector` holds title (weight A), standfirst, tags, country names and the
  signatories' names (members' names and acronyms, partners, other co-signers) (B) and the
  body with its HTML stripped (C). `refresh_search_vectors()` writes it once per editorial
  action, after its transaction commits, for the publications the action wrote or whose
  countries, themes, members or partners it changed (publications/apps.py), and for all rows
  in `manage.py rebuild_search_index`. The admin's changelist searches the same index
  (publications/admin_search.py).
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

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape
from django.utils.safestring import mark_safe

from forumasia.text import is_searchable, search_terms

CONFIG = "simple"
# Full-text results are ranked among the newest RANKED_WINDOW matching publications.
RANKED_WINDOW = 500
# Private-use characters: they cannot come from a visitor's query (dropped as non-letters).
START, STOP = "\ue000", "\ue001"


def is_postgres():
    return connection.vendor == "postgresql"


# --- the visitor's words as a tsquery -------------------------------------------------------


def tsquery_text(words):
    """'a' & 'b' & 'c':* — every word quoted, the last one also as a prefix."""
    parts = [f"'{word}'" for word in words]
    if words and len(words[-1]) >= 2:
        parts[-1] += ":*"
    return " & ".join(parts)


# --- the stored vector -------------------------------------------------------------------------


class StripTags(Func):
    """The HTML body as text: tags and entities replaced by spaces (for the index and snippets)."""

    template = (
        "regexp_replace(regexp_replace(%(expressions)s, '<[^>]*>', ' ', 'g'), "
        "'&[#a-zA-Z0-9]+;', ' ', 'g')"
    )
    output_field = TextField()


def vector_expression():
    from taggit.models import TaggedItem

    from .models import Publication, Signature

    tag_names = (
        TaggedItem.objects.filter(
            content_type__app_label="publications",
            content_type__model="publication",
            object_id=OuterRef("pk"),
        )
        .values("object_id")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    country_names = (
        Publication.countries.through.objects.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(names=StringAgg("country__name", " "))
        .values("names")
    )
    signatory_names = (
        Signature.objects.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(
            names=StringAgg(
                Concat(
                    Coalesce("member__name", "partner__name"),
                    Value(" "),
                    Coalesce("member__acronym", Value("")),
                    output_field=TextField(),
                ),
                " ",
            )
        )
        .values("names")
    )
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector(
            "standfirst",
            Subquery(tag_names, output_field=TextField()),
            Subquery(country_names, output_field=TextField()),
            Subquery(signatory_names, output_field=TextField()),
            "co_signers",
            weight="B",
            config=CONFIG,
        )
        + SearchVector(StripTags("body"), weight="C", config=CONFIG)
    )


def refresh_search_vectors(publications):
    """Rewrite the vector of every row of the `publications` queryset in one UPDATE."""
    if not is_postgres():
        return 0
    return publications.update(search_vector=vector_expression())


REBUILD_BATCH_SIZE = 5000


def rebuild_search_index(*, batch_size: int = REBUILD_BATCH_SIZE) -> int:
    """Rewrite the vector of every publication, `batch_size` rows by primary key per UPDATE;
    return how many (0 on SQLite, which has no vectors)."""
    from .models import Publication  # models import this module

    if not is_postgres():
        return 0
    batch_size = batch_size if batch_size >= 1 else REBUILD_BATCH_SIZE
    ids = Publication.objects.order_by("pk").values_list("pk", flat=True)
    total = last = 0
    while batch := list(ids.filter(pk__gt=last)[:batch_size]):
        total += refresh_search_vectors(
            Publication.objects.filter(pk__gte=batch[0], pk__lte=batch[-1])
        )
        last = batch[-1]
    return total


# --- searching ---------------------------------------------------------------------------------


def known_word(word):
    """The name word the public site shows that is closest to `word` (pg_trgm, then difflib),
    or None. A correction ("Showing results for …") is itself a public answer, so its words
    come from public rows only: countries, themes and partners named on a public page
    (publications/queries.py), current members; never a name only drafts, scheduled or
    withdrawn items know."""
    from members.models import MemberOrganisation

    from .queries import named_countries, public_partners, public_tags

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


def apply_search(queryset, query, *, headlines=True):
    """`queryset` narrowed to `query`, best first, with `search_title`/`search_snippet` (unless
    `headlines` is False: the admin lists titles only)."""
    if not is_searchable(query):
        return queryset
    words = search_terms(query)
    if not is_postgres():
        return fallback_search(queryset, words)

    found = matching_ids(queryset, words)
    correction = None
    if not found:
        corrected = [known_word(word) or word for word in words]
        if corrected != words:
            words, correction = corrected, " ".join(corrected)
            found = matching_ids(queryset, words)
    results = full_text(queryset, words, [pk for pk, _ in found], headlines=headlines)
    if correction is not None:
        results.search_correction = correction
    # One card per translation group among them (one_per_group(), applied by the caller over
    # the same ids): known here, so the page needs no count query.
    results.search_card_count = len({group for _, group in found})
    return results


def search_query(words):
    return SearchQuery(tsquery_text(words), search_type="raw", config=CONFIG)


def matching_ids(queryset, words):
    """(id, translation group) of the newest RANKED_WINDOW + 1 publications of `queryset`
    matching `words` (+1, so the page can say "more than"), newest first: one query.

    Ranking reads every candidate's vector: for a word in most of the archive that is the
    whole table (~400 ms at 100,000), so only these are ranked; they are found newest first
    along the publish-time index for a common word, through the GIN index for a rare one.
    Read once here, as a list, they serve the typo check (none found), the count of cards
    (their groups) and the page without the search being run again in each of those queries
    (and again in one_per_group()'s NOT EXISTS, which repeats the queryset's filters)."""
    from .models import translation_group  # models import this module

    matches = Q(search_vector=search_query(words))
    if any(ord(char) > 0x24F for word in words for char in word):
        # Scripts written without spaces between words (Thai, Khmer, Burmese, Chinese...) are
        # indexed in long runs; a title containing the text also counts.
        phrase = " ".join(words)
        matches |= Q(title__icontains=phrase)
    return list(
        queryset.filter(matches)
        .order_by("-publish_at", "-pk")
        .values_list("pk", translation_group())[: RANKED_WINDOW + 1]
    )


class IsAnyOf(Func):
    """`expression = ANY(%s)`, the values sent as one array parameter: 501 ids compile as one
    parameter instead of 501 (`pk__in`), in each query that repeats the filter."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def full_text(queryset, words, ids, *, headlines=True):
    """The publications `ids` (matching_ids()) of `queryset`, best match first, with their
    headlines unless `headlines` is False."""
    tsquery = search_query(words)
    if ids:
        found = IsAnyOf(F("pk"), Value(ids, output_field=ArrayField(BigIntegerField())))
        queryset = queryset.filter(found)
    else:
        queryset = queryset.filter(pk__in=[])
    ranked = queryset.annotate(search_rank=SearchRank(F("search_vector"), tsquery))
    if not headlines:
        return ranked.order_by("-search_rank", "-publish_at", "-pk")
    return ranked.annotate(
        search_title=SearchHeadline(
            "title",
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            highlight_all=True,
        ),
        search_snippet=SearchHeadline(
            Concat("standfirst", Value(" "), StripTags("body"), output_field=TextField()),
            tsquery,
            config=CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
    ).order_by("-search_rank", "-publish_at", "-pk")


def fallback_search(queryset, words):
    """SQLite (the zero-set-up default): every word in the title, summary, body or a
    signatory's name."""
    from .models import Signature

    for word in words:
        signatory = Signature.objects.filter(publication=OuterRef("pk")).filter(
            Q(member__name__icontains=word)
            | Q(member__acronym__icontains=word)
            | Q(partner__name__icontains=word)
        )
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(standfirst__icontains=word)
            | Q(body__icontains=word)
            | Q(co_signers__icontains=word)
            | Exists(signatory)
        )
    return queryset


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
