"""A publication's photo and report, in real Chromium: the visitor sees the photo and downloads
the report under its title once the item is published, and gets nothing of them while it is a
draft, though staff do."""

import pytest

from forumasia.files import owned_files
from publications.demo import SAMPLE_PDF
from publications.models import Publication
from tests.e2e.test_publications import photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_the_photo_and_downloads_the_report_only_once_it_is_published(
    publisher_page, live_server, tmp_path, browser, csp_violations, third_party_requests, screenshot
):
    page = publisher_page
    report = tmp_path / "embargoed-report-2027-FINAL.pdf"
    report.write_bytes(SAMPLE_PDF)
    page.fill("#id_title", "Sample: land defenders in court")
    page.fill("#id_slug", "sample-land-defenders-in-court")
    page.set_input_files("#id_featured_image", str(photo(tmp_path)))
    page.fill("#id_featured_image_alt", "Villagers marching with banners")
    page.locator("#attachments-group .add-row a").click()
    page.fill("#id_attachments-0-title", "Annual report 2027")
    page.set_input_files("#id_attachments-0-file", str(report))
    page.locator("button[value=draft]").first.click()
    assert "is saved: Draft" in page.locator(".messagelist").inner_text()
    publication = Publication.objects.get()
    attachment = publication.attachments.get()
    files = [publication.featured_image.name, attachment.file.name]

    visitor = browser.new_context().new_page()
    for name in files:
        assert visitor.goto(live_server.url + owned_files.url(name)).status == 404
    # The editor's preview shows the draft's photo.
    page.goto(live_server.url + publication.get_absolute_url())
    page.wait_for_function("() => document.querySelector('.pub-hero-image img').naturalWidth > 0")

    page.goto(f"{live_server.url}/admin/publications/publication/{publication.pk}/change/")
    page.locator("button[value=publish]").first.click()
    assert "is saved: Published" in page.locator(".messagelist").inner_text()

    visitor.goto(live_server.url + publication.get_absolute_url())
    hero = "document.querySelector('.pub-hero-image img')"
    visitor.wait_for_function(f"() => {hero}.complete && {hero}.naturalWidth > 0")
    assert "/files/publications/" in visitor.evaluate(f"() => {hero}.currentSrc")
    with visitor.expect_download() as download:
        visitor.locator(".download-list a").first.click()
    assert download.value.suggested_filename == "Annual report 2027.pdf"
    assert download.value.path().read_bytes() == owned_files.open(attachment.file.name).read()
    assert "embargoed" not in visitor.content()
    page.context.clear_cookies()
    page.goto(live_server.url + publication.get_absolute_url())
    page.evaluate(
        "() => document.querySelectorAll('img[loading=lazy]')"
        ".forEach(img => { img.loading = 'eager'; })"
    )
    page.wait_for_load_state("networkidle")
    screenshot("publication-with-photo-and-report")
    assert csp_violations == []
    assert third_party_requests == []
