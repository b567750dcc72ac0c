import io
from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter import demo
from newsletter.models import MailingList, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_loads_two_lists_and_200_subscribers_in_asian_scripts_once():
    demo.load(io.StringIO())
    demo.load(io.StringIO())

    assert Subscriber.objects.count() == 200
    assert MailingList.objects.get(is_default=True).name == "Monthly e-newsletter"
    assert MailingList.objects.filter(name="Urgent statements and appeals").exists()
    names = " ".join(Subscriber.objects.values_list("name", flat=True))
    for sample in ("ใจดี", "ចាន់ធី", "ထွန်း", "Nguyễn", "श्रेष्ठ"):
        assert sample in names
    assert Subscriber.objects.filter(created_at__lt=timezone.now() - timedelta(days=300)).exists()
