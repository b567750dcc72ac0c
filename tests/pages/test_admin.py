"""pages/admin.py: editors write editorial pages with the publications' rich-text editor."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

from tests.factories import SuperUserFactory

pytestmark = pytest.mark.django_db


def test_editors_edit_pages_with_the_rich_text_editor(client):
    client.force_login(SuperUserFactory())
    page = FlatPage.objects.get(url="/about/")

    html = client.get(f"/admin/flatpages/flatpage/{page.pk}/change/").content.decode()

    assert "ckeditor" in html.lower()
    response = client.post(
        f"/admin/flatpages/flatpage/{page.pk}/change/",
        {
            "url": "/about/",
            "title": "About us",
            "content": "<p>New text</p><script>alert(1)</script>",
            "sites": [Site.objects.get_current().pk],
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert page.content == "<p>New text</p>"
