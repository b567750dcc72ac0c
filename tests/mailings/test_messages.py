"""An issue as email: its HTML and text, its size, its per-recipient headers, its DKIM
signature and its return path (mailings/messages.py, mailings/dkim.py)."""

import base64
import email
import functools
import re
import subprocess
from email import policy
from html.parser import HTMLParser
from urllib.parse import urlsplit

import dkim
import pytest
from django.core import checks
from django.test import Client, override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mailings import dkim as mailings_dkim
from mailings import messages
from mailings.dkim import check_signing_key
from mailings.messages import (
    MAX_HTML_BYTES,
    TooLarge,
    delivery_from_verp,
    personalised,
    render,
    signed_bytes,
    verp_address,
)
from mailings.models import IssueVariant
from newsletter.models import Subscriber
from tests.factories import IssueFactory, IssueVariantFactory, PublicationFactory, SubscriberFactory
from tests.newsletter.hostile import BREAKING_CHARACTERS

pytestmark = pytest.mark.django_db

SITE = "https://forum-asia.example"
FROM = "FORUM-ASIA <newsletter@forum-asia.example>"


@pytest.fixture(autouse=True)
def sending_settings(settings):
    settings.SITE_URL = SITE
    settings.NEWSLETTER_FROM_EMAIL = FROM
    settings.NEWSLETTER_LIST_ID = "FORUM-ASIA monthly <monthly.forum-asia.example>"
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = ""
    settings.NEWSLETTER_POSTAL_ADDRESS = ""
    settings.NEWSLETTER_DKIM_KEY_FILE = ""
    return settings


