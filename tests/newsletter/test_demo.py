import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation

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


def test_demo_lists_are_named_in_thai_and_indonesian_also_when_loaded_before_they_were():
    demo.load(io.StringIO())
    MailingList.objects.update(name_th=None, name_ind=None, description_th=None)

    demo.load(io.StringIO())

    with translation.override("th"):
        assert MailingList.objects.get(is_default=True).name == "จดหมายข่าวอิเล็กทรอนิกส์รายเดือน"
    with translation.override("id"):
        urgent = MailingList.objects.get(slug="urgent-appeals")
        assert (urgent.name, urgent.description) == (
            "Pernyataan dan seruan mendesak",
            "Dikirim ketika pembela HAM dalam bahaya dan perlu segera bertindak.",
        )
    assert MailingList.objects.get(is_default=True).name == "Monthly e-newsletter"


def test_demo_keeps_the_translations_staff_wrote():
    demo.load(io.StringIO())
    MailingList.objects.filter(is_default=True).update(name_th="จดหมายข่าว")

    demo.load(io.StringIO())

    assert MailingList.objects.get(is_default=True).name_th == "จดหมายข่าว"
