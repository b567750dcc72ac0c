"""forumasia/text.py: what XML 1.0 and HTML text cannot carry is removed, nothing else; search
text is cut into words of any script, without any operator."""

import unicodedata
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia.text import clean_text, is_searchable, one_line, search_terms


def test_word_line_and_page_breaks_become_spaces_and_other_controls_go():
    assert clean_text("Free\x0bthe\x0cfive") == "Free the five"
    assert clean_text("A\x00B\x01C\x1fD\x7fE\x85F\ud800G\ufffeH") == "ABCDEFGH"


def test_tabs_newlines_and_every_script_are_kept():
    text = "Line one\nline two\r\n\tสิทธิมนุษยชน ព្រះរាជាណាចក្រ 人权 ٢٠٢٤ 😀"
    assert clean_text(text) == text


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=50))
def test_any_cleaned_text_is_xml_text(text):
    element = ET.Element("t")
    element.text = clean_text(text)

    parsed = ET.fromstring(ET.tostring(element, encoding="unicode"))  # noqa: S314 - ours

    # XML parsers normalise line ends (XML 1.0, 2.11); nothing else may change.
    expected = clean_text(text).replace("\r\n", "\n").replace("\r", "\n")
    assert (parsed.text or "") == expected


def test_search_terms_keep_words_of_any_script_and_drop_every_operator():
    assert search_terms("Land & rights | !defenders :* 'Cambodia'") == [
        "land",
        "rights",
        "defenders",
        "cambodia",
    ]
    assert search_terms("สิทธิมนุษยชน, ប្រទេសកម្ពុជា") == ["สิทธิมนุษยชน", "ប្រទេសកម្ពុជា"]
    assert search_terms("& | ! :* ' \" \x00") == []


def test_long_queries_are_cut_to_a_few_short_words():
    words = search_terms(" ".join(f"word{n}" for n in range(100)) + " " + "y" * 500)
    assert len(words) == 8
    assert all(len(word) <= 50 for word in words)


def test_one_letter_or_only_punctuation_is_nothing_to_search_for():
    assert not is_searchable("")
    assert not is_searchable("a !")
    assert not is_searchable("& | ! :*")
    assert is_searchable("ab")
    assert is_searchable("a b")


def test_one_line_turns_tabs_and_line_breaks_into_spaces_and_drops_other_controls():
    assert one_line("Lan\tNguyễn\r\nThị\u2028Lan\x1b[2J\x07") == "Lan Nguyễn  Thị Lan[2J"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=50))
def test_one_line_text_has_no_control_character_or_line_break(text):
    line = one_line(text)

    assert not any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in line)
