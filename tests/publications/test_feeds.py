"""RSS 2.0 and Atom feeds, parsed as XML: the right items for each filter, never a draft."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from publications.models import Publication
from publications.services import refresh_featured_renditions
from tests.factories import MemberOrganisationFactory, PublicationFactory, country
from tests.publications.conftest import image_bytes

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, **params):
    response = client.get("/feeds/rss/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel"), root.findall("channel/item")


def titles(items):
    return [item.findtext("title") for item in items]


def test_rss_lists_the_latest_30_public_items_newest_first(client):
    for n in range(32):
        PublicationFactory(title=f"Item {n}", publish_at=timezone.now() - timedelta(hours=n + 1))

    channel, items = rss_items(client)

    assert len(items) == 30
    assert titles(items)[:2] == ["Item 0", "Item 1"]
    assert channel.findtext("title") == "FORUM-ASIA — Latest publications"


def test_drafts_and_scheduled_items_never_appear(client):
    PublicationFactory(title="Public")
    PublicationFactory(title="Draft", status="draft")
    PublicationFactory(title="Scheduled", publish_at=timezone.now() + timedelta(days=1))

    for params in ({}, {"type": "statement"}, {"country": "th"}):
        _, items = rss_items(client, **params)
        assert "Draft" not in titles(items) and "Scheduled" not in titles(items)
    atom = client.get("/feeds/atom/").content.decode()
    assert "Draft" not in atom and "Scheduled" not in atom


def test_items_carry_link_summary_date_categories_and_signatories(client):
    member = MemberOrganisationFactory(name="Sample Rights Watch")
    PublicationFactory(
        title="Free the defenders",
        slug="free-the-defenders",
        standfirst="The network calls for their release.",
        tags=["Defenders", "Detention"],
        signatories=[member],
    )

    _, [item] = rss_items(client)

    assert item.findtext("link").endswith("/publications/free-the-defenders/")
    assert item.findtext("link").startswith("http")
    assert item.findtext("description") == "The network calls for their release."
    assert item.findtext("pubDate")
    assert sorted(c.text for c in item.findall("category")) == ["Defenders", "Detention"]
    assert "Sample Rights Watch" in item.findtext("{http://purl.org/dc/elements/1.1/}creator", "")


def test_without_signatories_the_author_is_the_network(client):
    PublicationFactory()

    _, [item] = rss_items(client)

    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "FORUM-ASIA"


def test_featured_image_is_an_enclosure_with_length_and_type(client):
    from django.core.files.base import ContentFile

    publication = PublicationFactory()
    publication.featured_image.save("photo.jpg", ContentFile(image_bytes(size=(1200, 800))))
    publication.featured_image_alt = "A photo"
    publication.save()
    refresh_featured_renditions(publication)

    _, [item] = rss_items(client)

    enclosure = item.find("enclosure")
    assert enclosure.get("type") == "image/jpeg"
    assert int(enclosure.get("length")) > 0
    assert enclosure.get("url").startswith("http")
    assert enclosure.get("url").endswith(".jpg")


def test_type_country_and_tag_narrow_the_feed(client):
    PublicationFactory(title="Thai statement", countries=[country("TH")], tags=["Land"])
    PublicationFactory(title="Khmer report", type="report", countries=[country("KH")])

    assert titles(rss_items(client, type="report")[1]) == ["Khmer report"]
    assert titles(rss_items(client, country="kh")[1]) == ["Khmer report"]
    assert titles(rss_items(client, tag="land")[1]) == ["Thai statement"]
    assert titles(rss_items(client, country="th", type="report")[1]) == []
    channel, _ = rss_items(client, country="kh", type="report")
    assert channel.findtext("title") == "FORUM-ASIA — Reports — Cambodia"


@pytest.mark.parametrize(
    ("type_value", "title"),
    [("statement", "Statements"), ("letter", "Open letters"), ("story", "Stories")],
)
def test_a_feed_of_one_type_is_titled_with_the_types_plural(client, type_value, title):
    channel, _ = rss_items(client, type=type_value)

    assert channel.findtext("title") == f"FORUM-ASIA — {title}"


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"type": "nonsense"}, True),
        ({"type": "\x00statement"}, False),  # NUL dropped: a valid type
        ({"country": "\x00"}, True),  # nothing left: no filter
        ({"country": "zz"}, False),
        ({"country": "x" * 500}, False),
        ({"tag": "no-such-tag"}, False),
        ({"tag": "<script>"}, False),
    ],
)
def test_unknown_filters_never_fail(client, params, ignored):
    PublicationFactory(title="Anything")

    _, items = rss_items(client, **params)

    if ignored or "type" in params:
        assert titles(items) == ["Anything"]
    else:
        assert items == []  # an unknown country or tag matches nothing


def test_atom_feed_is_valid_atom_with_entries_and_categories(client):
    PublicationFactory(title="Atom entry", tags=["Civic space"], standfirst="Summary.")

    response = client.get("/feeds/atom/", {"tag": "civic-space"})

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert root.tag == f"{ATOM}feed"
    [entry] = root.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Atom entry"
    assert entry.findtext(f"{ATOM}summary") == "Summary."
    assert entry.find(f"{ATOM}category").get("term") == "Civic space"
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "FORUM-ASIA"


def test_feed_query_budget(client, django_assert_max_num_queries):
    member = MemberOrganisationFactory()
    for _ in range(30):
        PublicationFactory(tags=["A", "B"], signatories=[member], countries=[country("TH")])

    with django_assert_max_num_queries(6):
        _channel, items = rss_items(client, country="th", tag="a")

    assert len(items) == 30


def test_every_page_announces_the_feeds_and_filtered_lists_offer_their_own(client):
    PublicationFactory(countries=[country("KH")])

    home = client.get("/").content.decode()
    filtered = client.get("/publications/", {"country": "kh"}).content.decode()

    assert 'rel="alternate" type="application/rss+xml"' in home
    assert 'type="application/atom+xml"' in home
    assert 'href="/feeds/rss/?country=kh"' in filtered
    assert "Follow publications about Cambodia by RSS" in filtered


# --- hostile text and hostile query strings ------------------------------------------------------


@pytest.mark.parametrize("path", ["/feeds/rss/", "/feeds/atom/"])
def test_control_characters_in_titles_and_tags_never_break_the_feeds(client, path):
    saved = PublicationFactory(title="Free\x0bthe five", tags=["Land\x0brights"])
    old = PublicationFactory(title="Old row")
    # Rows stored before text was cleaned on save (written around save(), as an import did).
    Publication.objects.filter(pk=old.pk).update(title="Old\x0brow\x01", standfirst="A\x08b\x1f")
    Tag.objects.filter(name="Land rights").update(name="Old\x02theme")

    response = client.get(path)

    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    text = "".join(root.itertext())
    assert "Old row" in text and "Free the five" in text
    categories = [c.text or c.get("term") for c in root.iter() if c.tag.endswith("category")]
    assert categories == ["Oldtheme"]
    saved.refresh_from_db()
    assert saved.title == "Free the five"


def test_tags_typed_with_control_characters_are_the_existing_tag(client):
    first = PublicationFactory(tags=["Land rights"])
    second = PublicationFactory(tags=["Land\x0brights", "\x01"])

    assert list(second.tags.values_list("name", flat=True)) == ["Land rights"]
    assert list(first.tags.all()) == list(second.tags.all())


@pytest.mark.parametrize(
    "query", ["?tag=%01", "?country=%0B", "?tag=%00", "?country=%00th", "?type=%0Breport"]
)
def test_control_characters_in_feed_filters_are_removed_before_any_query(client, query):
    PublicationFactory(title="Thai", countries=[country("TH")], tags=["Land"])
    PublicationFactory(title="Report", type="report")

    response = client.get("/feeds/rss/" + query)

    assert response.status_code == 200
    ET.fromstring(response.content)  # noqa: S314 - our own response


def test_rss_description_is_escaped_text_and_atom_summary_is_marked_text(client):
    PublicationFactory(standfirst="Why <b>this</b> & that matter")

    _, [item] = rss_items(client)
    atom = ET.fromstring(client.get("/feeds/atom/").content)  # noqa: S314 - ours
    summary = atom.find(f"{ATOM}entry/{ATOM}summary")

    # RSS readers read a description as HTML: the tags must arrive as text.
    assert item.findtext("description") == "Why &lt;b&gt;this&lt;/b&gt; &amp; that matter"
    assert summary.get("type") == "text"
    assert summary.text == "Why <b>this</b> & that matter"


def test_a_tag_only_drafts_carry_is_named_nowhere_and_filters_like_an_unknown_one(client):
    PublicationFactory(title="Public", tags=["Elections"])
    PublicationFactory(title="Embargoed", status="draft", tags=["Secret operation"])
    PublicationFactory(
        title="Later", publish_at=timezone.now() + timedelta(days=2), tags=["Secret operation"]
    )

    secret = client.get("/feeds/rss/", {"tag": "secret-operation"})
    unknown = client.get("/feeds/rss/", {"tag": "no-such-tag"})

    assert secret.status_code == unknown.status_code == 200
    assert b"Secret operation" not in secret.content
    assert secret.content.replace(b"secret-operation", b"no-such-tag") == unknown.content
