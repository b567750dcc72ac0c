"""The editorial workflow in real Chromium: an editor drafts and submits, a publisher reviews
the changes and schedules with an unpublish time, and visitors see the item appear and go on
time (the live server runs in this process, so time_machine moves its clock); a slug change
leaves a working 301; an older version is restored; two editors at once get the conflict.

Clicks are counted where the issue asks for them (creating and publishing a statement with
three signatories, restoring a version): typing is not a click.
"""

import re
from base64 import b64encode
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from forumasia import history
from publications import services
from publications.models import Publication
from tests.e2e.editor_session import SEND_FILE, photo_with_gps, wait_for_uploaded_images
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    editor,
    publisher,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
BODY = "iframe.cke_wysiwyg_frame"
CHANGELIST = "/admin/publications/publication/"


class Clicks:
    """A page whose clicks are counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, selector, **kwargs):
        self.count += 1
        self.page.click(selector, **kwargs)


def signed_in(browser, live_server, user):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#content-main")
    return page


def wait_for_editor(page):
    # A function, not an expression: Playwright polls expressions with eval(), which the
    # admin's CSP refuses.
    page.wait_for_function(
        "() => window.CKEDITOR && CKEDITOR.instances.id_body "
        "&& CKEDITOR.instances.id_body.status === 'ready'"
    )


def type_in_body(page, text):
    wait_for_editor(page)
    body = page.frame_locator(BODY).locator("body")
    body.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def set_time(page, field, moment):
    local = timezone.localtime(moment)
    page.fill(f"#id_{field}_0", local.strftime("%Y-%m-%d"))
    page.fill(f"#id_{field}_1", local.strftime("%H:%M:%S"))


def message(page):
    """The message the admin shows after a save (waits for the page that shows it)."""
    return page.locator("ul.messagelist").inner_text()


def visitor_sees(visitor, live_server, path, text):
    response = visitor.goto(live_server.url + path)
    return response.status == 200 and text in visitor.content()


def test_editor_submits_publisher_schedules_and_visitors_see_it_come_and_go(
    browser, live_server, csp_violations
):
    writer = editor(username="writer")
    reviewer = publisher(username="reviewer")

    page = signed_in(browser, live_server, writer)
    page.goto(live_server.url + CHANGELIST + "add/")
    page.fill("#id_title", "Release the land defenders")
    type_in_body(page, "The army must release them.")
    page.evaluate(
        SEND_FILE, ["paste", "march.jpg", "image/jpeg", b64encode(photo_with_gps("red")).decode()]
    )
    wait_for_uploaded_images(page, 1)
    page.click("button[value=draft] >> nth=-1")
    assert "is saved: Draft" in message(page)
    [pasted] = re.findall(r'<img src="/media/(uploads/[^"]+)"', Publication.objects.get().body)
    with default_storage.open(pasted) as stored, Image.open(stored) as photo:
        assert not photo.getexif()
    type_in_body(page, "The police must release them now.")
    page.click("button[value=review] >> nth=-1")
    assert "is saved: In review" in message(page)
    publication = Publication.objects.get()
    assert not page.locator("button[value=publish]").count()

    review = signed_in(browser, live_server, reviewer)
    waiting = review.locator("#waiting-for-review")
    assert "Release the land defenders" in waiting.inner_text()
    waiting.get_by_role("link", name="changes").click()
    review.click("text=Compare selected versions")
    assert review.locator("td.history-old del").first.inner_text() == "army"
    assert review.locator("td.history-new ins").first.inner_text() == "police"

    review.goto(live_server.url + f"{CHANGELIST}{publication.pk}/change/")
    wait_for_editor(review)
    start = (timezone.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=2)
    set_time(review, "publish_at", start)
    set_time(review, "unpublish_at", end)
    review.click("button[value=schedule] >> nth=-1")
    assert "is saved: Scheduled" in message(review)
    assert csp_violations == []

    detail = publication.get_absolute_url()
    surfaces = {
        "/publications/": "Release the land defenders",
        "/statements/": "Release the land defenders",
        detail: "The police must release them now.",
        "/feeds/rss/": "Release the land defenders",
        "/feeds/atom/": "Release the land defenders",
        "/sitemap-publications.xml": detail,
    }

    def seen():
        # A new visitor each time: the browser's own HTTP cache runs on the real clock, which
        # time_machine does not move (a real visitor's cache expires with real time).
        visitor = browser.new_context().new_page()
        return {
            path
            for path, text in surfaces.items()
            if visitor_sees(visitor, live_server, path, text)
        }

    for moment, expected in [
        (start - timedelta(seconds=5), set()),
        (start + timedelta(seconds=1), set(surfaces)),
        (end - timedelta(seconds=5), set(surfaces)),
        (end + timedelta(seconds=1), set()),
    ]:
        # The clock stands still at each moment: on a busy machine the six pages can take
        # longer than the five seconds between a moment and the next change.
        with time_machine.travel(moment, tick=False):
            assert seen() == expected, moment
    with time_machine.travel(end + timedelta(seconds=1), tick=False):
        assert browser.new_context().new_page().goto(live_server.url + detail).status == 404


def test_publisher_creates_and_publishes_a_statement_with_three_signatories_and_a_partner(
    browser, live_server, capsys
):
    names = ["Informal Sector Service Centre", "Cambodian League", "Thai Lawyers for Rights"]
    for name in names:
        MemberOrganisationFactory(name=name)
    PartnerOrganisationFactory(name="CIVICUS", website="https://www.civicus.org/")
    page = signed_in(browser, live_server, publisher(username="reviewer"))
    clicks = Clicks(page)

    clicks.click("a[href='/admin/publications/publication/add/']")
    page.fill("#id_title", "Joint statement on civic space")
    type_in_body(page, "We, the undersigned, call for the release of the defenders.")
    for row, name in enumerate(names):
        clicks.click("text=Add another Signatory")
        clicks.click(f"#signatures-{row} td.field-member .select2-selection")
        page.keyboard.type(name.split()[0])
        clicks.click(f".select2-results__option:has-text('{name}')")
    clicks.click("text=Add another Signatory")
    clicks.click("#signatures-3 td.field-partner .select2-selection")
    page.keyboard.type("CIV")
    clicks.click(".select2-results__option:has-text('CIVICUS')")
    clicks.click("button[value=publish] >> nth=-1")

    assert "is saved: Published" in message(page)
    publication = Publication.objects.get()
    assert publication.is_public
    assert [s.signatory.name for s in publication.signatures.all()] == [*names, "CIVICUS"]
    with capsys.disabled():
        print(
            "\nclicks to create and publish a statement with 3 signatories and a partner: "
            f"{clicks.count}"
        )
    assert clicks.count == 14


def test_a_slug_change_leaves_a_working_301(browser, live_server):
    publication = PublicationFactory(slug="old-address", title="Moving statement")
    page = signed_in(browser, live_server, publisher(username="reviewer"))
    page.goto(live_server.url + f"{CHANGELIST}{publication.pk}/change/")
    wait_for_editor(page)

    page.fill("#id_slug", "new-address")
    page.click("button[value=save] >> nth=-1")
    assert "is saved: Published" in message(page)

    visitor = browser.new_context().new_page()
    redirects = []
    visitor.on("response", lambda r: redirects.append(r.status) if r.status in (301, 302) else None)
    response = visitor.goto(live_server.url + "/publications/old-address/")
    assert response.status == 200 and visitor.url.endswith("/publications/new-address/")
    assert redirects == [301]
    assert "Moving statement" in visitor.content()


def test_an_older_version_is_restored_in_three_clicks(browser, live_server, capsys):
    reviewer = publisher(username="reviewer")
    publication = PublicationFactory(status="draft", title="The first title")
    services.save_publication(publication=publication, user=reviewer)
    publication.title = "A worse title"
    services.save_publication(publication=publication, user=reviewer)
    page = signed_in(browser, live_server, reviewer)
    page.goto(live_server.url + f"{CHANGELIST}{publication.pk}/change/")
    clicks = Clicks(page)

    clicks.click("a.historylink")
    clicks.click("text=Restore this version…")
    assert "A worse title" in page.locator("td.history-old").first.inner_text()
    clicks.click("input[value='Restore this version']")

    assert "is restored" in message(page)
    assert page.input_value("#id_title") == "The first title"
    assert history.versions_of(publication).count() == 3
    with capsys.disabled():
        print(f"\nclicks to restore a version from the publication's form: {clicks.count}")
    assert clicks.count == 3


def test_two_editors_at_once_the_second_save_is_stopped_with_the_diff_link(browser, live_server):
    publication = PublicationFactory(status="draft", title="Shared draft")
    services.save_publication(publication=publication, user=publisher())
    form = f"{CHANGELIST}{publication.pk}/change/"
    first = signed_in(browser, live_server, editor(username="first"))
    second = signed_in(browser, live_server, editor(username="second"))
    for page in (first, second):
        page.goto(live_server.url + form)
        wait_for_editor(page)

    first.fill("#id_title", "First editor's title")
    first.click("button[value=draft] >> nth=-1")
    assert "is saved: Draft" in message(first)
    second.fill("#id_title", "Second editor's title")
    second.click("button[value=draft] >> nth=-1")

    assert "first saved this after you opened it" in second.locator(".errorlist").first.inner_text()
    assert second.input_value("#id_title") == "Second editor's title"
    assert Publication.objects.get().title == "First editor's title"
    second.click("text=See what they changed")
    assert "First editor" in second.locator("td.history-new").first.inner_text()
