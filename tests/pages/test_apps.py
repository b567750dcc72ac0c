"""pages/apps.py: editorial pages are stored sanitised, whoever saves them."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

pytestmark = pytest.mark.django_db


def test_editorial_page_content_is_sanitised_on_every_save(client):
    page = FlatPage.objects.create(
        url="/history/",
        title="History",
        content='<p onclick="x()">Founded in 1991.</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a>',
    )
    page.sites.add(Site.objects.get_current())

    page.refresh_from_db()
    assert "script" not in page.content
    assert "onclick" not in page.content
    assert "javascript:" not in page.content
    assert "Founded in 1991." in client.get("/history/").content.decode()
