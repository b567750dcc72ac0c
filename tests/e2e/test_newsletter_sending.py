"""Communications staff compose, check and send the monthly issue in real Chromium: draft the
month's issue, put a publication lower, preview it, send a test (through a real SMTP server on
loopback), see the audience named, and send. The clicks are counted: the whole job must stay
a few minutes' work (the issue asks for at most 15)."""

import socket
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission

from mailings.models import Issue
from mailings.services import current_month, month_bounds
from tests.factories import MailingListFactory, PublicationFactory, SubscriberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
MAX_CLICKS = 25


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback; the live server (a thread of this process) sends to it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield received
    controller.stop()


@pytest.fixture
def newsroom():
    """Three public publications of the Secretariat's current month, two lists, four
    subscribers (one on both lists), and a staff member who may compose and send."""
    start = month_bounds(current_month())[0]
    titles = ["Defenders detained in Bangkok", "Open letter on civic space", "Report on Myanmar"]
    for seconds, title in enumerate(titles, start=1):
        PublicationFactory(title=title, publish_at=start + timedelta(seconds=seconds))
    monthly = MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter", is_default=True)
    urgent = MailingListFactory(slug="urgent-appeals", name="Urgent appeals")
    SubscriberFactory(lists=[monthly])
    SubscriberFactory(lists=[monthly, urgent])
    SubscriberFactory(lists=[urgent])
    SubscriberFactory(lists=[urgent], status="pending")  # not a recipient
    staff = UserFactory(username="comms", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(content_type__app_label="mailings")
        | Permission.objects.filter(
            content_type__app_label="publications", codename="view_publication"
        )
    )
    return titles


class Clicks:
    def __init__(self, page):
        self.page = page
        self.count = 0

    def __call__(self, locator, **kwargs):
        self.count += 1
        locator.click(**kwargs)


def test_staff_compose_check_and_send_the_monthly_issue_in_few_clicks(
    page, live_server, newsroom, smtp_server, csp_violations, screenshot
):
    click = Clicks(page)
    begun = time.monotonic()

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "comms")
    page.fill("#id_password", PASSWORD)
    click(page.locator("input[type=submit]"))
    click(page.locator("a[href='/admin/mailings/issue/']").first)
    click(page.get_by_role("button", name=f"Draft {current_month():%B %Y}'s issue"))

    issue = Issue.objects.get()
    assert [i.publication.title for i in issue.items.all()] == newsroom
    click(page.get_by_label("Urgent appeals"))
    click(page.locator("#items-0 .item-down"))  # the first publication one lower
    click(page.get_by_role("button", name="Save and continue editing"))
    assert [i.publication.title for i in issue.items.all()] == [
        newsroom[1],
        newsroom[0],
        newsroom[2],
    ]

    click(page.get_by_role("link", name="Preview"))
    phone = page.frame_locator("iframe[width='390']")
    # The frames load after the page: wait for them (is_visible() does not wait).
    phone.get_by_text(newsroom[2]).wait_for()
    assert page.locator(".preview-text").inner_text().find(newsroom[1]) < page.locator(
        ".preview-text"
    ).inner_text().find(newsroom[0])
    desktop = page.frame_locator("iframe[width='1280']")
    desktop.get_by_text(newsroom[2]).wait_for()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("newsletter-preview")

    click(page.get_by_role("link", name="Send a test"))
    page.get_by_label("Addresses").fill("somsri@example.org")
    click(page.get_by_role("button", name="Send the test"))
    assert "Sent 1 test message to somsri@example.org." in page.locator(".messagelist").inner_text()
    (test_message,) = smtp_server
    assert test_message["To"] == "somsri@example.org"
    assert test_message["Subject"] == f"[Test] {issue}"
    assert "List-Unsubscribe" in test_message

    click(page.get_by_role("link", name="Send…"))
    assert page.locator(".send-audience").inner_text() == "Send to 3 subscribers of 2 lists"
    screenshot("newsletter-send-confirmation")
    click.count += 1
    page.get_by_role("button", name="Send now to 3 subscribers").dblclick()
    page.wait_for_selector(".messagelist")

    issue.refresh_from_db()
    assert issue.status in ("scheduled", "sending", "sent")
    assert issue.recipient_count == 3
    assert page.locator(".messagelist li").count() == 1
    assert "Sending to 3 subscribers has started." in page.locator(".messagelist").inner_text()
    assert click.count <= MAX_CLICKS
    assert time.monotonic() - begun < 15 * 60
    assert csp_violations == []
    print(f"compose, check and send: {click.count} clicks, {time.monotonic() - begun:.1f} s")


def test_subscribers_get_the_issue_in_their_language_and_leave_with_one_click(
    page, live_server, smtp_server, settings
):
    """After the send: each subscriber's message in their language (the Thai one in Thai, its
    links under /th/), its "view in your browser" link opens the archived issue in Chromium, the
    archive lists it, and the List-Unsubscribe POST a mail client makes (no cookie, no CSRF
    token) unsubscribes at once."""
    import re
    from email import policy
    from email.parser import BytesParser

    from django.test import Client

    from mailings import sending
    from newsletter.models import Subscriber
    from tests.factories import IssueFactory, IssueVariantFactory

    settings.SITE_URL = live_server.url
    monthly = MailingListFactory(slug="e-newsletter", is_default=True)
    somsri = SubscriberFactory(email="somsri@example.org", language="th", lists=[monthly])
    SubscriberFactory(email="maria@example.org", language="en", lists=[monthly])
    issue = IssueFactory(
        slug="2026-12",
        lists=[monthly],
        items=[PublicationFactory(title="Defenders detained in Bangkok")],
        english__subject="FORUM-ASIA e-newsletter, December 2026",
    )
    IssueVariantFactory(issue=issue, language="th", subject="จดหมายข่าว FORUM-ASIA ธันวาคม 2569")

    assert sending.start(issue) is True

    messages = {
        m["To"]: BytesParser(policy=policy.default).parsebytes(m.as_bytes()) for m in smtp_server
    }
    assert sorted(messages) == ["maria@example.org", "somsri@example.org"]
    thai = messages["somsri@example.org"]
    # Django folds a long encoded subject onto the next line; unfolding leaves a space first,
    # which mail clients do not show.
    assert thai["Subject"].strip() == "จดหมายข่าว FORUM-ASIA ธันวาคม 2569"
    assert messages["maria@example.org"]["Subject"].strip() == (
        "FORUM-ASIA e-newsletter, December 2026"
    )
    html = thai.get_body(("html",)).get_content()
    web_version = re.search(r'href="([^"]+/th/newsletter/2026-12/)"', html).group(1)

    page.goto(web_version)
    assert page.locator("h1").inner_text() == "จดหมายข่าว FORUM-ASIA ธันวาคม 2569"
    page.get_by_text("Defenders detained in Bangkok").first.wait_for()
    page.goto(live_server.url + "/newsletter/")
    page.get_by_role("link", name="FORUM-ASIA e-newsletter, December 2026").wait_for()

    unsubscribe_url = re.search(r"<(https?:[^>]+)>", thai["List-Unsubscribe"]).group(1)
    assert thai["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        unsubscribe_url.removeprefix(live_server.url), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert Subscriber.objects.get(pk=somsri.pk).is_unsubscribed
    assert [s.email for s in Subscriber.objects.recipients([monthly.pk])] == ["maria@example.org"]
