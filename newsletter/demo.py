"""Fictional sample subscribers for `manage.py load_demo`: two lists and about 200 people.

Seed data, not sign-ups: it is written straight to the tables (with back-dated times, so the
admin chart has two years to show) instead of through subscriptions.subscribe(), which would
email every address. All addresses are on example.org, which cannot receive mail.
"""

import random
from datetime import timedelta

from django.utils import timezone

from members.models import Country

from .models import MailingList, Subscriber, Subscription

# Each list's name and description in the site's languages (newsletter/translation.py; the
# Indonesian columns end in _ind: modeltranslation avoids "_id", the ending of foreign keys).
LISTS = [
    {
        "slug": "e-newsletter",
        "name_en": "Monthly e-newsletter",
        "name_th": "จดหมายข่าวอิเล็กทรอนิกส์รายเดือน",
        "name_ind": "Buletin elektronik bulanan",
        "description_en": "Highlights from the network once a month: statements, reports, stories.",
        "description_th": "เรื่องเด่นจากเครือข่ายเดือนละครั้ง: แถลงการณ์ รายงาน และเรื่องราว",
        "description_ind": "Sorotan dari jaringan sebulan sekali: pernyataan, laporan, dan kisah.",
        "is_default": True,
        "position": 0,
    },
    {
        "slug": "urgent-appeals",
        "name_en": "Urgent statements and appeals",
        "name_th": "แถลงการณ์และคำร้องเร่งด่วน",
        "name_ind": "Pernyataan dan seruan mendesak",
        "description_en": "Sent when defenders are at risk and action is needed quickly.",
        "description_th": "ส่งเมื่อนักปกป้องสิทธิมนุษยชนตกอยู่ในอันตรายและต้องลงมือโดยเร็ว",
        "description_ind": "Dikirim ketika pembela HAM dalam bahaya dan perlu segera bertindak.",
        "is_default": False,
        "position": 1,
    },
]
TRANSLATED = ("name_th", "name_ind", "description_th", "description_ind")

# (country code, given names, family names): fictional combinations in the scripts people use.
PEOPLE = [
    ("TH", ["สมศรี", "กิตติพงษ์", "นภาพร", "วิไลวรรณ", "ธนากร"], ["ใจดี", "ศรีสุข", "แก้วมณี", "บุญมา"]),
    ("KH", ["សុខ", "ស្រីពៅ", "វណ្ណា", "ច័ន្ទតារា"], ["ចាន់ធី", "ម៉ៅ", "ហេង", "សឹម"]),
    ("MM", ["အောင်", "နီလာ", "သီတာ", "ဇော်မင်း"], ["ကျော်", "ဝင်း", "ထွန်း", "ဦး"]),
    ("VN", ["Nguyễn Thị", "Trần Văn", "Lê Thu", "Phạm Quốc"], ["Lan", "Minh", "Hà", "Bảo"]),
    ("NP", ["सीता", "राम बहादुर", "गीता", "अनिल"], ["श्रेष्ठ", "थापा", "गुरुङ", "तामाङ"]),
    ("PH", ["Maria", "Jose", "Liza", "Ramon"], ["Santos", "Dela Cruz", "Reyes", "Bautista"]),
    ("ID", ["Sari", "Budi", "Rina", "Agus"], ["Wulandari", "Santoso", "Hartono", "Pratama"]),
    ("BD", ["Farida", "Rahim", "Nasrin", "Kamal"], ["Begum", "Uddin", "Akter", "Hossain"]),
    ("MN", ["Bat-Erdene", "Oyun", "Tuya", "Ganbaatar"], ["Ganbold", "Bold", "Dorj", "Sukh"]),
    ("PK", ["Aisha", "Bilal", "Sana", "Imran"], ["Rahman", "Khan", "Malik", "Qureshi"]),
]
ORGANISATIONS = [
    "",
    "",
    "Sample Legal Aid Clinic",
    "Example Women's Rights Collective",
    "Fictional Journalists' Union",
    "Demo Land Rights Network",
    "Sample Youth Forum",
]
SUBSCRIBER_COUNT = 200
CONSENT = "Sample data: no real consent was given (fictional demo subscriber)."


def load(stdout):
    lists = {}
    for spec in LISTS:
        mailing_list, created = MailingList.objects.get_or_create(slug=spec["slug"], defaults=spec)
        # Demo lists loaded before they had translations get them; staff's own wording stays.
        missing = [field for field in TRANSLATED if not getattr(mailing_list, field)]
        if not created and missing:
            for field in missing:
                setattr(mailing_list, field, spec[field])
            mailing_list.save(update_fields=missing)
        lists[spec["slug"]] = mailing_list

    wanted = [f"demo-subscriber-{n:03d}@example.org" for n in range(SUBSCRIBER_COUNT)]
    existing = set(Subscriber.objects.filter(email__in=wanted).values_list("email", flat=True))
    countries = {c.code: c for c in Country.objects.filter(code__in=[p[0] for p in PEOPLE])}
    rng = random.Random(1991)
    now = timezone.now()
    new, subscriptions = [], []
    for index, email in enumerate(wanted):
        code, given, family = PEOPLE[index % len(PEOPLE)]
        signed_up = now - timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 1440))
        roll = rng.random()
        status = (
            Subscriber.Status.PENDING
            if roll < 0.08
            else Subscriber.Status.UNSUBSCRIBED
            if roll < 0.16
            else Subscriber.Status.CONFIRMED
        )
        subscriber = Subscriber(
            email=email,
            name=f"{rng.choice(given)} {rng.choice(family)}",
            organisation=rng.choice(ORGANISATIONS),
            country=countries.get(code),
            status=status,
            consent_text=CONSENT,
            consented_at=signed_up,
            confirmed_at=signed_up + timedelta(hours=2) if status != "pending" else None,
            unsubscribed_at=signed_up + timedelta(days=30) if status == "unsubscribed" else None,
            source_page="/newsletter/",
        )
        if email in existing:
            continue
        subscriber.created_at = signed_up
        new.append(subscriber)
        chosen = [lists["e-newsletter"]] + ([lists["urgent-appeals"]] if rng.random() < 0.4 else [])
        for mailing_list in chosen:
            subscriptions.append(
                Subscription(
                    subscriber=subscriber,
                    mailing_list=mailing_list,
                    subscribed_at=signed_up,
                    unsubscribed_at=subscriber.unsubscribed_at,
                )
            )
    Subscriber.objects.bulk_create(new)
    # created_at is auto_now_add, which bulk_create overrides; put the back-dated times back.
    for subscriber in new:
        subscriber.created_at = subscriber.consented_at
    Subscriber.objects.bulk_update(new, ["created_at"], batch_size=500)
    Subscription.objects.bulk_create(subscriptions)
    stdout.write(f"Newsletter: {len(new)} sample subscribers on {len(lists)} lists.")
