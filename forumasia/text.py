"""Plain text every output can carry: HTML pages, feeds (XML 1.0) and the database; and the
words a visitor's search text is made of.

Text pasted from Word brings U+000B (a manual line break) and U+000C (a page break); other
control characters arrive from old imports or hostile query strings. XML 1.0 forbids them
(a feed containing one is not XML at all), HTML treats them as parse errors and PostgreSQL
refuses NUL. `clean_text` is applied where text enters (model saves, query-string forms) and
again where it leaves for XML (the feeds), so rows stored before cleaning cannot break a feed.
"""

import re
import unicodedata

# Word's line and page breaks separate words: they become spaces.
WORD_BREAKS = re.compile("[\x0b\x0c]")
# C0 controls other than tab, newline and carriage return; DEL and the C1 controls; UTF-16
# surrogates (only ever alone in a Python string); the non-characters U+FFFE and U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value):
    """`value` without the characters XML 1.0 and HTML text cannot carry."""
    if not value:
        return value
    return FORBIDDEN.sub("", WORD_BREAKS.sub(" ", value))


# Tab, line ends and Unicode's line and paragraph separators: what breaks a line of text.
LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")


def one_line(value):
    """`value` as one line of plain text (a name, an organisation): `clean_text`, with tabs and
    line breaks as spaces, so that a CSV cell or a terminal shows it as the person typed it."""
    if not value:
        return value
    return LINE_BREAKS.sub(" ", clean_text(value))


# A visitor's search text is cut into at most MAX_SEARCH_TERMS words of MAX_TERM_LENGTH, read
# from its first MAX_SEARCH_INPUT characters; under MIN_SEARCH_LENGTH letters there is nothing
# to search for.
MAX_SEARCH_INPUT = 300
MAX_SEARCH_TERMS = 8
MAX_TERM_LENGTH = 50
MIN_SEARCH_LENGTH = 2


def search_terms(query):
    """The words of `query`: runs of letters, combining marks (Thai, Khmer, Burmese vowels) and
    digits, lower-cased, without repeats. Everything else (operators of any query language,
    punctuation, controls) separates words and is dropped."""
    words, current = [], []
    for char in (query or "")[:MAX_SEARCH_INPUT] + " ":
        if unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            words.append("".join(current)[:MAX_TERM_LENGTH].lower())
            current = []
    return list(dict.fromkeys(words))[:MAX_SEARCH_TERMS]


def is_searchable(query):
    """Whether `query` has enough to search for: MIN_SEARCH_LENGTH letters across its words."""
    return sum(len(word) for word in search_terms(query)) >= MIN_SEARCH_LENGTH
