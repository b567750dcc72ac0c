"""Editorial journeys in real Chromium: a translation added from its original, signatories
ordered by drag and drop and by keyboard, a partner chosen with autocomplete."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from publications.models import Publication
from tests.e2e.test_editorial_workflow import Clicks
from tests.e2e.test_publications import PASSWORD, pick_autocomplete
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    UserFactory,
    country,
)
from tests.publications.conftest import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(page, live_server):
    # A Publisher: these journeys publish what they change.
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Publishers"))
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def signatory_names(page):
    """The member or partner each signatory row names, top to bottom."""
    rows = page.locator("#signatures-group tr.signature-row:not(.empty-form)")
    names = []
    for row in rows.all():
        chosen = row.locator(".select2-selection__rendered").all_inner_texts()
        names.append(" ".join(text.strip("×\n ") for text in chosen).strip())
    return names


def test_a_translation_added_from_the_original_shows_as_one_card_with_a_language_link(
    editor_page, live_server, csp_violations, third_party_requests, screenshot, capsys
):
    page = editor_page
    clicks = Clicks(page)
    lawyers = MemberOrganisationFactory(name="Sample Thai Lawyers", country=country("TH"))
    partner = PartnerOrganisationFactory(name="CIVICUS", website="https://www.civicus.org/")
    original = PublicationFactory(
        title="Sample: end the crackdown on land defenders",
        slug="end-the-crackdown",
        countries=[country("TH")],
        tags=["Land rights"],
        signatories=[lawyers, partner],
        featured_image_alt="Villagers with banners",
    )
    original.featured_image.save("march.jpg", ContentFile(image_bytes()), save=True)
    PublicationFactory(title="Sample: an older statement")

    page.goto(f"{live_server.url}/admin/publications/publication/{original.pk}/change/")
    clicks.click("a:has-text('Add translation') >> nth=0")
    page.wait_for_selector("iframe.cke_wysiwyg_frame", timeout=15_000)

    # Pre-filled from the original: countries, themes, image text, signatories in order.
    assert page.locator("#id_countries + .select2").inner_text().strip("×\n ") == "Thailand"
    assert page.input_value("#id_tags") == '"Land rights"'  # taggit's own spelling
    assert page.input_value("#id_featured_image_alt") == "Villagers with banners"
    assert signatory_names(page) == [str(lawyers), "CIVICUS"]
    assert page.is_checked("#id_reuse_featured_image")
    screenshot("admin-add-translation")

    page.select_option("#id_language", "th")
    clicks.count += 1  # choosing the language from its list: one choice, as one click
    page.locator("#id_title").press_sequentially("ยุติการปราบปรามนักปกป้องที่ดิน")
    clicks.click("button[value=publish] >> nth=0")
    assert "is saved: Published" in page.locator(".messagelist").inner_text()
    with capsys.disabled():
        print(f"\nclicks to add a translation from the original and publish it: {clicks.count}")
    assert clicks.count == 3
    assert csp_violations == []

    thai = Publication.objects.get(language="th")
    assert thai.slug == "end-the-crackdown-th"
    assert [s.signatory.name for s in thai.signatures.all()] == ["Sample Thai Lawyers", "CIVICUS"]
    # A copy of the original's image, the translation's own.
    assert thai.featured_image.name.startswith(f"publications/{thai.files_key}/")
    with thai.featured_image.open("rb") as copy, original.featured_image.open("rb") as source:
        assert copy.read() == source.read()

    # A visitor sees one card for both languages, with the Thai one linked.
    page.context.clear_cookies()
    page.goto(live_server.url + "/publications/")
    cards = page.locator(".pub-card h3")
    assert sorted(cards.all_inner_texts()) == ["Sample: an older statement", original.title]
    page.locator(".pub-card__languages a", has_text="ไทย").click()
    assert page.locator("h1").inner_text() == "ยุติการปราบปรามนักปกป้องที่ดิน"
    assert page.locator(".pub-translations a").inner_text() == "English"
    page.goto(live_server.url + "/publications/")
    screenshot("public-cards-with-languages")
    assert third_party_requests == []


def test_signatories_are_reordered_by_drag_and_by_keyboard_and_a_partner_is_chosen(
    editor_page, live_server, csp_violations, screenshot
):
    page = editor_page
    first, second, third = (
        MemberOrganisationFactory(name=f"Sample Member {name}") for name in ("A", "B", "C")
    )
    PartnerOrganisationFactory(name="CIVICUS", website="https://www.civicus.org/")
    publication = PublicationFactory(
        title="Sample joint statement", signatories=[first, second, third]
    )

    page.goto(f"{live_server.url}/admin/publications/publication/{publication.pk}/change/")
    page.wait_for_selector("iframe.cke_wysiwyg_frame", timeout=15_000)
    rows = page.locator("#signatures-group tr.signature-row:not(.empty-form)")

    # Drag C by its handle above A.
    rows.nth(2).scroll_into_view_if_needed()
    handle = rows.nth(2).locator(".signature-handle").bounding_box()
    target = rows.nth(0).bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, target["y"] + 2, steps=12)
    page.mouse.up()
    assert signatory_names(page) == [str(third), str(first), str(second)]

    # With the keyboard: focus A's "Move down" and press Enter; focus stays on the button.
    rows.nth(1).locator(".signature-down").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "signature-down"
    assert page.locator(".signature-status").inner_text() == "Moved to position 3 of 3."

    # A partner, chosen with autocomplete in a new row.
    page.get_by_text("Add another Signatory").click()
    pick_autocomplete(page, "id_signatures-3-partner", "CIVICUS")
    screenshot("admin-signatories")
    page.locator("button[value=save]").first.click()
    assert "is saved: Published" in page.locator(".messagelist").inner_text()
    assert csp_violations == []

    assert [s.signatory.name for s in publication.signatures.all()] == [
        "Sample Member C",
        "Sample Member B",
        "Sample Member A",
        "CIVICUS",
    ]
    page.context.clear_cookies()
    page.goto(live_server.url + publication.get_absolute_url())
    link = page.locator(".co-signer-list a", has_text="CIVICUS")
    assert link.get_attribute("href") == "https://www.civicus.org/"
    assert link.get_attribute("rel") == "noopener noreferrer nofollow"
