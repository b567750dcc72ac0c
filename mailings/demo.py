"""A sample sent issue for `manage.py load_demo`: last month's e-newsletter in the site's three
languages, so that the archive, its feed and the admin's counts have something to show.

Seed data written straight to the tables: nothing is mailed (the ledger's rows are marked sent,
and every demo address is on example.org, which cannot receive mail)."""

from datetime import timedelta

from django.utils import timezone, translation
from django.utils.formats import date_format

from newsletter.models import MailingList, Subscriber
from publications.models import Publication

from .models import Delivery, Issue, IssueItem, IssueVariant

INTRODUCTIONS = {
    "en": "<p>Dear friends,</p><p>Here is what the network said and did last month: joint "
    "statements, open letters, reports and stories from across Asia.</p>",
    "th": "<p>เรียนเพื่อนทุกท่าน</p><p>นี่คือสิ่งที่เครือข่ายได้กล่าวและทำในเดือนที่ผ่านมา: "
    "แถลงการณ์ร่วม จดหมายเปิดผนึก รายงาน และเรื่องราวจากทั่วเอเชีย</p>",
    "id": "<p>Sahabat yang baik,</p><p>Inilah yang disampaikan dan dilakukan jaringan bulan "
    "lalu: pernyataan bersama, surat terbuka, laporan, dan kisah dari seluruh Asia.</p>",
}
SUBJECTS = {
    "en": "FORUM-ASIA e-newsletter, {month}",
    "th": "จดหมายข่าว FORUM-ASIA ประจำเดือน{month}",
    "id": "Buletin elektronik FORUM-ASIA, {month}",
}
PREHEADERS = {
    "en": "Statements, letters, reports and stories of the month",
    "th": "แถลงการณ์ จดหมาย รายงาน และเรื่องราวประจำเดือน",
    "id": "Pernyataan, surat, laporan, dan kisah bulan ini",
}


def load(stdout):
    now = timezone.now()
    # Sent at 10:00 on the first of this month, Bangkok time; before then, a moment ago.
    first = timezone.localtime(now).replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    sent_at = min(first, now)
    month = sent_at - timedelta(days=1)
    slug = f"{month:%Y-%m}"
    if Issue.objects.filter(slug=slug).exists():
        return
    monthly = MailingList.objects.default().first()
    if monthly is None:
        return
    issue = Issue.objects.create(
        slug=slug, status=Issue.Status.SENT, started_at=sent_at, finished_at=sent_at
    )
    issue.mailing_lists.set([monthly])
    for language, subject in SUBJECTS.items():
        with translation.override(language):
            month_name = date_format(month, "F Y")
        IssueVariant.objects.create(
            issue=issue,
            language=language,
            subject=subject.format(month=month_name),
            preheader=PREHEADERS[language],
            introduction=INTRODUCTIONS[language],
        )
    recent = Publication.objects.published().filter(translation_of__isnull=True)
    for position, publication in enumerate(recent.order_by("-publish_at")[:6]):
        IssueItem.objects.create(issue=issue, publication=publication, position=position)
    recipients = Subscriber.objects.recipients([monthly.pk]).order_by("pk")
    Delivery.objects.bulk_create(
        Delivery(
            issue=issue,
            subscriber=subscriber,
            language=subscriber.language,
            state=Delivery.State.SENT,
            attempts=1,
            sent_at=sent_at,
        )
        for subscriber in recipients
    )
    issue.recipient_count = len(recipients)
    issue.save(update_fields=["recipient_count"])
    stdout.write(f"Sample newsletter issue {slug} (sent to {issue.recipient_count} addresses).")
