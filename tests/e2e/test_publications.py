"""Editor and visitor journeys for publications, in real Chromium."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from PIL import Image

from publications.models import Publication
from tests.factories import MemberOrganisationFactory, PublicationFactory, UserFactory, country

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


PASSWORD = "correct horse battery staple"


def photo(tmp_path):
    image = Image.new("RGB", (1600, 900), "#0b5d6b")
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)})
    path = tmp_path / "march.jpg"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path.write_bytes(buffer.getvalue())
    return path


def pick_autocomplete(page, select_id, text):
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()


def test_publisher_publishes_a_statement_and_a_visitor_finds_it_by_country(
    page, live_server, tmp_path, csp_violations, third_party_requests, screenshot
):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Publishers"))
    MemberOrganisationFactory(name="Sample Khmer Rights League", country=country("KH"))
    PublicationFactory(title="An older sample statement", countries=[country("KH")])

    # The editor logs in and writes the statement.
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/publications/publication/add/")
    page.wait_for_selector("iframe.cke_wysiwyg_frame", timeout=15_000)
    page.select_option("#id_type", "statement")
    page.locator("#id_title").press_sequentially("Cambodia must release the land defenders")
    assert page.input_value("#id_slug") == "cambodia-must-release-the-land-defenders"
    page.fill("#id_standfirst", "Sample: the network calls for the release of five defenders.")
    page.frame_locator("iframe.cke_wysiwyg_frame").locator("body").click()
    page.keyboard.type("We call on the authorities to release the five land defenders.")
    page.set_input_files("#id_featured_image", str(photo(tmp_path)))
    page.fill("#id_featured_image_alt", "Villagers marching with banners")
    pick_autocomplete(page, "id_countries", "Cambodia")
    page.fill("#id_tags", "Land rights")
    page.get_by_text(re.compile("Add another signatory", re.I)).click()
    pick_autocomplete(page, "id_signatures-0-member", "Sample Khmer Rights League")
    page.locator("button[value=publish]").first.click()
    assert "is saved: Published" in page.locator(".messagelist").inner_text()
    assert page.locator(".pub-badge--published").first.is_visible()
    assert csp_violations == []

    publication = Publication.objects.get(slug="cambodia-must-release-the-land-defenders")
    assert publication.is_public
    assert len(publication.featured_image_renditions) == 3

    # A visitor (no session) finds it on the list filtered by the country and opens it.
    page.context.clear_cookies()
    page.goto(live_server.url + "/publications/?country=kh")
    assert page.locator(".chip--remove", has_text="Cambodia").is_visible()
    page.get_by_role("link", name="Cambodia must release the land defenders").click()
    assert page.locator("h1").inner_text() == "Cambodia must release the land defenders"
    assert page.get_by_role("link", name="Sample Khmer Rights League").is_visible()
    hero = page.locator(".pub-hero-image img")
    assert hero.get_attribute("alt") == "Villagers marching with banners"
    assert "400w" in hero.get_attribute("srcset")
    # Reached by a click, which does not wait for the page's images: wait until the browser
    # has finished with it (loaded or broken), then check it loaded.
    page.wait_for_function("() => document.querySelector('.pub-hero-image img').complete")
    assert page.evaluate("document.querySelector('.pub-hero-image img').naturalWidth") > 0
    assert page.locator(".preview-banner").count() == 0
    assert third_party_requests == []


def test_newsroom_pages_with_demo_content_look_right_and_load_nothing_third_party(
    page, live_server, third_party_requests, screenshot
):
    from members import demo as members_demo
    from publications import demo as publications_demo

    members_demo.load(stdout=io.StringIO())
    publications_demo.load(stdout=io.StringIO())

    page.goto(live_server.url + "/publications/")
    assert page.locator(".pub-card").count() == 20
    screenshot("publications-list")
    page.goto(live_server.url + "/statements/?tag=civic-space")
    screenshot("publications-statements-filtered")

    statement = (
        Publication.objects.published()
        .filter(type="statement")
        .exclude(featured_image="")
        .exclude(signatures=None)
        .first()
    )
    page.goto(live_server.url + statement.get_absolute_url())
    assert page.locator(".signatory-list li").count() >= 3
    screenshot("publication-detail")

    story = Publication.objects.published().filter(type="story").exclude(video_url="").first()
    page.goto(live_server.url + story.get_absolute_url())
    assert page.locator("iframe").count() == 0
    screenshot("publication-story")
    assert third_party_requests == []

    page.get_by_role("button", name="Play video").click()
    frame = page.locator(".media-embed iframe")
    assert frame.get_attribute("src").startswith("https://www.youtube-nocookie.com/embed/")


def test_editor_sees_a_marked_preview_of_a_draft_and_a_visitor_gets_404(page, live_server):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    draft = PublicationFactory(title="Not yet public", status="draft")

    assert page.goto(live_server.url + draft.get_absolute_url()).status == 404
    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    response = page.goto(live_server.url + draft.get_absolute_url())

    assert response.status == 200
    assert page.locator(".preview-banner").inner_text().startswith("Preview — not public")
