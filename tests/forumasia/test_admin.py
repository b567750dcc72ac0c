"""The redirects' admin (forumasia/admin.py): both addresses must be paths on this site."""

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.test import Client
from hypothesis import HealthCheck, given, settings

from tests.factories import editor, publisher
from tests.forumasia.test_redirects import off_site_targets

pytestmark = pytest.mark.django_db

ADD = "/admin/redirects/redirect/add/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_may_not_add_a_redirect_at_all():
    """Redirects change what an address answers the moment they are saved: Publishers'."""
    site = Site.objects.get_current().pk

    response = logged_in(editor()).post(ADD, {"site": site, "old_path": "/a/", "new_path": "/b/"})

    assert response.status_code == 403
    assert not Redirect.objects.exists()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=off_site_targets)
def test_a_publisher_cannot_save_a_redirect_off_the_site(target):
    client = logged_in(publisher())
    site = Site.objects.get_current().pk

    leading_away = client.post(ADD, {"site": site, "old_path": "/old/", "new_path": target})
    from_away = client.post(ADD, {"site": site, "old_path": target, "new_path": "/new/"})

    for response in (leading_away, from_away):
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        # Ours, or Django's own for a NUL, which no field takes.
        assert "Enter a path on this site" in str(errors) or "Null characters" in str(errors)
    assert not Redirect.objects.exists()


def test_a_redirect_to_a_path_on_the_site_or_gone_is_saved():
    client = logged_in(publisher())
    site = Site.objects.get_current().pk

    client.post(ADD, {"site": site, "old_path": "/old/", "new_path": "/publications/?tag=x"})
    client.post(ADD, {"site": site, "old_path": "/withdrawn/", "new_path": ""})

    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/old/": "/publications/?tag=x",
        "/withdrawn/": "",
    }
