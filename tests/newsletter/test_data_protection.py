from datetime import timedelta

import pytest

from newsletter import data_protection
from newsletter.models import Erasure, SignupRequest, Subscriber, SubscriberExport, Subscription
from tests.factories import SubscriberFactory, country

pytestmark = pytest.mark.django_db


def test_erase_deletes_personal_data_and_keeps_an_anonymous_count(monthly, django_user_model):
    staff = django_user_model.objects.create(username="dpo")
    subscriber = SubscriberFactory(email="gone@example.org", name="Gone", lists=[monthly])

    erasure = data_protection.erase(subscriber=subscriber, by=staff)

    assert not Subscriber.objects.filter(email="gone@example.org").exists()
    assert not Subscription.objects.exists()
    assert Erasure.objects.count() == 1
    assert erasure.status == "confirmed" and erasure.erased_by == staff
    assert "gone" not in str(erasure).lower()


def test_subscriber_data_holds_everything_we_keep_and_is_logged(monthly):
    subscriber = SubscriberFactory(
        email="me@example.org", name="ဇော်မင်း ဦး", country=country("MM"), lists=[monthly]
    )

    data = data_protection.export_subscriber_data(subscriber=subscriber)

    assert data["email"] == "me@example.org"
    assert data["name"] == "ဇော်မင်း ဦး"
    assert data["country"] == "Myanmar"
    assert data["lists"][0]["list"] == "Monthly e-newsletter"
    assert data["consent_text"] == "Sample consent."
    assert SubscriberExport.objects.get().format == "json"


def test_subscriber_data_includes_signups_waiting_for_confirmation(waiting_signup):
    subscriber = waiting_signup(requested_ago=timedelta(hours=1))
    SignupRequest.objects.filter(subscriber=subscriber).update(name="ဇော်မင်း ဦး")

    data = data_protection.export_subscriber_data(subscriber=subscriber)

    assert data["sign_ups"][0]["name"] == "ဇော်မင်း ဦး"
    assert data["sign_ups"][0]["lists"] == ["Monthly e-newsletter"]
    assert data["sign_ups"][0]["confirmed_at"] is None
