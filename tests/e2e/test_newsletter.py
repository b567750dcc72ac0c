import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newsletter import tokens
from newsletter.models import Subscriber
from tests.factories import MailingListFactory, SubscriberFactory, country

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CONFIRM_PATH = re.compile(r"/newsletter/confirm/[^\s\"/]+/")
MANAGE_PATH = re.compile(r"/newsletter/manage/[^\s\"/]+/")


@pytest.fixture
def lists():
    for code in ("TH", "KH", "MM", "NP", "VN"):
        country(code)  # the flush after the previous browser test took the migration's rows
    MailingListFactory(
        slug="e-newsletter",
        name="Monthly e-newsletter",
        description="Highlights from the network once a month: statements, reports, stories.",
        is_default=True,
        position=0,
    )
    MailingListFactory(
        slug="urgent-appeals",
        name="Urgent statements and appeals",
        description="Sent when defenders are at risk and action is needed quickly.",
        position=1,
    )


def active_lists(subscriber):
    return set(
        subscriber.subscriptions.filter(unsubscribed_at__isnull=True).values_list(
            "mailing_list__slug", flat=True
        )
    )


def test_subscribe_in_the_footer_confirm_change_lists_and_unsubscribe(
    page, live_server, lists, mailoutbox, third_party_requests, screenshot
):
    page.goto(live_server.url + "/")
    footer = page.locator("footer .nl-footer-form")
    footer.get_by_label("Email address").fill("Journey@Example.org")
    footer.get_by_role("button", name="Subscribe").click()

    # The footer form carries the address to the full sign-up page, which asks for consent.
    assert page.locator("#id_email").input_value() == "Journey@Example.org"
    page.locator("main").get_by_label(re.compile("I agree")).check()
    page.locator("main").get_by_role("button", name="Subscribe").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    assert page.get_by_text("journey@example.org").first.is_visible()
    screenshot("newsletter-check-inbox")
    assert len(mail.outbox) == 1

    # Opening the link (as a mail scanner does too) only shows what it confirms, and sets no
    # cookie; the button confirms.
    page.context.clear_cookies()
    page.goto(live_server.url + CONFIRM_PATH.search(mail.outbox[0].body).group(0))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirm your subscription"
    assert page.context.cookies() == []
    screenshot("newsletter-confirm")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    page.get_by_role("button", name="Confirm my subscription").click()
    assert "Welcome" in page.get_by_role("heading", level=1).inner_text()
    screenshot("newsletter-welcome")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    page.get_by_role("link", name="Manage your lists").click()
    page.get_by_role("checkbox", name=re.compile("Urgent statements")).check()
    page.get_by_role("checkbox", name=re.compile("Monthly e-newsletter")).uncheck()
    page.get_by_role("button", name="Save my choices").click()
    assert page.get_by_text("Your choices are saved").is_visible()
    assert page.get_by_role("checkbox", name=re.compile("Urgent statements")).is_checked()
    screenshot("newsletter-manage")
    assert active_lists(subscriber) == {"urgent-appeals"}

    page.get_by_role("button", name="Unsubscribe from everything").click()
    assert page.get_by_text("You are unsubscribed from every list").is_visible()
    assert page.get_by_role("button", name="Subscribe again").is_visible()
    screenshot("newsletter-unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert third_party_requests == []


def test_sign_up_form_explains_what_is_missing_even_without_javascript(
    browser, live_server, lists, page, screenshot, third_party_requests
):
    page.goto(live_server.url + "/newsletter/")
    screenshot("newsletter-subscribe")
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    no_js.goto(live_server.url + "/newsletter/")
    no_js.locator("#id_email").fill("not-an-address")
    no_js.locator("main").get_by_role("button", name="Subscribe").click()

    assert no_js.get_by_role("alert").is_visible()
    assert no_js.get_by_text("Enter a valid email address").is_visible()
    assert no_js.get_by_text("Please tick the box to agree").is_visible()
    assert not Subscriber.objects.exists()
    context.close()
    assert third_party_requests == []


def test_an_expired_manage_link_mails_a_fresh_one_that_opens_the_lists(
    page, live_server, lists, mailoutbox, third_party_requests, screenshot
):
    subscriber = SubscriberFactory(email="old.link@example.org", lists=[])
    with time_machine.travel(timezone.now() - timedelta(days=45), tick=False):
        old_link = reverse("newsletter:manage", args=[tokens.manage_token(subscriber)])

    page.goto(live_server.url + old_link)
    assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
    screenshot("newsletter-link-expired")
    page.get_by_role("button", name="Email me a fresh link").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Check your inbox"
    screenshot("newsletter-fresh-link-sent")
    assert [message.to for message in mail.outbox] == [["old.link@example.org"]]
    page.goto(live_server.url + MANAGE_PATH.search(mail.outbox[0].body).group(0))
    assert page.get_by_role("button", name="Save my choices").is_visible()
    assert third_party_requests == []


def test_the_unsubscribe_link_asks_once_and_its_button_unsubscribes_without_a_cookie(
    page, live_server, lists, mailoutbox, third_party_requests, screenshot
):
    subscriber = SubscriberFactory(email="leaving@example.org", lists=[])
    link = reverse("newsletter:unsubscribe", args=[tokens.manage_token(subscriber)])

    page.goto(live_server.url + link)
    assert page.get_by_role("heading", level=1).inner_text() == "Unsubscribe from all emails?"
    screenshot("newsletter-unsubscribe-confirm")
    page.get_by_role("button", name="Unsubscribe").click()

    assert page.get_by_role("heading", level=1).inner_text() == "You are unsubscribed"
    assert page.context.cookies() == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert third_party_requests == []
