"""forumasia/sanitise.py: what cleaning a text would take away that a reader would miss, and
the images the public pages would block, so a form can refuse them by name. nh3 stays the
boundary: these tests read its own parse of the text, never a second opinion."""

from html import escape

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from forumasia.sanitise import RichTextValidator, clean_html, is_own_media, review_html
from tests.publications.test_sanitising import XSS_PAYLOADS

SITE = "http://127.0.0.1:8000"
OWN_IMAGES = [
    "/media/uploads/2025/05/march.jpg",
    f"{SITE}/media/uploads/march.jpg",
    "/media/uploads/march%20at%20dusk.jpg?v=2",
]
OUTSIDE_IMAGES = [
    "https://example.org/march.jpg",
    "//example.org/media/march.jpg",
    "/\\example.org/media/march.jpg",
    "\\\\example.org/media/march.jpg",
    "http://127.0.0.1.example.org:8000/media/march.jpg",
    "http://user@example.org/media/march.jpg",
    "https://127.0.0.1:8000/media/march.jpg",
    "/static/img/og-default.png",
    "uploads/march.jpg",
    "media/uploads/march.jpg",
]
REFUSED_ADDRESSES = [
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)"),
    ("&#106;avascript:alert(1)", "javascript:alert(1)"),
    ("java&#9;script:alert(1)", "javascript:alert(1)"),
    (" javascript:alert(1)", "javascript:alert(1)"),
    ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
    ("data:text/html,hello", "data:text/html,hello"),
    ("file:///C:/Users/editor/statement.docx", "file:///C:/Users/editor/statement.docx"),
]
PNG_DATA = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4"
WORD_HTML = """<p class=MsoNormal style='margin:0cm'><b><span lang=EN-GB
style='font-size:14.0pt;font-family:"Calibri",sans-serif'>Joint statement</span></b>
<o:p></o:p></p><div class="WordSection1"><font face="Arial"><i>on civic space</i></font></div>
<!--[if !supportLists]--><h1 id="top">Release the defenders</h1>
<p><a name="_Toc1"></a><a href="https://example.org/report" target="_blank">report</a></p>
<table border=1 cellpadding=0 style='border-collapse:collapse'><tr><td width=200
valign=top>cell</td></tr></table>"""


def named(html):
    """Every message a form would show for `html`, as one string."""
    return " ".join(review_html(html).messages(embed_advice="ADVICE", in_editor=True))


@pytest.mark.parametrize(
    "html, name",
    [
        ('<iframe src="https://www.youtube.com/embed/abc"></iframe>', "<iframe> from https://"),
        ('<object data="https://example.org/film.swf"></object>', "<object> from https://"),
        ('<embed src="https://example.org/film.swf">', "<embed> from https://"),
        ("<video controls></video>", "<video>"),
        ("<audio src=/media/a.mp3></audio>", "<audio> from /media/a.mp3"),
    ],
)
def test_an_embed_is_named_with_its_address_and_the_form_s_advice(html, name):
    message = named(f"<p>Watch this</p>{html}")

    assert message.startswith(f"Embedded content cannot be published in the text: {name}")
    assert "ADVICE" in message


@pytest.mark.parametrize(
    "html, name",
    [
        ("<script>alert(1)</script>", "<script>"),
        ("<style>p { color: red }</style>", "<style>"),
        ('<form action="/x"><p>Sign here</p></form>', "<form>"),
        ('<input value="name">', "<input>"),
        ("<button>Go</button>", "<button>"),
        ("<select><option>x</option></select>", "<select>"),
        ("<textarea>x</textarea>", "<textarea>"),
        ('<svg><circle r="2"></circle></svg>', "<svg>"),
        ("<math><mi>x</mi></math>", "<math>"),
        ("<canvas></canvas>", "<canvas>"),
        ("<template><p>x</p></template>", "<template>"),
        ('<link rel="stylesheet" href="/x.css">', "<link>"),
        ('<base href="https://example.org/">', "<base>"),
        ("<table><tr><td><script>x</script></td></tr></table>", "<script>"),
    ],
)
def test_code_styles_and_forms_are_named(html, name):
    assert named(f"<p>Before</p>{html}<p>After</p>").startswith(
        f"Scripts, styles, forms and drawings cannot be published in the text: {name}"
    )


