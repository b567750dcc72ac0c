"""No hard-coded English is left on the public pages, in the emails and on the project's own
admin screens: rendered in a pseudo language, every word people read is either translated or
comes from the database.

The pseudo catalogue is built at test time from the committed one: each string becomes
"⟦" + the string with every letter accented + "⟧", placeholders (%(name)s, {}, HTML tags and
entities) kept as they are. It is installed, in a temporary LOCALE_PATHS, as the catalogue of
Russian, made the site's language: Django's own strings (the admin's, form errors) and dates
then come out in Cyrillic from Django's catalogues, so any word left in plain ASCII letters
is English the project did not mark. Rows the test creates are read back from the database
and taken out of the page (titles, bodies, names, addresses are content, not interface).

The site has no LocaleMiddleware here: LANGUAGE_CODE is the language every request renders in.
"""

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import models
from django.test import Client
from django.utils.text import capfirst

from forumasia import history
from newsletter import tokens
from newsletter.models import Subscriber
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MailingListFactory,
    MemberOrganisationFactory,
    PageFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    SubscriberFactory,
    SuperUserFactory,
    country,
)
from tests.pages.test_html_validity import newsletter_pages
from tests.publications.test_admin_workflow import change_url, edit_data

pytestmark = pytest.mark.django_db

