"""README's "Rotate the secret key": with the old key in DJANGO_SECRET_KEY_FALLBACKS, every
link already mailed (confirm, manage, unsubscribe) and every staff session made under it keeps
working; once the fallback is removed, none of them does, and nothing answers 500."""

import pytest
from django.test import Client
from django.urls import reverse

from newsletter import subscriptions, tokens
from newsletter.models import SignupRequest
from tests.factories import MailingListFactory, StaffUserFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "old-" + "k" * 60
NEW_KEY = "new-" + "n" * 60


@pytest.fixture
def signed_under_the_old_key(settings):
    """Links and a staff session made while OLD_KEY was the site's key."""
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    monthly = MailingListFactory(slug="e-newsletter", is_default=True)
    subscriber = SubscriberFactory(lists=[monthly])
    subscriptions.subscribe(email="new.reader@example.org", consent_text="Sample consent.")
    signup = SignupRequest.objects.get(subscriber__email="new.reader@example.org")
    staff = Client()
    staff.force_login(StaffUserFactory())
    return {
        "manage": reverse("newsletter:manage", args=[tokens.manage_token(subscriber)]),
        "unsubscribe": reverse("newsletter:unsubscribe", args=[tokens.manage_token(subscriber)]),
        "confirm": reverse("newsletter:confirm", args=[tokens.confirmation_token(signup)]),
        "staff": staff,
    }


def test_during_a_rotation_old_links_and_sessions_keep_working(settings, signed_under_the_old_key):
    links = signed_under_the_old_key
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]

    manage = Client().get(links["manage"])
    unsubscribe = Client().get(links["unsubscribe"])
    confirm = Client().post(links["confirm"])  # the button on the page the link opens

    assert manage.status_code == 200 and b"Unsubscribe from everything" in manage.content
    assert unsubscribe.status_code == 200
    assert confirm.status_code in (200, 302)
    assert b"expired" not in confirm.content.lower()
    assert links["staff"].get("/admin/").status_code == 200


def test_after_the_fallback_is_removed_old_links_and_sessions_stop_working(
    settings, signed_under_the_old_key
):
    links = signed_under_the_old_key
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, []

    answers = [Client().get(links[name]) for name in ("manage", "unsubscribe", "confirm")]

    assert all(400 <= answer.status_code < 500 for answer in answers)
    assert all(b"Unsubscribe from everything" not in answer.content for answer in answers)
    assert links["staff"].get("/admin/").status_code == 302  # to the login page
