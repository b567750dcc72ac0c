"""The main visitor journeys in Thai (/th/) and Indonesian (/id/), in Chromium: home, a list
filtered by type, country and theme, a publication, a search, the newsletter sign-up from the
page's footer, its confirmation email and the preferences page.

What a reader notices is compared with the catalogues (gettext inside the language), not with
copied strings: the navigation and headings in their language, dates with its month names,
every link kept under its prefix, and no cookie on any anonymous page."""

import re
from datetime import datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import gettext

from newsletter.models import Subscriber
from tests.factories import MailingListFactory, MemberOrganisationFactory, PublicationFactory
from tests.factories import country as country_row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAV = ["Publications", "Statements", "Letters", "Reports", "Stories", "Members", "Newsletter"]
PUBLISHED = datetime(2026, 3, 12, 10, 0, tzinfo=timezone.get_default_timezone())

# Each language's version of one statement; the search word is one of its title's words.
VERSIONS = {
    "th": {
        "title": "กัมพูชา ต้องปล่อยตัว นักปกป้องสิทธิในที่ดิน",
        "slug": "cambodia-land-defenders-th",
        "word": "กัมพูชา",
    },
    "id": {
        "title": "Kamboja harus membebaskan para pembela hak atas tanah",
        "slug": "cambodia-land-defenders-id",
        "word": "membebaskan",
    },
}


@pytest.fixture
def statement():
    """An English statement on Cambodia, themed, with its Thai and Indonesian versions, and
    the newsletter's two lists."""
    cambodia = country_row("KH")
    original = PublicationFactory(
        title="Cambodia must release the land defenders",
        slug="cambodia-land-defenders",
        publish_at=PUBLISHED,
        countries=[cambodia],
        tags=["Land rights"],
        signatories=[MemberOrganisationFactory(name="Sample Khmer Rights League")],
    )
    for code, version in VERSIONS.items():
        PublicationFactory(
            title=version["title"],
            slug=version["slug"],
            language=code,
            translation_of=original,
            publish_at=PUBLISHED,
            countries=[cambodia],
            tags=["Land rights"],
        )
    PublicationFactory(title="Elections without observers", countries=[country_row("TH")])
    MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter", is_default=True)
    MailingListFactory(slug="urgent-appeals", name="Urgent statements and appeals")
    return original


def links_outside(page, code):
    """The site's own page links on the page (not the language switcher, static files, feeds
    or media) that leave the /<code>/ prefix."""
    hrefs = page.eval_on_selector_all(
        "a[href]:not(.language-switcher a)", "links => links.map(a => a.getAttribute('href'))"
    )
    own = [urlsplit(href).path for href in hrefs if href.startswith("/")]
    return [
        path
        for path in own
        if not path.startswith((f"/{code}/", "/static/", "/media/", "/feeds/", "/files/"))
    ]


def assert_in_language(page, code, *, anonymous=True):
    """The page is in the language `code`; `anonymous`: it has set no cookie (the newsletter's
    forms set the CSRF cookie, in every language)."""
    assert page.locator("html").get_attribute("lang") == code
    assert page.locator(".site-nav a").all_inner_texts() == [gettext(item) for item in NAV]
    assert links_outside(page, code) == []
    if anonymous:
        assert page.context.cookies() == []


