"""With uploads in object storage, an editor's photo reaches visitors from the bucket: it is
kept in the bucket's private part and the site serves it (it is a publication's file), under
the Content-Security-Policy, from no other host."""

import pytest

from publications.models import Publication
from tests.e2e.test_publications import photo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_photo_uploaded_by_an_editor_is_shown_to_visitors_from_the_bucket(
    publisher_page,
    live_server,
    tmp_path,
    s3_server,
    s3_bucket,
    csp_violations,
    third_party_requests,
):
    page = publisher_page
    page.fill("#id_title", "Sample: a march for land rights")
    page.fill("#id_slug", "sample-march-for-land-rights")
    page.set_input_files("#id_featured_image", str(photo(tmp_path)))
    page.fill("#id_featured_image_alt", "Villagers marching with banners")
    page.locator("button[value=publish]").first.click()
    assert "is saved: Published" in page.locator(".messagelist").inner_text()

    publication = Publication.objects.get()
    assert f"private/{publication.featured_image.name}" in s3_server.keys(s3_bucket)

    page.context.clear_cookies()
    page.goto(live_server.url + publication.get_absolute_url())
    hero = page.locator(".pub-hero-image img")
    hero.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.pub-hero-image img').complete")
    assert page.evaluate("() => document.querySelector('.pub-hero-image img').naturalWidth") > 0
    shown = page.evaluate("() => document.querySelector('.pub-hero-image img').currentSrc")
    assert shown.startswith(f"{live_server.url}/files/publications/{publication.files_key}/")
    assert csp_violations == []
    assert third_party_requests == []
