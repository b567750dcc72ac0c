"""Hypothesis strategies for what a hostile visitor types into the newsletter forms."""

import unicodedata

from hypothesis import strategies as st

# Characters that split or smuggle header lines, hide text, or change how it reads.
BREAKING_CHARACTERS = list('\x00\x01\x09\x0a\x0b\x0c\x0d\x1c\x1f\x7f\x85"\\ ') + [
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u3000",
    "\u200b",
    "\u200d",
    "\u2060",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\ue000",
    "\r\nBcc: list@evil.example",
]


def _insert(text, piece, position):
    position %= len(text) + 1
    return text[:position] + piece + text[position:]


def _quoted(local, piece, domain):
    return f'"{local}{piece}"@{domain}'


addresses_with_breaking_characters = st.one_of(
    st.builds(
        _insert,
        st.emails(),
        st.sampled_from(BREAKING_CHARACTERS),
        st.integers(min_value=0, max_value=300),
    ),
    st.builds(
        _quoted,
        st.text(alphabet="abcxyz.-_", max_size=10),
        st.sampled_from(BREAKING_CHARACTERS),
        st.sampled_from(["example.org", "bücher.example", "xn--bcher-kva.example"]),
    ),
)
hostile_addresses = st.one_of(
    addresses_with_breaking_characters,
    st.emails(),
    st.text(max_size=300),
    st.builds(
        lambda local, domain: f"{local}@{domain}", st.text(max_size=70), st.text(max_size=70)
    ),
)


def has_breaking_character(address):
    return any(unicodedata.category(c)[0] in "CZ" or c in '"\\' for c in address)
