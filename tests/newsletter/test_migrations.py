import pytest
from django.core import signing
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from newsletter import subscriptions, tokens

BEFORE = [("newsletter", "0002_communications_staff_group")]


@pytest.mark.django_db(transaction=True)
def test_confirmation_links_mailed_before_signup_requests_still_confirm_what_was_asked():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    monthly = old.get_model("newsletter", "MailingList").objects.create(
        name="Monthly", slug="monthly", is_default=True
    )
    subscriber = old.get_model("newsletter", "Subscriber").objects.create(
        email="early@example.org",
        name="ស្រីពៅ",
        status="pending",
        consent_text="I agree.",
        consented_at=timezone.now(),
        confirmation_round=3,
    )
    old.get_model("newsletter", "Subscription").objects.create(
        subscriber=subscriber, mailing_list=monthly, subscribed_at=timezone.now()
    )
    mailed_link = signing.dumps({"s": subscriber.pk, "r": 3}, salt=tokens.CONFIRM_SALT)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app back at its latest
    confirmed = subscriptions.confirm(token=mailed_link)

    assert (confirmed.status, confirmed.name, confirmed.consent_text) == (
        "confirmed",
        "ស្រីពៅ",
        "I agree.",
    )
    assert list(confirmed.lists.values_list("slug", flat=True)) == ["monthly"]
