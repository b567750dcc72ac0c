"""Every public page, rendered with hostile text in every field a person can write: the HTML
parses with the text only as text. No element, attribute or refresh comes from content."""

import json
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.factories import (
    AttachmentFactory,
    MemberOrganisationFactory,
    PageFactory,
    PublicationFactory,
    country,
)

pytestmark = pytest.mark.django_db

# Tries to open an element, add event handlers and a refresh to the tag it lands in, and close
# the elements around it. At most 100 characters (a country name's limit).
PAYLOAD = (
    '<x-payload>" onmouseover="x" \' onfocus=\'x\' 0;url=//e.example" '
    'http-equiv="refresh </title></script>'
)
SHORT_PAYLOAD = "<x-payload>\"'x"
INJECTED_ATTRIBUTES = {"onmouseover", "onfocus", "http-equiv"}


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self.scripts = [], [], []
        self.in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.text.extend(value or "" for _name, value in attrs)
        if tag == "script":
            self.in_script = dict(attrs)
            self.scripts.append([self.in_script, ""])

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = None

    def handle_data(self, data):
        if self.in_script is not None:
            self.scripts[-1][1] += data
        else:
            self.text.append(data)


def assert_payload_is_only_text(html, where):
    parser = PageParser()
    parser.feed(html)
    parser.close()
    assert not [tag for tag, _attrs in parser.tags if tag == "x-payload"], where
    for tag, attrs in parser.tags:
        assert not INJECTED_ATTRIBUTES & set(attrs), (where, tag, attrs)
    for attrs, body in parser.scripts:
        # Our own scripts only: files, or JSON-LD data blocks that parse as JSON.
        assert attrs.get("src") or attrs.get("type") == "application/ld+json", (where, attrs)
        if not attrs.get("src"):
            json.loads(body)
    assert any("<x-payload>" in text for text in parser.text), where


@pytest.fixture
def hostile_site():
    thailand = country("TH")
    thailand.name = PAYLOAD
    thailand.save()
    member = MemberOrganisationFactory(
        name=PAYLOAD,
        acronym=SHORT_PAYLOAD,
        city=PAYLOAD,
        country=thailand,
        focus_areas=PAYLOAD,
        description=f"<p>{escape(PAYLOAD)}</p>",
    )
    publication = PublicationFactory(
        title=PAYLOAD,
        standfirst=PAYLOAD,
        body=f"<p>{escape(PAYLOAD)}</p>",
        countries=[thailand],
        tags=[PAYLOAD],
        signatories=[member],
        co_signers=PAYLOAD,
        media_contact=PAYLOAD,
        featured_image_caption=PAYLOAD,
    )
    AttachmentFactory(publication=publication, title=PAYLOAD)
    PublicationFactory(title=f"{PAYLOAD} (translation)", language="th", translation_of=publication)
    PageFactory(
        path="/hostile/",
        title=PAYLOAD,
        introduction=PAYLOAD,
        body=f"<p>{escape(PAYLOAD)}</p>",
        hero_image_credit=PAYLOAD,
    )
    return publication, member


def test_every_public_page_shows_hostile_content_only_as_text(client, hostile_site):
    publication, member = hostile_site
    tag = publication.tags.get()
    search = urlencode({"q": PAYLOAD})
    pages = [
        "/",
        "/publications/",
        "/statements/",
        f"/publications/?tag={tag.slug}&country=th",
        f"/publications/?{search}",
        publication.get_absolute_url(),
        f"/search/?{search}",
        f"/search/?{urlencode({'q': 'x-payload'})}",
        "/members/",
        f"/members/?{search}",
        member.get_absolute_url(),
        "/countries/th/",
        "/hostile/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_payload_is_only_text(response.content.decode(), path)


def test_feeds_carry_hostile_content_as_text(client, hostile_site):
    for path in ("/feeds/rss/", "/feeds/atom/", "/feeds/rss/?country=th"):
        root = ET.fromstring(client.get(path).content)  # noqa: S314 - our own response
        assert not [element for element in root.iter() if "x-payload" in element.tag], path
        assert PAYLOAD in "".join(root.itertext()), path