@pytest.mark.parametrize("code", ["th", "id"])
def test_a_reader_walks_the_site_and_signs_up_in_their_language(
    page, live_server, statement, mailoutbox, code, third_party_requests, screenshot
):
    version = VERSIONS[code]
    with translation.override(code):
        month, short_month = str(MONTHS[PUBLISHED.month]), str(MONTHS_3[PUBLISHED.month])
        page.goto(f"{live_server.url}/{code}/")
        assert_in_language(page, code)
        screenshot(f"home-{code}")

        # The list, by the type tab, then filtered by country and theme.
        page.locator(".site-nav").get_by_role("link", name=gettext("Publications")).click()
        page.wait_for_url(f"**/{code}/publications/")
        assert page.locator("h1").inner_text() == gettext("Publications")
        tabs = page.locator(".type-tabs")
        tabs.get_by_role("link", name=gettext("Statements")).click()
        page.wait_for_url(f"**/{code}/statements/")
        assert page.locator("h1").inner_text() == gettext("Statements")
        tabs.get_by_role("link", name=gettext("All")).click()
        page.wait_for_url(f"**/{code}/publications/")
        page.get_by_label(gettext("Country"), exact=True).select_option("kh")
        page.get_by_label(gettext("Theme"), exact=True).select_option("land-rights")
        page.get_by_role("button", name=gettext("Apply")).click()
        page.wait_for_url(re.compile(rf"/{code}/publications/\?.*country=kh"))
        cards = page.locator(".pub-card")
        assert cards.count() == 1
        # The card of the group is the reader's language's version, dated in it.
        assert cards.first.get_by_role("link", name=version["title"]).is_visible()
        assert short_month.title() in cards.first.locator("time").inner_text()
        assert_in_language(page, code)
        screenshot(f"list-{code}")

        # The publication.
        cards.first.get_by_role("link", name=version["title"]).click()
        page.wait_for_url(f"**/{code}/publications/{version['slug']}/")
        assert page.locator("h1").inner_text() == version["title"]
        assert page.locator(".pub-header time").inner_text() == f"12 {month} 2026"
        assert_in_language(page, code)
        screenshot(f"detail-{code}")

        # A search from the header for a word of the title.
        page.get_by_label(gettext("Search the site")).fill(version["word"])
        page.get_by_label(gettext("Search the site")).press("Enter")
        page.wait_for_url(f"**/{code}/search/?q=*")
        results = page.locator(".search-result")
        assert results.count() == 1
        assert results.first.get_by_role("link", name=version["title"]).is_visible()
        assert_in_language(page, code)
        screenshot(f"search-{code}")

        # The newsletter, from the footer of the search page.
        footer = page.locator("footer .nl-footer-form")
        footer.get_by_label(gettext("Email address")).fill(f"reader.{code}@example.org")
        footer.get_by_role("button", name=gettext("Subscribe")).click()
        page.wait_for_url(f"**/{code}/newsletter/start/")
        page.locator("#id_consent").check()
        page.locator("main").get_by_role("button", name=gettext("Subscribe")).click()
        assert page.get_by_role("heading", level=1).inner_text() == gettext("Check your inbox")
        assert_in_language(page, code, anonymous=False)

        subscriber = Subscriber.objects.get()
        [message] = mail.outbox
        subject = gettext("Please confirm your subscription to the %(SITE_NAME)s newsletter")
        assert message.subject == subject % {"SITE_NAME": settings.SITE_NAME}
        confirm = re.search(rf"//[^/\s]+(/{code}/newsletter/confirm/[^\s\"/]+/)", message.body)
        assert confirm, message.body

        page.context.clear_cookies()
        page.goto(live_server.url + confirm.group(1))
        assert page.get_by_role("heading", level=1).inner_text() == gettext(
            "Confirm your subscription"
        )
        assert_in_language(page, code)
        page.get_by_role("button", name=gettext("Confirm my subscription")).click()
        subscriber.refresh_from_db()
        assert subscriber.status == Subscriber.Status.CONFIRMED
        assert subscriber.language == code  # its later emails are written in it
        assert_in_language(page, code, anonymous=False)

        # The preferences page, in the language, saved.
        page.get_by_role("link", name=gettext("Manage your lists")).click()
        page.wait_for_url(f"**/{code}/newsletter/manage/*/")
        page.get_by_role("checkbox", name=re.compile("Urgent statements")).check()
        page.get_by_role("button", name=gettext("Save my choices")).click()
        assert page.get_by_text(gettext("Your choices are saved.")).is_visible()
        assert page.get_by_role("checkbox", name=re.compile("Urgent statements")).is_checked()
        assert_in_language(page, code, anonymous=False)
        screenshot(f"newsletter-manage-{code}")
        assert third_party_requests == []
