"""Hostile HTML in a body never reaches a public page: nh3 runs in Publication.save()."""

import re
from html.parser import HTMLParser

import pytest

from publications.models import Publication
from tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width:expression(alert(1))">x</div>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<p>ok</p><!--<img src=x onerror=alert(1)>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<a href="https://example.org/" onclick="alert(1)">x</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<img src=`javascript:alert(1)`>",
    '<a href="java\tscript:alert(1)">tab</a>',
    "<template><script>alert(1)</script></template>",
    '<img """><script>alert(1)</script>">',
]
FORBIDDEN_TAGS = {
    "script", "iframe", "style", "svg", "math", "object", "embed", "form", "button", "input",
    "meta", "base", "link", "video", "audio", "source", "template", "details", "marquee",
    "noscript",
}  # fmt: skip
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "background", "data", "xlink:href"}


class BodyInspector(HTMLParser):
    """Collects every tag and attribute inside <div class="... pub-body ...">."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
            self.tags.append((tag, attrs))
        elif tag == "div" and "pub-body" in (dict(attrs).get("class") or ""):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def dangerous_parts(html):
    inspector = BodyInspector()
    inspector.feed(html)
    problems = []
    for tag, attrs in inspector.tags:
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value:
                # As a browser reads it: tabs/newlines dropped, a scheme starts with a letter.
                scheme = SCHEME.match("".join(value.split()))
                if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
                    problems.append(f"{tag}[{name}={value}]")
    return problems


def test_the_corpus_has_at_least_thirty_payloads():
    assert len(set(XSS_PAYLOADS)) >= 30


def test_the_inspector_does_see_hostile_markup_when_it_is_there():
    raw = '<div class="prose pub-body"><img src=x onerror=alert(1)><script>x</script></div>'

    assert dangerous_parts(raw) == ["img[onerror]", "<script>"]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_hostile_html_saved_through_the_orm_never_reaches_the_public_page(client, payload):
    publication = PublicationFactory(body=f"<p>Before</p>{payload}<p>After</p>")

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "Before" in html and "After" in html
    assert dangerous_parts(html) == []
    assert "alert(1)</script>" not in html


def test_body_is_sanitised_in_the_database_not_only_on_display():
    publication = PublicationFactory(body='<p onclick="x()">Hi<script>alert(1)</script></p>')

    stored = Publication.objects.get(pk=publication.pk).body

    assert stored == "<p>Hi</p>"


def test_bulk_update_through_save_is_sanitised_too():
    publication = PublicationFactory()
    publication.body = "<a href='javascript:alert(1)'>x</a><a href='https://example.org'>y</a>"
    publication.save()

    publication.refresh_from_db()
    assert "javascript" not in publication.body
    assert 'rel="noopener noreferrer"' in publication.body


def test_safe_newsroom_markup_survives():
    body = (
        "<h2>Calls</h2><p><strong>Bold</strong> and <em>italic</em></p>"
        "<ul><li>one</li></ul><blockquote><p>quote</p></blockquote>"
        "<table><tbody><tr><td>cell</td></tr></tbody></table>"
    )
    publication = PublicationFactory(body=body)

    publication.refresh_from_db()
    assert publication.body == body