@pytest.mark.parametrize(
    "html",
    [
        '<p onclick="go()">x</p>',
        "<img src=/media/a.jpg onerror=alert(1)>",
        '<a href="https://example.org/" onclick="alert(1)">x</a>',
        "<details open ontoggle=alert(1)>x</details>",
        "<span onmouseover=alert(1)>x</span>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ],
)
def test_event_handlers_are_named_wherever_they_are(html):
    assert "Script attributes cannot be published in the text: on" in named(html)


@pytest.mark.parametrize("written, as_read", REFUSED_ADDRESSES)
def test_links_with_a_refused_scheme_are_named_as_the_browser_reads_them(written, as_read):
    message = named(f'<p><a href="{written}">the report</a></p>')

    assert message.startswith(f"These addresses cannot be published: {as_read}.")


def test_images_pasted_as_data_are_counted_and_the_editor_is_told_how_to_upload_them():
    message = named(f'<p><img src="{PNG_DATA}" alt="a"><img src=" {PNG_DATA}" alt="b"></p>')

    assert message.startswith("2 images are inside the text as data (a data: address)")
    assert "Upload tab" in message
    assert "iVBOR" not in message


@pytest.mark.parametrize("src", OUTSIDE_IMAGES)
def test_each_image_that_is_not_our_own_media_is_named(src):
    html = f'<p><img src="{escape(src)}" alt="x"><img src="/media/ok.jpg" alt="y"></p>'

    assert named(html) == (
        f"Upload these images instead: {src}. Images from other sites are blocked on our "
        "pages: save each one and add it with the Image button's Upload tab, or paste the file."
    )


@pytest.mark.parametrize("src", OWN_IMAGES)
def test_our_own_media_is_kept_relative_or_on_the_site_s_address(src):
    html = f'<figure><img src="{escape(src)}" alt="x"><figcaption>c</figcaption></figure>'

    assert not review_html(html)
    assert is_own_media(src)


def test_with_media_on_object_storage_only_the_media_origin_is_our_own(settings):
    settings.MEDIA_URL = "https://media.forum-asia.example/bucket/media/"

    assert is_own_media("https://media.forum-asia.example/bucket/media/uploads/a.jpg")
    assert is_own_media("HTTPS://MEDIA.FORUM-ASIA.EXAMPLE/bucket/media/uploads/a.jpg")
    assert is_own_media("//media.forum-asia.example/bucket/media/uploads/a.jpg") is False
    assert not is_own_media("/media/uploads/a.jpg")
    assert not is_own_media("https://media.forum-asia.example/other-bucket/a.jpg")
    assert not is_own_media(f"{SITE}/media/uploads/a.jpg")


def test_every_outside_image_is_named_once_in_the_order_written():
    html = (
        '<img src="https://b.example/2.jpg"><p><img src="https://a.example/1.jpg"></p>'
        '<img src="https://b.example/2.jpg">'
    )

    assert review_html(html).outside_images == [
        "https://b.example/2.jpg",
        "https://a.example/1.jpg",
    ]


def test_long_addresses_are_shortened_in_messages():
    src = "https://example.org/" + "a" * 500 + ".jpg"

    (name,) = review_html(f'<img src="{src}">').outside_images

    assert len(name) == 100 and name.endswith("…") and name.startswith("https://example.org/aaa")


@pytest.mark.parametrize(
    "html",
    [
        WORD_HTML,
        '<p><span style="color:red" class="x" id="y" lang="th" dir="ltr">ข้อความ</span></p>',
        '<p><a title="t" href="https://example.org/">x</a></p>',
        '<p><a href="mailto:info@forum-asia.example">mail</a> <a href="/publications/x/">x</a></p>',
        '<p><a href="#top">top</a> <a href="report.pdf">relative</a></p>',
        '<img alt="x" style="width:640px;height:400px" width="640" src="/media/a.jpg">',
        "<h1>Title</h1><h5>Small</h5><pre><code>code</code></pre><center>x</center>",
        "<p>ok</p><!-- a comment --><o:p></o:p><p>&nbsp;</p>",
        "<noscript><p>Without JavaScript</p></noscript>",
        '<meta charset="utf-8"><p>Copied from a web page</p>',
        '<ul><li>x</li></ul><ol start="3"><li>y</li></ol><blockquote>q</blockquote>',
        '<table><thead><tr><th scope="col" colspan="2">h</th></tr></thead><tbody><tr>'
        '<td rowspan="1">c</td></tr></tbody></table>',
        "",
        "plain text with <angle> brackets & ampersands",
    ],
)
def test_formatting_cleaning_only_normalises_is_not_refused(html):
    assert not review_html(html), review_html(html)


def test_the_validator_raises_one_message_per_kind_with_the_advice():
    validator = RichTextValidator(embed_advice="Use the video field.")
    html = (
        '<iframe src="https://player.vimeo.com/video/1"></iframe><p onclick="x()">'
        '<img src="https://example.org/a.jpg"></p><script>1</script>'
    )

    with pytest.raises(ValidationError) as refused:
        validator(html)

    messages = refused.value.messages
    assert len(messages) == 4
    assert messages[0].endswith("player.vimeo.com/video/1. Use the video field.")
    validator("<p>Fine</p>")


def test_a_plain_text_box_is_never_told_about_the_editor_s_buttons():
    html = (
        f'<script>1</script><p onclick="x()"><img src="{PNG_DATA}">'
        '<img src="https://example.org/a.jpg"></p><iframe src="https://example.org/"></iframe>'
    )

    messages = review_html(html).messages(embed_advice="ADVICE", in_editor=False)

    assert len(messages) == 5
    assert not [message for message in messages if "button" in message]
    assert "1 image is inside the text as data (a data: address). Remove it" in messages[3]
    assert messages[4].startswith("Remove these images: https://example.org/a.jpg.")


# What cleaning removes from these without a trace a reader would miss: presentation (style and
# background attributes), a comment, a <body> or <meta> the parser does not keep in a text.
LOST_WITHOUT_A_TRACE = {
    "<body onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width:expression(alert(1))">x</div>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<p>ok</p><!--<img src=x onerror=alert(1)>-->",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_hostile_payload_is_refused_unless_cleaning_loses_nothing_a_reader_sees(payload):
    assert bool(review_html(payload)) is (payload not in LOST_WITHOUT_A_TRACE)


# Text that is only text: escaped, so the generated HTML holds exactly the elements below.
TEXT = st.text(max_size=12).map(escape)
OK_LINKS = ["https://example.org/x?a=1&amp;b=2", "mailto:a@example.org", "/publications/x/", "#t"]
SCHEMES = [written for written, _ in REFUSED_ADDRESSES]
ALLOWED_CONTAINERS = ["p", "strong", "em", "blockquote", "h2", "li"]
WRAPPERS = ["span", "div", "font", "h1", "section", "center"]
EMBEDS = [
    ("iframe", '<iframe src="https://www.youtube.com/embed/x"></iframe>'),
    ("object", '<object data="https://example.org/a.swf"></object>'),
    ("embed", '<embed src="https://example.org/a.swf">'),
    ("video", "<video></video>"),
    ("audio", "<audio></audio>"),
]
CODE = [
    ("script", "<script>alert(1)</script>"),
    ("style", "<style>p{}</style>"),
    ("form", "<form><p>x</p></form>"),
    ("input", "<input>"),
    ("button", "<button>b</button>"),
    ("select", "<select><option>o</option></select>"),
    ("textarea", "<textarea>t</textarea>"),
    ("svg", '<svg><circle r="1"></circle></svg>'),
    ("math", "<math><mi>x</mi></math>"),
    ("template", "<template><p>t</p></template>"),
    ("link", '<link rel="stylesheet" href="/x.css">'),
]
EXPECTED_NONE = {
    "embedded": set(),
    "not_published": set(),
    "handlers": set(),
    "addresses": 0,
    "inline": 0,
    "outside": set(),
}


def merge(*parts):
    html = "".join(part[0] for part in parts)
    expected = {
        "embedded": set().union(*(part[1]["embedded"] for part in parts)),
        "not_published": set().union(*(part[1]["not_published"] for part in parts)),
        "handlers": set().union(*(part[1]["handlers"] for part in parts)),
        "addresses": sum(part[1]["addresses"] for part in parts),
        "inline": sum(part[1]["inline"] for part in parts),
        "outside": set().union(*(part[1]["outside"] for part in parts)),
    }
    return html, expected


def leaf(html, **expected):
    return html, {**EXPECTED_NONE, **expected}


LEAVES = st.one_of(
    TEXT.map(leaf),
    st.sampled_from(OK_LINKS).map(lambda url: leaf(f'<a href="{url}">l</a>')),
    st.sampled_from(SCHEMES).map(lambda url: leaf(f'<a href="{url}">l</a>', addresses=1)),
    st.sampled_from(OWN_IMAGES).map(lambda src: leaf(f'<img src="{escape(src)}">')),
    st.sampled_from(OUTSIDE_IMAGES).map(
        lambda src: leaf(f'<img src="{escape(src)}">', outside={src})
    ),
    st.just(leaf(f'<img src="{PNG_DATA}">', inline=1)),
    st.sampled_from(EMBEDS).map(lambda embed: leaf(embed[1], embedded={embed[0]})),
    st.sampled_from(CODE).map(lambda code: leaf(code[1], not_published={code[0]})),
    st.sampled_from(["onclick", "onmouseover", "onerror"]).map(
        lambda name: leaf(f'<img src="/media/a.jpg" {name}="x()">', handlers={name})
    ),
)


def wrapped(children):
    return st.tuples(
        st.sampled_from(ALLOWED_CONTAINERS + WRAPPERS),
        st.sampled_from(["", ' class="x"', ' style="color:red"', ' onclick="go()"']),
    ).map(lambda tag: wrap(tag, merge(*children)))


def wrap(tag, inner):
    (name, attribute), (html, expected) = tag, inner
    if attribute.startswith(" on"):
        expected = {**expected, "handlers": expected["handlers"] | {"onclick"}}
    return f"<{name}{attribute}>{html}</{name}>", expected


BODIES = st.recursive(
    LEAVES, lambda children: st.lists(children, min_size=1, max_size=4).flatmap(wrapped)
).map(lambda part: merge(part))


@settings(max_examples=300, deadline=None)
@given(st.lists(BODIES, max_size=5).map(lambda parts: merge(*parts)))
def test_the_review_names_exactly_what_cleaning_would_lose(body):
    html, expected = body

    review = review_html(html)

    assert {name.split(">")[0][1:] for name in review.embedded} == expected["embedded"]
    assert {name[1:-1] for name in review.not_published} == expected["not_published"]
    assert set(review.handlers) == expected["handlers"]
    assert bool(review.addresses) == bool(expected["addresses"])
    assert review.inline_images == expected["inline"]
    assert set(review.outside_images) == expected["outside"]
    assert bool(review) == (expected != EXPECTED_NONE)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("<>/=\"' &;:#abcdeimnoprstvAIS\\\t\x00"), max_size=80))
def test_a_cleaned_text_is_never_refused_but_for_the_outside_images_cleaning_keeps(html):
    review = review_html(html)

    again = review_html(clean_html(html))

    assert again.outside_images == review.outside_images
    assert not (again.embedded or again.not_published or again.handlers or again.addresses)
    assert not again.inline_images
