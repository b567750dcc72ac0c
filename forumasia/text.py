"""Plain text every output can carry: HTML pages, feeds (XML 1.0) and the database.

Text pasted from Word brings U+000B (a manual line break) and U+000C (a page break); other
control characters arrive from old imports or hostile query strings. XML 1.0 forbids them
(a feed containing one is not XML at all), HTML treats them as parse errors and PostgreSQL
refuses NUL. `clean_text` is applied where text enters (model saves, query-string forms) and
again where it leaves for XML (the feeds), so rows stored before cleaning cannot break a feed.
"""

import re

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