CARRIER = "ru"
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "th" / "LC_MESSAGES" / "django.po"
ACCENTS = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "áƀçđéƒĝĥíĵķĺɱñóƥʠŕšţúʋŵӿýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓƤɊŔŠŢÚƲŴӾÝŽ",
        strict=True,
    )
)
# What a translation must keep as it is: placeholders, tags, entities.
KEPT = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|&[a-z#0-9]+;")
# Names that are the same in every language: the network's, the platforms', the formats'.
PROPER_NAMES = {
    "FORUM-ASIA",
    "RSS",
    "Atom",
    "Facebook",
    "LinkedIn",
    "Twitter",
    "YouTube",
    "WhatsApp",
    "Telegram",
    "Vimeo",
    "SoundCloud",
    "CSV",
    "XLSX",
    # Languages named in their own language (a translation's link, a language switcher).
    "English",
    "Bahasa",
    "Indonesia",
}
ASCII_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z'’-]*[A-Za-z](?![\w-])")


def accented(text):
    parts, last = [], 0
    for kept in KEPT.finditer(text):
        parts.append("".join(ACCENTS.get(c, c) for c in text[last : kept.start()]))
        parts.append(kept.group())
        last = kept.end()
    parts.append("".join(ACCENTS.get(c, c) for c in text[last:]))
    return "⟦" + "".join(parts) + "⟧"


@pytest.fixture(autouse=True)
def pseudo_language(settings, tmp_path):
    source = polib.pofile(str(CATALOGUE))
    pseudo = polib.POFile()
    pseudo.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": CARRIER,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in source:
        if entry.obsolete:
            continue
        fake = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
        if entry.msgid_plural:
            fake.msgid_plural = entry.msgid_plural
            fake.msgstr_plural = {0: accented(entry.msgid), 1: accented(entry.msgid_plural)}
        else:
            fake.msgstr = accented(entry.msgid)
        pseudo.append(fake)
    folder = tmp_path / "pseudo" / CARRIER / "LC_MESSAGES"
    folder.mkdir(parents=True)
    pseudo.save_as_mofile(str(folder / "django.mo"))
    # Changing these settings empties Django's cache of loaded catalogues (setting_changed).
    settings.LOCALE_PATHS = [tmp_path / "pseudo"]
    settings.LANGUAGES = [(CARRIER, "Псевдо"), *settings.LANGUAGES]
    settings.LANGUAGE_CODE = CARRIER
    # Pages and fragments cached in English by an earlier test must not be served.
    cache.clear()


class Reader(HTMLParser):
    """The text a person reads (or hears) on a page: text nodes and the attributes that are
    shown or read aloud; not scripts, styles, code samples or structured data."""

    SKIPPED = {"script", "style", "code", "pre", "template"}
    READ_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "data-player-label"}
    READ_META = {"description", "og:title", "og:description", "og:image:alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping.append(tag)
        attrs = dict(attrs)
        for name in self.READ_ATTRIBUTES & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in {"submit", "button"}:
            self.parts.append(attrs.get("value") or "")
        if tag == "meta" and (attrs.get("name") or attrs.get("property")) in self.READ_META:
            self.parts.append(attrs.get("content") or "")
        if tag == "link" and attrs.get("rel") == "alternate":
            self.parts.append(attrs.get("title") or "")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable(markup):
    reader = Reader()
    reader.feed(markup)
    return reader.parts


def database_text(vocabulary=False):
    """Every text stored in the rows the test made, longest first (so a title goes before
    a word of it), and the text of those that hold HTML."""
    values = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                # Not slugs, codes and states ("newsletter", "th", "published"): as words they
                # would hide English the page says itself.
                if isinstance(value, str) and not re.fullmatch(r"[a-z0-9_-]*", value.strip()):
                    values.add(value.strip())
                    values.update(part.strip() for part in readable(value) if len(part.strip()) > 1)
        if vocabulary:
            # Model and field names, left unmarked in this pass: the history compares fields
            # by them, Django's own "Add ..." names the model.
            names = [model._meta.verbose_name, model._meta.verbose_name_plural]
            names += [getattr(field, "verbose_name", "") for field in model._meta.get_fields()]
            values.update(str(name) for name in names if name)
            values.update(capfirst(str(name)) for name in names if name)
    return sorted(values, key=len, reverse=True)


def leftover_english(texts, stored):
    """The ASCII words left in `texts` once translations (between ⟦ ⟧), stored content,
    addresses, numbers and proper names are taken out."""
    found = []
    for text in texts:
        text = html.unescape(text)
        while True:
            shorter = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
            if shorter == text:
                break
            text = shorter
        text = re.sub(r"\S+@\S+|https?://\S+|(?<!\w)/\S*|\S+\.(?:org|com)\S*", " ", text)
        for value in stored:
            if value in text:
                text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", text)
        text = " ".join(text.split())
        # The rows this test makes say everything in capitals: a highlighted or cut title
        # is still content.
        words = [
            word
            for word in ASCII_WORD.findall(text)
            if word not in PROPER_NAMES and not word.isupper()
        ]
        if words:
            found.append(text)
    return found


def english_on(pages, vocabulary=False):
    """{address: [text with English left]} over `pages` ({address: markup}); `vocabulary`:
    models' and fields' names count as stored content (the admin)."""
    stored = database_text(vocabulary)
    return {
        address: left
        for address, markup in pages.items()
        if (left := leftover_english(readable(markup), stored))
    }


def get(client, address, status=200):
    response = client.get(address)
    assert response.status_code == status, address
    return response.content.decode()


@pytest.fixture
def content():
    """Public content whose every text is stored (and so taken out of the pages)."""
    member = MemberOrganisationFactory(
        name="ALPHA RIGHTS WATCH", acronym="ARW", country=country("TH"), city="BANGKOK"
    )
    former = MemberOrganisationFactory(
        name="BETA FORMER LEAGUE", country=country("TH"), is_active=False
    )
    partner = PartnerOrganisationFactory(name="GAMMA ALLIANCE")
    publication = PublicationFactory(
        title="ZULU STATEMENT ON CIVIC SPACE",
        standfirst="ZULU SUMMARY",
        body="<p>ZULU BODY</p>",
        countries=[country("TH")],
        tags=["ZULU THEME"],
        signatories=[member, partner],
        co_signers="DELTA COLLECTIVE",
        media_contact="ECHO DESK",
    )
    PublicationFactory(type="report", title="YANKEE REPORT", standfirst="YANKEE SUMMARY")
    story = PublicationFactory(
        type="story",
        title="XRAY STORY",
        standfirst="XRAY SUMMARY",
        video_url="https://youtu.be/dQw4w9WgXcQ",
        featured_image_credit="XRAY CREDIT",
    )
    GalleryImageFactory(publication=story, alt_text="XRAY PHOTO", credit="XRAY PHOTOGRAPHER")
    AttachmentFactory(publication=story, title="XRAY FILE")
    draft = PublicationFactory(title="WHISKEY DRAFT", status="draft")
    PublicationFactory(
        title="ZULU STATEMENT IN THAI", translation_of=publication, language="th", standfirst=""
    )
    page = PageFactory(
        title="ABOUT THE NETWORK",
        path="/zulu-annual-report/",
        introduction="ABOUT INTRO",
        body="<p>ABOUT BODY</p>",
    )
    MailingListFactory(name="MONTHLY DIGEST", slug="monthly", description="MONTHLY DESCRIPTION")
    return {
        "member": member,
        "former": former,
        "publication": publication,
        "story": story,
        "draft": draft,
        "page": page,
    }


def test_public_pages_show_no_english_outside_the_catalogue(client, content):
    publication, member = content["publication"], content["member"]
    pages = {
        address: get(client, address)
        for address in [
            "/",
            "/publications/",
            "/statements/",
            "/reports/",
            "/publications/?q=zulu&country=th&tag=zulu-theme&year=2099",
            publication.get_absolute_url(),
            "/search/",
            "/search/?q=ZULU",
            "/search/?q=qwertyuiop",
            "/members/",
            "/members/?q=alpha&country=th",
            "/members/?q=nothing-matches-this",
            member.get_absolute_url(),
            country("TH").get_absolute_url(),
            country("KP").get_absolute_url(),
            content["page"].get_absolute_url(),
            "/newsletter/",
        ]
    }
    pages["/newsletter/confirm/not-a-token/"] = get(client, "/newsletter/confirm/x/", status=400)
    pages["/no-such-page/"] = get(client, "/no-such-page/", status=404)
    pages["former member"] = get(client, content["former"].get_absolute_url())
    pages["story"] = get(client, content["story"].get_absolute_url())
    staff = Client()
    staff.force_login(SuperUserFactory(username="EDITOR"))
    pages["draft preview"] = get(staff, content["draft"].get_absolute_url())

    assert english_on(pages) == {}


def test_the_newsletter_journey_and_its_emails_show_no_english(client, content):
    pages = {}
    response = client.post(
        "/newsletter/",
        {"email": "reader@example.org", "lists": ["monthly"], "consent": "on", "source": "/"},
    )
    pages["check inbox"] = response.content.decode()
    pages["sign-up errors"] = client.post(
        "/newsletter/", {"email": "not an address"}
    ).content.decode()
    (email,) = mail.outbox
    confirm = re.search(r"https?://\S+?(/newsletter/confirm/[^/\s]+/)", email.body).group(1)
    pages["confirm"] = get(client, confirm)
    pages["welcome"] = client.post(confirm).content.decode()
    subscriber = Subscriber.objects.get(email="reader@example.org")
    token = tokens.manage_token(subscriber)
    pages["manage"] = get(client, f"/newsletter/manage/{token}/")
    pages["saved"] = client.post(
        f"/newsletter/manage/{token}/", {"action": "save", "lists": ["monthly"]}, follow=True
    ).content.decode()
    pages["unsubscribe"] = get(client, f"/newsletter/unsubscribe/{token}/")
    pages["unsubscribed"] = client.post(
        f"/newsletter/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    ).content.decode()
    pages["manage, unsubscribed"] = get(client, f"/newsletter/manage/{token}/")
    client.post(
        "/newsletter/", {"email": "reader@example.org", "consent": "on", "lists": ["monthly"]}
    )
    for sent in mail.outbox:
        pages[f"email {sent.subject}"] = (
            f"<p>{html.escape(sent.subject)}</p><div>{html.escape(sent.body)}</div>"
        )
        pages[f"email {sent.subject} (HTML)"] = sent.alternatives[0][0]

    assert english_on(pages) == {}


def test_the_projects_admin_screens_show_no_english(content):
    """Only what the project adds to Django's admin is checked: its own pages, and on
    Django's pages the parts it adds (workflow buttons and notes, the review queue, the
    export buttons and chart, messages). Model and field names are Django's admin's."""
    admin = SuperUserFactory(username="ADMIN")
    client = Client()
    client.force_login(admin)
    publication = content["publication"]
    draft = PublicationFactory(title="VICTOR DRAFT", status="draft")
    client.post(change_url(draft), edit_data(draft, _transition="draft"))
    draft.refresh_from_db()
    client.post(change_url(draft), edit_data(draft, title="VICTOR DRAFT TWO", _transition="review"))
    draft.refresh_from_db()
    versions = list(history.versions_of(draft))
    SubscriberFactory(email="someone@example.org")
    base = change_url(draft)
    history_url = base.replace("/change/", "/history/")

    # Pages the project renders whole, and Django's pages with parts the project adds.
    own_pages = {
        "history": get(client, history_url),
        "compare": get(client, f"{history_url}compare/?from={versions[1].pk}&to={versions[0].pk}"),
        "restore": get(client, f"{history_url}{versions[1].pk}/restore/"),
        "member import": get(client, "/admin/members/memberorganisation/import/"),
        "wordpress upload": get(client, "/admin/wordpress/importrun/add/"),
    }
    djangos_pages = {
        "index": get(client, "/admin/"),
        "publication list": get(client, "/admin/publications/publication/"),
        "change form": get(client, base),
        "published change form": get(client, change_url(publication)),
        "member list": get(client, "/admin/members/memberorganisation/"),
        "subscribers": get(client, "/admin/newsletter/subscriber/"),
        "saved message": client.post(
            base, edit_data(draft, title="VICTOR DRAFT THREE", _transition="review"), follow=True
        ).content.decode(),
    }

    parts = {
        **{name: project_parts(markup, PROJECT_PAGE) for name, markup in own_pages.items()},
        **{name: project_parts(markup, PROJECT_PARTS) for name, markup in djangos_pages.items()},
    }
    assert all(parts.values())
    import pprint

    pprint.pprint(english_on(parts), width=150)
    assert english_on(parts, vocabulary=True) == {}


PROJECT_PAGE = re.compile(r'<div id="content-main"[^>]*>')
PROJECT_PARTS = re.compile(
    r'<(?:div|ul|p|figure|span)[^>]*(?:id="waiting-for-review"|'
    r'class="[^"]*(?:workflow-buttons|workflow-note|messagelist|object-tools|newsletter-chart|'
    r'pub-badge)[^"]*")[^>]*>',
)


def project_parts(markup, starts):
    """The elements of an admin page that `starts` finds (each from its opening tag to its
    closing tag at the same depth)."""
    parts = []
    for start in starts.finditer(markup):
        tag = re.match(r"<(\w+)", start.group()).group(1)
        depth, position = 0, start.start()
        for match in re.finditer(rf"<(/?){tag}\b[^>]*>", markup[start.start() :]):
            depth += -1 if match.group(1) else 1
            if depth == 0:
                position = start.start() + match.end()
                break
        parts.append(markup[start.start() : position])
    return "".join(parts)


def test_every_newsletter_page_shows_no_english(settings, content):
    """The pages the HTML validity test walks: expired links, a fresh link, rate limiting."""
    pages = {
        name: response.content.decode() for name, response in newsletter_pages(Client(), settings)
    }

    assert len(pages) > 15
    assert english_on(pages) == {}
