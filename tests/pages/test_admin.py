"""pages/admin.py: editors write editorial pages with the publications' rich-text editor."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

from tests.factories import SuperUserFactory

pytestmark = pytest.mark.django_db


def change(client, page, content):
    return client.post(
        f"/admin/flatpages/flatpage/{page.pk}/change/",
        {
            "url": "/about/",
            "title": "About us",
            "content": content,
            "sites": [Site.objects.get_current().pk],
        },
    )


def test_editors_edit_pages_with_the_rich_text_editor(client):
    client.force_login(SuperUserFactory())
    page = FlatPage.objects.get(url="/about/")

    html = client.get(f"/admin/flatpages/flatpage/{page.pk}/change/").content.decode()

    assert "ckeditor" in html.lower()
    assert "publications/ckeditor-notices.js" in html
    response = change(client, page, '<p class="MsoNormal"><span>New text</span></p>')
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.content == "<p>New text</p>"


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "<p>New text</p><script>alert(1)</script>",
            "Scripts, styles, forms and drawings cannot be published in the text: <script>.",
        ),
        (
            '<iframe src="https://www.youtube.com/embed/x"></iframe>',
            "Embedded content cannot be published in the text: <iframe> from "
            "https://www.youtube.com/embed/x. Remove it, or link to it instead.",
        ),
        (
            '<p><img src="https://example.org/team.jpg" alt="Team"></p>',
            "Upload these images instead: https://example.org/team.jpg.",
        ),
    ],
)
def test_a_page_whose_cleaning_would_lose_something_is_refused_by_name(client, content, message):
    client.force_login(SuperUserFactory())
    page = FlatPage.objects.get(url="/about/")
    before = page.content

    response = change(client, page, content)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["content"]
    assert errors["content"][0].startswith(message)
    page.refresh_from_db()
    assert page.content == before
