import re

from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia.sanitise import clean_html
from wordpress.content import autop, convert_body, parse_attributes

from .conftest import KHMER, THAI


def keep_links(url, element):
    return url


def no_media(url, element):
    return None


def test_paragraphs_and_line_breaks_are_rebuilt_as_wordpress_shows_them():
    text = "First paragraph,\nsame paragraph.\n\n\n\nSecond paragraph."
    assert (
        autop(text) == "<p>First paragraph,<br />\nsame paragraph.</p>\n<p>Second paragraph.</p>\n"
    )


def test_block_elements_are_not_wrapped_in_paragraphs():
    text = "Intro\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>Quoted</blockquote>"
    html = autop(text)
    assert "<p><ul>" not in html and "<p><li>" not in html
    assert "<blockquote><p>Quoted</p></blockquote>" in html
    assert html.startswith("<p>Intro</p>")


def test_preformatted_text_keeps_its_line_breaks():
    html = autop("Code:\n\n<pre>line 1\n\nline 2</pre>\n\nAfter")
    assert "<pre>line 1\n\nline 2</pre>" in html


def test_newlines_inside_tags_are_not_turned_into_breaks():
    html = autop('<a\nhref="https://example.org/">link</a> text')
    assert "<br" not in html


def test_block_editor_content_keeps_its_own_paragraphs():
    text = "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->"
    assert convert_body(text, resolve=keep_links).html == "<p>One\ntwo</p>"


def test_caption_becomes_a_figure_with_its_caption():
    text = (
        '[caption id="attachment_7" align="alignleft" width="300"]<a href="/x.jpg">'
        '<img src="/x-300x200.jpg" alt="Defenders" width="300" height="200" /></a> '
        "Defenders outside the court[/caption]"
    )
    html = convert_body(text, resolve=keep_links).html
    assert html.startswith('<figure><a href="/x.jpg"')
    assert '<img src="/x-300x200.jpg" alt="Defenders"' in html
    assert html.endswith("<figcaption>Defenders outside the court</figcaption></figure>")


def test_old_caption_attribute_form_is_read():
    text = '[caption caption="From the attribute"]<img src="/a.jpg" alt="" />[/caption]'
    assert (
        "<figcaption>From the attribute</figcaption>" in convert_body(text, resolve=keep_links).html
    )


def test_caption_whose_image_is_missing_keeps_its_text():
    text = '[caption]<img src="/gone.jpg" alt="" /> What it showed[/caption]'
    html = convert_body(text, resolve=no_media).html
    assert "What it showed" in html
    assert "<img" not in html


def test_gallery_is_lifted_out_with_its_ids_or_the_attached_images():
    body = convert_body('Photos:\n\n[gallery columns="2" ids="5, 6,7"]', resolve=keep_links)
    assert body.gallery_ids == [5, 6, 7]
    assert body.html == "<p>Photos:</p>"
    assert convert_body("[gallery]", resolve=keep_links).gallery_of_attached


def test_first_video_becomes_the_publication_video_others_links_in_document_order():
    text = (
        "Watch:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
        "[embed]https://vimeo.com/123456[/embed]\n\n"
        '<iframe src="https://www.youtube.com/embed/abcdefghijk" width="560"></iframe>'
    )
    body = convert_body(text, resolve=keep_links)
    assert body.video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert body.extra_videos == [
        "https://vimeo.com/123456",
        "https://www.youtube.com/embed/abcdefghijk",
    ]
    assert '<a href="https://vimeo.com/123456"' in body.html
    assert "<iframe" not in body.html
    assert "dQw4w9WgXcQ" not in body.html


def test_pages_keep_every_video_as_a_link():
    body = convert_body("https://vimeo.com/123456", resolve=keep_links, lift_first_video=False)
    assert body.video_url == ""
    assert '<a href="https://vimeo.com/123456"' in body.html