def with_image(publication, name="a1b2"):
    """The publication with renditions as make_renditions() writes them (no file is read; an
    update, as save() drops renditions without an image file)."""
    folder = f"publications/{publication.files_key}"
    type(publication).objects.filter(pk=publication.pk).update(
        featured_image_renditions=[
            {"width": width, "height": width // 2, "jpeg": f"{folder}/{name}{width}.jpg"}
            | {"webp": f"{folder}/{name}{width}.webp"}
            for width in (400, 800, 1600)
        ],
        featured_image_alt=f"Photo for {publication.title}",
    )
    publication.refresh_from_db()
    return publication


def issue_with(count=3, **kwargs):
    publications = [with_image(PublicationFactory()) for _ in range(count)]
    return IssueFactory(items=publications, **kwargs), publications


class Addresses(HTMLParser):
    """Every address an email's HTML links to or loads, and its elements' names."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.links, self.loads, self.tags, self.attributes = [], [], [], set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if name == "href":
                self.links.append(value)
            if name in ("src", "srcset", "background", "poster", "data"):
                self.loads.append(value)


def received(message):
    return email.message_from_bytes(signed_bytes(message), policy=policy.default)


# --- The HTML ------------------------------------------------------------------------------------


def test_html_has_inline_styles_only_and_loads_nothing_but_the_site():
    issue, publications = issue_with(
        3,
        english__introduction=(
            '<p>Dear friends, <a href="/publications/">read all</a>.</p>'
            '<p><img src="https://tracker.example/pixel.gif" alt=""></p>'
            '<p><img src="/files/publications/intro.jpg" alt="Our team"></p>'
        ),
    )

    html = render(issue, "en").html
    found = Addresses(html)

    assert "style" not in found.tags and "link" not in found.tags
    assert "class" not in found.attributes
    assert "<style" not in html.lower() and "stylesheet" not in html
    assert "tracker.example" not in html
    # A pixel would be an <img> from elsewhere: every image is the site's.
    assert found.loads and all(url.startswith(SITE + "/") for url in found.loads)
    assert all(
        url.startswith(SITE + "/") or url in (messages.UNSUBSCRIBE, messages.MANAGE)
        for url in found.links
    )
    for publication in publications:
        assert f'alt="Photo for {publication.title}"' in html
        assert f'href="{SITE}/publications/{publication.slug}/"' in html
        assert publication.standfirst in html
    assert f"{SITE}/files/publications/{publications[0].files_key}/a1b2800.jpg" in html
    assert f'href="{SITE}/newsletter/{issue.slug}/"' in html  # the web version, no token
    assert "Dear friends," in html


def test_links_are_the_same_for_every_reader_but_the_manage_and_unsubscribe_links():
    issue, _ = issue_with(2)
    rendered = render(issue, "en")
    first, second = SubscriberFactory(), SubscriberFactory()

    one = Addresses(personalised(rendered, subscriber=first).alternatives[0][0]).links
    other = Addresses(personalised(rendered, subscriber=second).alternatives[0][0]).links

    differing = [(a, b) for a, b in zip(one, other, strict=True) if a != b]
    assert {urlsplit(a).path.split("/")[2] for a, _ in differing} == {"manage", "unsubscribe"}
    assert not any("?" in url for url in one)  # no query string of any kind


def test_text_alternative_has_the_introduction_and_every_items_title_and_link():
    issue, publications = issue_with(
        3, english__introduction='<p>Dear friends,</p><ul><li>Read <a href="/x/">this</a></li></ul>'
    )

    text = render(issue, "en").text

    assert "Dear friends," in text and f"- Read this ({SITE}/x/)" in text
    assert "<" not in text
    for publication in publications:
        assert publication.title in text
        assert f"{SITE}/publications/{publication.slug}/" in text
        assert publication.standfirst in text
    assert f"{SITE}/newsletter/{issue.slug}/" in text
    assert messages.UNSUBSCRIBE in text and messages.MANAGE in text


def test_postal_address_is_in_the_footer_only_when_set(sending_settings):
    issue, _ = issue_with(1)
    assert "Bangkok" not in render(issue, "en").html

    sending_settings.NEWSLETTER_POSTAL_ADDRESS = "SPD Building, 3rd floor, Bangkok 10310"
    rendered = render(issue, "en")

    assert "SPD Building, 3rd floor, Bangkok 10310" in rendered.html
    assert "SPD Building, 3rd floor, Bangkok 10310" in rendered.text


def test_an_item_with_nothing_public_left_is_left_out():
    withdrawn = PublicationFactory(status="draft", title="Embargoed statement")
    issue, _ = issue_with(1)
    issue.items.create(publication=withdrawn, position=5)

    rendered = render(issue, "en")

    assert "Embargoed statement" not in rendered.html + rendered.text


# --- Languages -----------------------------------------------------------------------------------


def test_thai_variant_has_thai_subject_thai_translations_and_links_under_th():
    original = with_image(PublicationFactory(title="Statement on Myanmar", slug="myanmar"))
    untranslated = PublicationFactory(title="Only in English", slug="only-english")
    thai = PublicationFactory(
        title="แถลงการณ์เรื่องเมียนมา", language="th", translation_of=original, slug="myanmar-th"
    )
    issue = IssueFactory(items=[original, untranslated])
    IssueVariantFactory(
        issue=issue, language="th", subject="จดหมายข่าวรายเดือน", introduction="<p>เรียนเพื่อน</p>"
    )

    rendered = render(issue, "th")
    links = Addresses(rendered.html).links

    assert rendered.language == "th" and rendered.subject == "จดหมายข่าวรายเดือน"
    assert 'lang="th"' in rendered.html
    assert thai.title in rendered.html and original.title not in rendered.html
    assert f"{SITE}/th/publications/{thai.slug}/" in links
    # No Thai translation: the English one, in the Thai interface.
    assert f"{SITE}/th/publications/{untranslated.slug}/" in links
    assert f"{SITE}/th/newsletter/{issue.slug}/" in links
    assert all(
        urlsplit(url).path.startswith("/th/")
        for url in links
        if url.startswith(SITE) and not url.startswith(f"{SITE}/files/")
    )
    message = personalised(rendered, subscriber=SubscriberFactory(language="th"))
    assert "/th/newsletter/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    parsed = received(message)
    assert parsed["Subject"].strip() == "จดหมายข่าวรายเดือน"
    headers = signed_bytes(message).split(b"\r\n\r\n")[0].decode("ascii")  # all ASCII
    assert "Subject: \r\n =?utf-8?b?" in headers


def test_a_language_without_a_variant_gets_the_english_one():
    issue, publications = issue_with(1)

    rendered = render(issue, "id")

    assert rendered.language == "en"
    assert f'href="{SITE}/publications/{publications[0].slug}/"' in rendered.html
    message = personalised(rendered, subscriber=SubscriberFactory(language="id"))
    assert "/id/" not in message.extra_headers["List-Unsubscribe"]


# --- Size ----------------------------------------------------------------------------------------


def test_an_issue_over_100_kb_is_refused_naming_its_size_and_language():
    publications = [
        PublicationFactory(title=f"Statement {n} " + "on civic space " * 10, standfirst="x " * 290)
        for n in range(120)
    ]
    issue = IssueFactory(items=publications)

    with pytest.raises(TooLarge) as refused:
        render(issue, "en")

    assert refused.value.size > MAX_HTML_BYTES
    assert refused.value.language == "en"
    assert f"{refused.value.size / 1024:.1f} KB" in str(refused.value)
    assert "The en email" in str(refused.value)


def test_a_typical_twelve_item_issue_is_far_under_the_limit():
    publications = [
        with_image(PublicationFactory(title=f"Joint statement {n}: " + "civic space " * 4))
        for n in range(12)
    ]
    type(publications[0]).objects.update(
        standfirst="A summary of two sentences about the statement. " * 4
    )
    issue = IssueFactory(
        items=publications, english__introduction="<p>Dear friends, this month…</p>" * 4
    )

    html = personalised(render(issue, "en"), subscriber=SubscriberFactory()).alternatives[0][0]

    assert len(html.encode()) < MAX_HTML_BYTES / 2


# --- Headers -------------------------------------------------------------------------------------


def unsubscribe_path(message):
    url = re.match(r"<([^>]+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert url.startswith(SITE + "/")
    return urlsplit(url).path


def test_unsubscribe_header_opens_a_page_and_its_one_click_post_unsubscribes():
    issue, _ = issue_with(1)
    subscriber = SubscriberFactory()
    message = personalised(render(issue, "en"), subscriber=subscriber, delivery_id=7)
    path = unsubscribe_path(message)
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no session, no CSRF token

    opened = mail_client.get(path)

    assert opened.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED  # a GET (a link scanner) does not

    clicked = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert clicked.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_headers_mailbox_providers_require(sending_settings):
    sending_settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@forum-asia.example"
    issue, _ = issue_with(1)
    subscriber = SubscriberFactory(name="Somchai\r\nBcc: everyone@example.org")

    message = received(personalised(render(issue, "en"), subscriber=subscriber, delivery_id=41))

    assert message["From"] == FROM
    assert message["To"] == subscriber.email  # the address only, never the name
    assert message["List-Id"] == "FORUM-ASIA monthly <monthly.forum-asia.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Folded by Python when long ("List-Unsubscribe: \r\n <https..."): one leading space.
    unsubscribe = message["List-Unsubscribe"].strip()
    assert re.fullmatch(
        rf"<{SITE}/newsletter/unsubscribe/[^>\s]+/>, "
        r"<mailto:unsubscribe@forum-asia\.example\?subject=unsubscribe>",
        unsubscribe,
    )
    assert message["Message-ID"].endswith("@forum-asia.example>")
    assert message["Date"]
    assert "Bcc" not in message and "Somchai" not in str(message)


def test_message_id_is_the_same_for_the_same_delivery():
    issue, _ = issue_with(1)
    rendered = render(issue, "en")
    subscriber = SubscriberFactory()

    first = personalised(rendered, subscriber=subscriber, delivery_id=12)
    again = personalised(rendered, subscriber=subscriber, delivery_id=12)
    other = personalised(rendered, subscriber=subscriber, delivery_id=13)
    tests = [personalised(rendered, subscriber=subscriber) for _ in range(2)]

    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"] != other.extra_headers["Message-ID"]
    assert tests[0].extra_headers["Message-ID"] != tests[1].extra_headers["Message-ID"]


def test_envelope_sender_is_the_deliverys_verp_address_and_from_stays(sending_settings):
    sending_settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@forum-asia.example"
    issue, _ = issue_with(1)

    message = personalised(render(issue, "en"), subscriber=SubscriberFactory(), delivery_id=99)

    assert message.envelope_sender == message.from_email == verp_address(99)
    assert delivery_from_verp(message.from_email) == 99
    assert received(message)["From"] == FROM
    assert message.metadata == {"delivery": "99"}


def test_without_a_bounce_address_the_envelope_sender_is_the_from(sending_settings):
    issue, _ = issue_with(1)

    message = personalised(render(issue, "en"), subscriber=SubscriberFactory(), delivery_id=3)

    assert message.from_email == FROM and "From" not in message.extra_headers
    assert not hasattr(message, "envelope_sender")


def test_verp_round_trip_and_forgeries(sending_settings):
    sending_settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@forum-asia.example"
    address = verp_address(12345)

    assert address.startswith("bounces+12345-") and address.endswith("@forum-asia.example")
    assert delivery_from_verp(address) == 12345
    assert delivery_from_verp(f"<{address.upper()}>") is None  # the signature is hex, as made
    assert delivery_from_verp(address.replace("12345", "12346")) is None
    assert delivery_from_verp("bounces+12345-000000000000@forum-asia.example") is None
    assert delivery_from_verp("bounces@forum-asia.example") is None
    assert delivery_from_verp("bounces+x-y@forum-asia.example") is None


@hypothesis_settings(max_examples=200, deadline=None)
@given(tag=st.text(max_size=40))
def test_any_return_path_is_read_without_an_error(tag):
    """Bounces arrive addressed by strangers: whatever the tag after "+", None unless it is
    a delivery's number with that number's signature."""
    with override_settings(NEWSLETTER_BOUNCE_ADDRESS="bounces@forum-asia.example"):
        found = delivery_from_verp(f"bounces+{tag}@forum-asia.example")
        assert found is None or verp_address(found) == f"bounces+{tag}@forum-asia.example"


def test_a_return_path_with_unicode_digits_is_not_ours(sending_settings):
    sending_settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@forum-asia.example"

    assert delivery_from_verp("bounces+²-abc@forum-asia.example") is None
    assert delivery_from_verp("bounces+١٢-abc@forum-asia.example") is None


HOSTILE_TEXT = st.lists(
    st.one_of(st.text(max_size=20), st.sampled_from(BREAKING_CHARACTERS)), max_size=6
).map("".join)


@hypothesis_settings(max_examples=40, deadline=None)
@given(subject=HOSTILE_TEXT, preheader=HOSTILE_TEXT, introduction=HOSTILE_TEXT)
def test_hostile_subjects_and_introductions_never_add_a_header(subject, preheader, introduction):
    issue = IssueFactory(english=False)
    IssueVariant.objects.create(
        issue=issue,
        language="en",
        subject=subject.replace("\x00", "") or "x",
        preheader=preheader.replace("\x00", ""),
        introduction=introduction.replace("\x00", ""),
    )
    rendered = render(issue, "en")

    message = received(personalised(rendered, subscriber=SubscriberFactory(), delivery_id=1))

    assert set(message.keys()) == {
        "Content-Type",
        "MIME-Version",
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "List-Id",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    }
    # Python folds a long encoded subject onto the next line ("Subject: \r\n =?utf-8?..."):
    # unfolded, one leading space, which mail clients do not show.
    assert message["Subject"].strip() == rendered.subject
    assert "\n" not in rendered.subject and "\r" not in rendered.subject


# --- DKIM ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def key_pair(tmp_path_factory):
    """A 2048-bit RSA key made with openssl, and its DKIM DNS record."""
    path = tmp_path_factory.mktemp("dkim") / "newsletter.pem"
    subprocess.run(
        ["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(path), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.fixture
def signing(sending_settings, key_pair):
    path, record = key_pair
    sending_settings.NEWSLETTER_DKIM_KEY_FILE = str(path)
    sending_settings.NEWSLETTER_DKIM_SELECTOR = "m2026"
    sending_settings.NEWSLETTER_DKIM_DOMAIN = "forum-asia.example"

    def dns(name, timeout=5):
        return record if name == b"m2026._domainkey.forum-asia.example." else None

    return dns


def test_dkim_signature_verifies_and_covers_the_unsubscribe_headers(signing):
    issue, _ = issue_with(2)
    message = personalised(render(issue, "en"), subscriber=SubscriberFactory(), delivery_id=5)

    data = signed_bytes(message)

    assert data.startswith(b"DKIM-Signature: ")
    assert dkim.verify(data, dnsfunc=signing)
    signature = email.message_from_bytes(data)["DKIM-Signature"]
    tags = dict(
        part.strip().split("=", 1) for part in re.sub(r"\s+", "", signature).split(";") if part
    )
    assert tags["d"] == "forum-asia.example" and tags["s"] == "m2026"
    assert tags["c"] == "relaxed/relaxed"
    covered = tags["h"].split(":")
    for header in ("from", "to", "subject", "date", "message-id", "list-id"):
        assert header in covered
    assert "list-unsubscribe" in covered and "list-unsubscribe-post" in covered

    redirected = re.sub(rb"/newsletter/unsubscribe/[^>]+>", b"/elsewhere/>", data, count=1)
    assert redirected != data
    assert not dkim.verify(redirected, dnsfunc=signing)
    added = data.replace(
        b"\r\nList-Unsubscribe:",
        b"\r\nList-Unsubscribe: <https://evil.example/>\r\nList-Unsubscribe:",
    )
    assert not dkim.verify(added, dnsfunc=signing)


def test_dkim_verifies_with_a_thai_subject_and_body(signing):
    publication = PublicationFactory(title="สิทธิมนุษยชน", standfirst="สรุป " * 400)
    issue = IssueFactory(items=[publication])
    IssueVariantFactory(issue=issue, language="th", subject="จดหมายข่าว: สิทธิมนุษยชนในเอเชีย " * 3)
    message = personalised(render(issue, "th"), subscriber=SubscriberFactory(), delivery_id=9)

    data = signed_bytes(message)

    assert dkim.verify(data, dnsfunc=signing)
    assert email.message_from_bytes(data, policy=policy.default)["Subject"].strip() == (
        " ".join(("จดหมายข่าว: สิทธิมนุษยชนในเอเชีย " * 3).split())
    )


def test_dkim_signature_verifies_with_dkimpys_own_rsa_too(signing, monkeypatch):
    """Without the `cryptography` package the RSA step is dkimpy's: the same signature, slower,
    and a system check says so."""
    monkeypatch.setattr(mailings_dkim, "serialization", None)
    monkeypatch.setattr(mailings_dkim, "_cached_signer", functools.cache(mailings_dkim.rsa_signer))
    issue, _ = issue_with(1)
    message = personalised(render(issue, "en"), subscriber=SubscriberFactory(), delivery_id=6)

    assert dkim.verify(signed_bytes(message), dnsfunc=signing)
    assert [warning.id for warning in check_signing_key(None)] == ["mailings.W001"]


def test_body_canonical_form_is_dkimpys():
    for body in (
        b"",
        b"\r\n\r\n",
        b"one line",
        b"a b\r\nc\r\n\r\n\r\n",
        b"a  b \r\n\tc\r\n",
        "สรุป ข่าว\r\n".encode(),
    ):
        assert mailings_dkim.canonical_body(body) == mailings_dkim.POLICY.canonicalize_body(body)


def test_without_a_key_messages_go_unsigned():
    issue, _ = issue_with(1)
    message = personalised(render(issue, "en"), subscriber=SubscriberFactory())

    assert b"DKIM-Signature" not in signed_bytes(message)


def test_a_key_named_but_unreadable_stops_the_start(sending_settings, tmp_path):
    sending_settings.NEWSLETTER_DKIM_KEY_FILE = str(tmp_path / "missing.pem")
    assert [error.id for error in check_signing_key(None)] == ["mailings.E001"]

    (tmp_path / "broken.pem").write_text("-----BEGIN PRIVATE KEY-----\nabc\n")
    sending_settings.NEWSLETTER_DKIM_KEY_FILE = str(tmp_path / "broken.pem")
    assert [error.id for error in check_signing_key(None)] == ["mailings.E002"]

    assert check_signing_key in checks.registry.registry.get_checks()


def test_a_readable_key_passes_the_check(signing):
    assert check_signing_key(None) == []  # `cryptography` is installed here (W001 otherwise)
