"""Comparing versions (forumasia/history.py): the two sides of a diff say exactly the old and
the new text, escaped, with only the changed words marked."""

import re
from html import unescape

from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia.history import html_text, list_diff, word_diff

MARKS = re.compile(r"</?(?:ins|del)>")
words = st.lists(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=0, max_size=12),
    max_size=12,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(old=words, new=words)
def test_each_side_is_its_text_escaped_with_only_marks_added(old, new):
    left, right = word_diff(old, new)

    assert unescape(MARKS.sub("", left)) == old
    assert unescape(MARKS.sub("", right)) == new
    assert "<ins>" not in left and "<del>" not in right
    assert "<" not in MARKS.sub("", left + right)


def test_only_the_changed_words_are_marked():
    left, right = word_diff("The army must release them", "The police must release them")

    assert left == "The <del>army</del> must release them"
    assert right == "The <ins>police</ins> must release them"


def test_html_is_compared_as_the_text_a_reader_sees_with_images_and_link_addresses():
    text = html_text(
        '<p>Read <a href="https://example.org/r">the report</a>.</p>'
        '<p><img src="/media/a.jpg" alt="Crowd"></p><ul><li>One</li></ul>'
    )

    assert text.splitlines() == [
        "Read the report (https://example.org/r).",
        "[image /media/a.jpg: Crowd]",
        "• One",
    ]


def test_a_reordered_list_marks_what_moved():
    left, right = list_diff(["INSEC", "LICADHO", "TLHR"], ["LICADHO", "INSEC", "TLHR"])

    assert left == "<ol><li>INSEC</li><li><del>LICADHO</del></li><li>TLHR</li></ol>"
    assert right == "<ol><li><ins>LICADHO</ins></li><li>INSEC</li><li>TLHR</li></ol>"