def test_unknown_shortcodes_are_removed_keeping_their_text_and_counted():
    text = (
        '[vc_row][vc_column width="1/2"][vc_column_text]Shutdowns cut people off.'
        '[/vc_column_text][/vc_column][/vc_row]\n\n[contact-form-7 id="3"]\n\n[divider /]'
        "[/et_pb_section]"
    )
    body = convert_body(text, resolve=keep_links)
    assert body.html == "<p>Shutdowns cut people off.</p>"
    assert body.unknown_shortcodes == {
        "vc_row": 1,
        "vc_column": 1,
        "vc_column_text": 1,
        "contact-form-7": 1,
        "divider": 1,
        "et_pb_section": 1,
    }


def test_bracketed_words_that_are_not_shortcodes_stay_text():
    text = "He said [sic] that [emphasis added] nothing happened [1]. [[caption]] is literal."
    body = convert_body(text, resolve=keep_links)
    assert body.html == (
        "<p>He said [sic] that [emphasis added] nothing happened [1]. [caption] is literal.</p>"
    )
    assert not body.unknown_shortcodes


def test_images_that_cannot_be_imported_are_removed_and_links_kept():
    text = '<img src="https://tracker.example/pixel.gif" alt="" /> <a href="https://un.org/">UN</a>'
    assert (
        convert_body(text, resolve=no_media).html
        == '<p> <a href="https://un.org/" rel="noopener noreferrer">UN</a></p>'
    )


def test_media_addresses_are_rewritten_to_the_new_files():
    text = (
        '<img src="https://old.example/wp-content/uploads/a.jpg" alt="A" /> '
        "<a href='/wp-content/uploads/r.pdf'>PDF</a>"
    )
    html = convert_body(text, resolve=lambda url, element: "/media/new" + url[-6:]).html
    assert '<img src="/media/new/a.jpg" alt="A">' in html
    assert '<a href="/media/new/r.pdf"' in html


def test_headings_outside_the_editor_range_are_mapped_not_merged():
    html = convert_body("<h1>Big</h1>\n<h6>Small</h6>", resolve=keep_links).html
    assert html == "<h2>Big</h2>\n<h4>Small</h4>"


def test_thai_and_khmer_text_survive():
    html = convert_body(f"{THAI}\n\n{KHMER}", resolve=keep_links).html
    assert html == f"<p>{THAI}</p>\n<p>{KHMER}</p>"


def test_scripts_and_event_handlers_are_removed_like_editor_input():
    text = '<script>alert(1)</script><p onclick="x()">Text</p><a href="javascript:alert(1)">x</a>'
    html = convert_body(text, resolve=keep_links).html
    assert "script" not in html and "onclick" not in html and "javascript" not in html


def test_shortcode_attributes_are_parsed_like_wordpress():
    assert parse_attributes(' id="a b" width=300 align=\'left\' "positional" flag') == {
        "id": "a b",
        "width": "300",
        "align": "left",
        0: "positional",
        1: "flag",
    }


SHORTCODE_NAMES = [
    "caption",
    "gallery",
    "embed",
    "video",
    "vc_row",
    "et_pb_text",
    "contact-form-7",
    "su_box",
]
shortcode = st.builds(
    lambda name, attrs, inner, closed: (
        f"[{name}{attrs}]{inner}[/{name}]" if closed else f"[{name}{attrs}]"
    ),
    st.sampled_from(SHORTCODE_NAMES),
    st.sampled_from(["", ' id="3"', " ids='1,2'", " width=300", ' src="https://vimeo.com/1"']),
    st.text(st.characters(blacklist_characters="[]"), max_size=30),
    st.booleans(),
)
fragment = st.one_of(
    st.text(max_size=40),
    shortcode,
    st.sampled_from(
        [
            "\n",
            "\n\n",
            "<p>",
            "</p>",
            "<img src=x>",
            "<pre>",
            "</pre>",
            "<br>",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(fragment, max_size=12).map("".join))
def test_any_body_converts_to_sanitised_html_without_shortcodes(text):
    body = convert_body(text, resolve=keep_links)
    assert clean_html(body.html) == body.html
    for name in SHORTCODE_NAMES:
        assert not re.search(rf"\[/?{re.escape(name)}[\s\]/]", body.html), body.html
    assert "\ue000" not in body.html
