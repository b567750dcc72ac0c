"""forumasia/apps.py: what `migrate` keeps in step with the settings."""

import pytest
from django.contrib.sites.models import Site

pytestmark = pytest.mark.django_db


def test_site_domain_follows_site_url():
    assert Site.objects.get_current().domain == "127.0.0.1:8000"
