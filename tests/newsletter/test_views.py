import re
import socket
import unicodedata
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as email_policy

import hypothesis
import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from newsletter import exports, subscriptions, tokens
from newsletter.forms import PreferencesForm, SubscribeForm
from newsletter.models import SignupRequest, Subscriber
from tests.factories import SubscriberFactory, country

from .hostile import has_breaking_character, hostile_addresses

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/newsletter/"
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
CONFIRM_PATH = re.compile(r"/newsletter/confirm/[^\s\"/]+/")


def sign_up(client, meta=None, **data):
    """POST the sign-up form; `meta` sets request headers such as REMOTE_ADDR."""
    return client.post(
        SUBSCRIBE, {"email": "reader@example.org", "consent": "on", **data}, **(meta or {})
    )


def page_text(response):
    return response.content.decode()


def confirm_path(message):
    return CONFIRM_PATH.search(message.body).group(0)


def waiting_signup(email="reader@example.org"):
    """What a sign-up asked for, waiting for its confirmation."""
    return SignupRequest.objects.get(subscriber__email=email)


# --- the sign-up page and the footer form ------------------------------------------------------


def test_subscribe_page_offers_public_lists_with_the_default_ticked(
    client, monthly, urgent, staff_only
):
    response = client.get(SUBSCRIBE)

    html = page_text(response)
    assert response.status_code == 200
    assert re.search(r'value="e-newsletter"[^>]*checked', html)
    assert not re.search(r'value="urgent-appeals"[^>]*checked', html)
    assert "Urgent statements and appeals" in html
    assert "Partners briefing" not in html
    assert 'name="website"' in html  # the honeypot


def test_footer_form_on_every_page_carries_no_csrf_token_so_pages_can_be_cached(client, monthly):
    html = page_text(client.get("/members/"))

    footer = html[html.index('class="newsletter-form') :]
    footer = footer[: footer.index("</form>")]
    assert 'action="/newsletter/start/"' in footer
    assert 'method="post"' in footer
    assert 'name="email"' in footer
    assert 'name="source" value="/members/"' in footer
    # No per-visitor token: pages with this form can be cached for every anonymous visitor.
    assert "csrfmiddlewaretoken" not in footer


def test_footer_form_opens_the_full_form_prefilled_without_subscribing_anyone(monthly):
    # A browser with no CSRF cookie yet, as on a cached page: the start step must still work.
    csrf_checking = Client(enforce_csrf_checks=True)

    response = csrf_checking.post(
        "/newsletter/start/", {"email": "Footer@Example.org", "source": "/members/"}
    )

    html = page_text(response)
    assert response.status_code == 200
    assert re.search(r'name="email"[^>]*value="Footer@Example.org"', html)
    assert 'name="source" value="/members/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "consent" in html
    assert not Subscriber.objects.exists()


def test_the_address_never_travels_in_the_url(client, monthly):
    response = client.get("/newsletter/start/", {"email": "someone@example.org"})

    assert response.status_code == 405


def test_prefilled_address_is_escaped_and_never_breaks_the_page(client, monthly):
    response = client.post(
        "/newsletter/start/", {"email": '"><script>alert(1)</script>\x00' + "x" * 400}
    )

    assert response.status_code == 200
    assert "<script>alert(1)" not in page_text(response)


def test_the_csrf_cookie_of_the_sign_up_form_ends_with_the_browser_session(monthly, settings):
    response = Client().get(SUBSCRIBE)

    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie.value
    assert (cookie["max-age"], cookie["expires"]) == ("", "")


def test_real_sign_up_still_needs_the_csrf_token(monthly):
    csrf_checking = Client(enforce_csrf_checks=True)

    response = csrf_checking.post(SUBSCRIBE, {"email": "x@example.org", "consent": "on"})

    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_footer_signup_joins_the_default_list_and_records_the_page(client, monthly, mailoutbox):
    response = client.post(
        SUBSCRIBE,
        {"email": "Footer@Example.org", "consent": "on", "website": "", "source": "/members/"},
    )

    assert response.status_code == 200
    assert "Check your inbox" in page_text(response)
    signup = waiting_signup("footer@example.org")
    assert signup.source_page == "/members/"
    assert list(signup.lists.values_list("slug", flat=True)) == ["e-newsletter"]
    assert len(mailoutbox) == 1


def test_source_never_keeps_a_token_path_or_an_outside_url(client, monthly):
    sign_up(client, email="a@example.org", source="/newsletter/manage/SECRET-TOKEN/")
    sign_up(client, email="b@example.org", source="https://evil.example/")

    assert waiting_signup("a@example.org").source_page == "/newsletter/"
    assert waiting_signup("b@example.org").source_page == SUBSCRIBE


def test_full_form_records_name_organisation_country_and_lists(client, monthly, urgent, mailoutbox):
    sign_up(
        client,
        name="ច័ន្ទតារា សឹម",
        organisation="Sample Legal Aid Clinic",
        country="KH",
        lists=["urgent-appeals", "e-newsletter"],
    )
    client.post(confirm_path(mailoutbox[0]))

    subscriber = Subscriber.objects.get()
    assert subscriber.name == "ច័ន្ទតារា សឹម"
    assert subscriber.country == country("KH")
    assert set(subscriber.lists.values_list("slug", flat=True)) == {
        "e-newsletter",
        "urgent-appeals",
    }


@pytest.mark.parametrize("state", ["pending", "confirmed", "unsubscribed"])
def test_known_address_gets_the_same_answer_as_a_new_one(client, monthly, state):
    SubscriberFactory(email="known@example.org", status=state)

    new = sign_up(client, email="new@example.org")
    known = sign_up(client, email="known@example.org")

    assert new.status_code == known.status_code == 200
    assert CSRF_TOKEN.sub(b"", new.content).replace(b"new@", b"X@") == CSRF_TOKEN.sub(
        b"", known.content
    ).replace(b"known@", b"X@")
    assert sorted(new.headers) == sorted(known.headers)


# --- bad input: a clear message, nothing saved, never a 500 ------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"email": "x" * 290 + "@example.org"}, "at most 254 characters"),
        ({"email": "a@b.c\nBcc: x@y.z"}, "Enter a valid email address"),
        ({"email": '"a\x0bb"@example.org'}, "cannot contain spaces, line breaks"),
        ({"email": '"a\x0cb"@example.org'}, "cannot contain spaces, line breaks"),
        ({"email": "a@exam\u2028ple.org"}, "cannot contain spaces, line breaks"),
        ({"email": "\u202eadmin@example.org"}, "Enter a valid email address"),
        ({"email": ""}, "Enter your email address"),
        ({"lists": ["no-such-list"]}, "does not exist any more"),
        ({"lists": ["partners"]}, "does not exist any more"),
        ({"consent": ""}, "Please tick the box to agree"),
        ({"country": "XX"}, "choose a country from the list"),
        ({"name": "n" * 201}, "shorten your name"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, monthly, staff_only, data, message, mailoutbox
):
    response = sign_up(client, **data)

    assert response.status_code == 400
    assert message in page_text(response)
    assert 'role="alert"' in page_text(response)
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


@hypothesis.settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(address=hostile_addresses)
def test_hostile_addresses_get_a_page_never_a_5xx_and_are_never_stored(
    client, monthly, settings, address
):
    settings.NEWSLETTER_SIGNUP_LIMIT = 10**6

    response = sign_up(client, email=address)

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert 'role="alert"' in page_text(response)
    assert not any(
        has_breaking_character(stored)
        for stored in Subscriber.objects.values_list("email", flat=True)
    )


def typed_text_fields():
    """(form, field) for every field of the sign-up and manage forms a visitor can type text
    into, hidden ones included (a visitor can send anything)."""
    for form in (SubscribeForm(), PreferencesForm(needs_consent=True)):
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField):
                yield type(form).__name__, name


# Controls a terminal or a spreadsheet acts on (escape sequences, bells, backspaces, line and
# page breaks) and Unicode's line and paragraph separators.
CONTROLS = ["\x00", "\x07", "\x08", "\t", "\n", "\r", "\x0b", "\x0c", "\x1b[2J", "\x7f", "\x85"]
CONTROLS += ["\x9b", "\u2028", "\u2029"]
text_with_controls = st.builds(
    lambda before, control, after: before + control + after,
    st.text(max_size=30),
    st.sampled_from(CONTROLS),
    st.text(max_size=30),
)


def breaks_a_line(text):
    return any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in text)


@pytest.mark.parametrize(("form", "field"), list(typed_text_fields()))
@hypothesis.settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(typed=text_with_controls)
def test_no_control_character_typed_into_a_form_reaches_the_database_or_an_export(
    client, monthly, settings, mailoutbox, form, field, typed
):
    settings.NEWSLETTER_SIGNUP_LIMIT = 10**6
    Subscriber.objects.all().delete()  # the examples share one test transaction
    mailoutbox.clear()

    answer = sign_up(client, **{"name": "Lan", "organisation": "Clinic", field: typed})
    if mailoutbox:
        client.post(confirm_path(mailoutbox[-1]))  # the subscriber takes the sign-up's text

    assert answer.status_code < 500
    stored = [
        *Subscriber.objects.values_list("email", "name", "organisation", "source_page"),
        *SignupRequest.objects.values_list("name", "organisation", "source_page"),
    ]
    assert not [text for row in stored for text in row if breaks_a_line(text)], form
    exported = "".join(
        exports.start_export(queryset=Subscriber.objects.all(), fmt="csv", via="test", filters={})
    )
    assert not breaks_a_line(exported.replace("\r\n", ""))


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_names_that_look_like_formulas_are_accepted_as_text(client, monthly, name):
    response = sign_up(client, name=name)

    assert response.status_code == 200
    assert waiting_signup().name == name


def test_filled_honeypot_looks_like_success_but_does_nothing(client, monthly, mailoutbox):
    response = sign_up(client, website="http://spam.example/")

    assert response.status_code == 200
    assert "Check your inbox" in page_text(response)
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_post_without_csrf_token_is_refused(monthly):
    response = sign_up(Client(enforce_csrf_checks=True))

    assert response.status_code == 403
    assert not Subscriber.objects.exists()


def test_too_many_signups_from_one_client_get_a_friendly_429(client, monthly, settings):
    settings.NEWSLETTER_SIGNUP_LIMIT = 3
    for n in range(3):
        assert sign_up(client, email=f"r{n}@example.org").status_code == 200

    response = sign_up(client, email="r4@example.org")

    assert response.status_code == 429
    assert "Please wait a few minutes" in page_text(response)
    assert not Subscriber.objects.filter(email="r4@example.org").exists()
    other_client = sign_up(client, {"REMOTE_ADDR": "192.0.2.7"}, email="r5@example.org")
    assert other_client.status_code == 200


def test_an_ipv6_client_is_counted_by_its_64_and_an_ipv4_client_by_its_address(
    client, monthly, settings
):
    settings.NEWSLETTER_SIGNUP_LIMIT = 2

    def from_address(address, email):
        return sign_up(client, {"REMOTE_ADDR": address}, email=email).status_code

    one_64 = ["2001:db8:5:7::1", "2001:db8:5:7:a2c4:ffff:fe01:9", "2001:db8:5:7:ffff::1"]
    next_64 = "2001:db8:5:8::1"
    ipv4 = ["192.0.2.10", "192.0.2.11", "::ffff:192.0.2.10"]

    answers = [from_address(address, f"v6.{n}@example.org") for n, address in enumerate(one_64)]
    other = from_address(next_64, "v6.other@example.org")
    v4 = [from_address(address, f"v4.{n}@example.org") for n, address in enumerate(ipv4 * 2)]

    assert answers == [200, 200, 429]  # three addresses of one /64: one client
    assert other == 200  # the next /64 is another client
    # 192.0.2.10 (also as an IPv4-mapped IPv6 address) and 192.0.2.11 count apart.
    assert v4 == [200, 200, 200, 429, 200, 429]


def test_rate_limit_keys_never_hold_the_client_address(client, monthly):
    sign_up(client, {"REMOTE_ADDR": "203.0.113.77"})
    sign_up(client, {"REMOTE_ADDR": "203.0.113.78"})

    keys = [key for key in cache._cache if "newsletter" in key]  # locmem's own store
    assert len(keys) == 2
    assert not any("203.0.113.77" in key for key in keys)


def test_rate_limit_behind_trusted_proxies_uses_the_address_the_proxy_saw(
    client, monthly, settings
):
    settings.NEWSLETTER_SIGNUP_LIMIT = 1
    settings.TRUSTED_PROXIES = 1

    def via_proxy(forwarded_for, email):
        return sign_up(client, {"HTTP_X_FORWARDED_FOR": forwarded_for}, email=email)

    first = via_proxy("198.51.100.1", "a@example.org")
    second = via_proxy("198.51.100.2", "b@example.org")
    spoofed = via_proxy("1.1.1.1, 198.51.100.2", "c@example.org")

    assert (first.status_code, second.status_code, spoofed.status_code) == (200, 200, 429)


def test_a_mail_server_that_is_down_changes_nothing_the_visitor_sees(client, monthly, smtp_down):
    response = sign_up(client)

    assert response.status_code == 200
    assert "A message is on its way to" in page_text(response)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_subscribe_post_uses_a_bounded_number_of_queries(
    client, monthly, urgent, django_assert_max_num_queries
):
    with django_assert_max_num_queries(18):
        response = sign_up(client, lists=["e-newsletter", "urgent-appeals"], country="TH")

    # Within budget because it signed the reader up, not because it refused early.
    assert response.status_code == 200
    assert "A message is on its way to" in page_text(response)
    asked = waiting_signup()
    assert set(asked.lists.values_list("slug", flat=True)) == {"e-newsletter", "urgent-appeals"}
    assert asked.country.code == "TH"


# --- confirmation ------------------------------------------------------------------------------


def test_confirmation_email_has_text_html_and_one_click_unsubscribe_headers(
    client, monthly, mailoutbox
):
    sign_up(client)

    message = mailoutbox[0]
    assert message.alternatives[0].mimetype == "text/html"
    assert "Confirm my subscription" in message.alternatives[0].content
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://[^>]+/newsletter/unsubscribe/[^/>]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/newsletter/manage/" in message.body
    assert "\n" not in message.subject


def test_confirmation_link_shows_a_button_and_only_its_post_confirms(monthly, mailoutbox):
    sign_up(Client(), email="Reader@Example.org")
    path = confirm_path(mailoutbox[0])
    browser = Client(enforce_csrf_checks=True)  # a browser with no cookie of ours

    opened = browser.get(path)

    assert opened.status_code == 200
    assert "reader@example.org" in page_text(opened)
    assert "Monthly e-newsletter" in page_text(opened)
    assert re.search(
        r'<form method="post">\s*<button type="submit"[^>]*>Confirm', page_text(opened)
    )
    assert not opened.cookies  # no CSRF cookie: the POST needs none (see the view)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    confirmed = browser.post(path)

    assert confirmed.status_code == 200
    assert "Welcome" in page_text(confirmed)
    assert "Monthly e-newsletter" in page_text(confirmed)
    assert not confirmed.cookies
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    for response in (opened, confirmed):
        assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
        assert '<meta name="robots" content="noindex">' in page_text(response)


def test_a_confirmed_link_opened_again_shows_the_welcome_page_and_changes_nothing(
    client, monthly, mailoutbox
):
    sign_up(client)
    path = confirm_path(mailoutbox[0])
    client.post(path)
    confirmed_at = Subscriber.objects.get().confirmed_at

    again = client.get(path)

    assert again.status_code == 200
    assert "Welcome" in page_text(again)
    assert Subscriber.objects.get().confirmed_at == confirmed_at


def test_tampered_confirmation_link_gets_a_clear_400(client, monthly, mailoutbox):
    sign_up(client)
    path = confirm_path(mailoutbox[0])

    response = client.get(path[:-3] + "xx/")

    assert response.status_code == 400
    assert "This link is not valid" in page_text(response)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_expired_confirmation_link_gets_410_and_a_way_to_sign_up_again(
    client, monthly, mailoutbox, monkeypatch
):
    import time

    from django.core import signing

    sign_up(client)
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)

    response = client.get(confirm_path(mailoutbox[0]))

    assert response.status_code == 410
    assert "has expired" in page_text(response)
    assert 'href="/newsletter/"' in page_text(response)


def test_reused_confirmation_link_after_unsubscribing_is_refused(client, monthly, mailoutbox):
    sign_up(client)
    path = confirm_path(mailoutbox[0])
    client.post(path)
    subscriptions.unsubscribe(subscriber=Subscriber.objects.get())

    response = client.post(path)

    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_confirmation_through_a_real_smtp_server(client, monthly, settings):
    """The whole path: Django's SMTP backend, a real SMTP server on loopback, the link."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        response = sign_up(client, email="smtp.reader@example.org")
    finally:
        controller.stop()

    assert response.status_code == 200
    assert len(received) == 1
    message = message_from_bytes(received[0].as_bytes(), policy=email_policy)
    assert message["To"] == "smtp.reader@example.org"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("html",)) is not None
    text = message.get_body(("plain",)).get_content()
    welcome = client.post(CONFIRM_PATH.search(text).group(0))
    assert welcome.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


# --- manage page -------------------------------------------------------------------------------


def manage_url(subscriber):
    return reverse("newsletter:manage", args=[tokens.manage_token(subscriber)])


def unsubscribe_url(subscriber):
    return reverse("newsletter:unsubscribe", args=[tokens.manage_token(subscriber)])


def test_manage_page_shows_the_current_lists_ticked(
    client, monthly, urgent, django_assert_max_num_queries
):
    subscriber = SubscriberFactory(lists=[urgent])

    with django_assert_max_num_queries(4):
        response = client.get(manage_url(subscriber))

    html = page_text(response)
    assert response.status_code == 200
    assert re.search(r'value="urgent-appeals"[^>]*checked', html)
    assert not re.search(r'value="e-newsletter"[^>]*checked', html)
    assert "Unsubscribe from everything" in html


def test_changing_lists_on_the_manage_page_saves_them(client, monthly, urgent):
    subscriber = SubscriberFactory(lists=[monthly])

    response = client.post(
        manage_url(subscriber), {"lists": ["urgent-appeals"], "action": "save"}, follow=True
    )

    assert "Your choices are saved" in page_text(response)
    assert list(
        subscriber.subscriptions.filter(unsubscribed_at__isnull=True).values_list(
            "mailing_list__slug", flat=True
        )
    ) == ["urgent-appeals"]


def test_unknown_list_on_the_manage_page_is_a_clear_error(client, monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    response = client.post(manage_url(subscriber), {"lists": ["nope"]})

    assert response.status_code == 400
    assert "does not exist any more" in page_text(response)


def test_unsubscribing_from_the_manage_page_can_be_undone_there(client, monthly):
    subscriber = SubscriberFactory(lists=[monthly])
    url = manage_url(subscriber)

    left = client.post(url, {"action": "unsubscribe"}, follow=True)
    assert "You are unsubscribed" in page_text(left)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED

    no_consent = client.post(url, {"lists": ["e-newsletter"]})
    assert no_consent.status_code == 400
    assert "Please tick the box to agree" in page_text(no_consent)

    back = client.post(url, {"lists": ["e-newsletter"], "consent": "on"}, follow=True)
    assert "Welcome back" in page_text(back)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_manage_page_with_a_forged_token_is_a_400(client, monthly):
    response = client.get("/newsletter/manage/eyJzIjoxfQ:1abc:forged/")

    assert response.status_code == 400
    assert "This link is not valid" in page_text(response)


def test_manage_post_needs_a_csrf_token(monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    response = Client(enforce_csrf_checks=True).post(
        manage_url(subscriber), {"action": "unsubscribe"}
    )

    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


# --- unsubscribe link --------------------------------------------------------------------------


def test_unsubscribe_link_asks_first_and_changes_nothing_on_get(client, monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    response = client.get(unsubscribe_url(subscriber))

    assert response.status_code == 200
    assert "Unsubscribe from all emails?" in page_text(response)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_unsubscribe_button_unsubscribes_and_the_page_sets_no_cookie(monthly):
    browser = Client(enforce_csrf_checks=True)
    subscriber = SubscriberFactory(lists=[monthly])
    page = browser.get(unsubscribe_url(subscriber))
    button = re.search(r'<form method="post">(.*?)</form>', page_text(page), re.S).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', button))

    response = browser.post(unsubscribe_url(subscriber), fields)

    assert not page.cookies and not response.cookies

    assert response.status_code == 200
    assert "You are unsubscribed" in page_text(response)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_unsubscribe_link_reopened_after_unsubscribing_says_so_and_offers_the_way_back(
    client, monthly
):
    subscriber = SubscriberFactory(lists=[monthly])
    token = tokens.manage_token(subscriber)
    link = reverse("newsletter:unsubscribe", args=[token])
    client.post(link, {"List-Unsubscribe": "One-Click"})

    response = client.get(link)

    text = page_text(response)
    assert response.status_code == 200
    assert "You are unsubscribed" in text
    assert "Unsubscribe from all emails?" not in text
    assert f'href="{reverse("newsletter:manage", args=[token])}">Subscribe again' in text


def test_one_click_unsubscribe_post_works_without_cookies_or_csrf(monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(subscriber), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_other_posts_to_the_unsubscribe_link_still_need_csrf(monthly):
    subscriber = SubscriberFactory(lists=[monthly])

    response = Client(enforce_csrf_checks=True).post(unsubscribe_url(subscriber), {})

    assert response.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_one_click_with_a_forged_token_changes_nothing(monthly):
    subscriber = SubscriberFactory(lists=[monthly])
    url = unsubscribe_url(subscriber)
    forged = url[:-3] + "zz/"

    response = Client(enforce_csrf_checks=True).post(forged, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


# --- links past their lifetime -------------------------------------------------------------------


def tokens_sent_days_ago(subscriber, days):
    sent = timezone.now() - timedelta(days=days)
    with time_machine.travel(sent, tick=False):
        return manage_url(subscriber), unsubscribe_url(subscriber)


def csrf_token_of(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text(response)).group(1)


def test_an_expired_manage_link_offers_a_fresh_one_mailed_only_to_the_subscriber(
    monthly, mailoutbox
):
    subscriber = SubscriberFactory(email="owner@example.org", name="Owner Name", lists=[monthly])
    manage, _ = tokens_sent_days_ago(subscriber, 31)
    browser = Client(enforce_csrf_checks=True)

    expired = browser.get(manage)

    assert expired.status_code == 410
    assert "This link has expired" in page_text(expired)
    assert "owner@example.org" not in page_text(expired)
    assert "Owner Name" not in page_text(expired)
    fresh_link = {"action": "send-fresh-link", "csrfmiddlewaretoken": csrf_token_of(expired)}
    sent = browser.post(manage, fresh_link)
    again = browser.post(manage, fresh_link)

    assert sent.status_code == again.status_code == 200
    assert sent.content == again.content
    assert "Check your inbox" in page_text(sent)
    assert "owner@example.org" not in page_text(sent)
    assert [message.to for message in mailoutbox] == [["owner@example.org"]]
    fresh = re.search(r"/newsletter/manage/[^/\s]+/", mailoutbox[0].body).group(0)
    assert browser.get(fresh).status_code == 200


def test_an_expired_manage_link_changes_nothing_and_asking_for_a_fresh_one_needs_csrf(monthly):
    subscriber = SubscriberFactory(lists=[monthly])
    manage, _ = tokens_sent_days_ago(subscriber, 31)

    unsubscribe = Client().post(manage, {"action": "unsubscribe"})
    no_csrf = Client(enforce_csrf_checks=True).post(manage, {"action": "send-fresh-link"})

    assert unsubscribe.status_code == 410
    assert no_csrf.status_code == 403
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_fresh_link_the_mail_server_refuses_can_be_asked_for_again(monthly, smtp_down, settings):
    manage, _ = tokens_sent_days_ago(SubscriberFactory(lists=[monthly]), 31)

    failed = Client().post(manage, {"action": "send-fresh-link"})
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    retried = Client().post(manage, {"action": "send-fresh-link"})

    assert failed.status_code == retried.status_code == 200
    assert "A fresh link is on its way" in page_text(failed)
    assert len(mail.outbox) == 1  # the given-up link did not hold the second one back


def test_asking_for_fresh_links_counts_towards_the_client_rate_limit(monthly, settings):
    settings.NEWSLETTER_SIGNUP_LIMIT = 2
    manage, _ = tokens_sent_days_ago(SubscriberFactory(lists=[monthly]), 31)

    answers = [Client().post(manage, {"action": "send-fresh-link"}).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


@pytest.mark.parametrize("days", [31, 200, 364])
def test_unsubscribe_links_and_one_click_work_for_a_year(monthly, days):
    subscriber = SubscriberFactory(lists=[monthly])
    _, unsubscribe = tokens_sent_days_ago(subscriber, days)

    page = Client().get(unsubscribe)
    response = Client(enforce_csrf_checks=True).post(unsubscribe, {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_an_unsubscribe_link_older_than_a_year_offers_a_fresh_link_and_changes_nothing(monthly):
    subscriber = SubscriberFactory(lists=[monthly])
    manage, unsubscribe = tokens_sent_days_ago(subscriber, 366)

    page = Client().get(unsubscribe)
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe, {"List-Unsubscribe": "One-Click"}
    )

    assert page.status_code == one_click.status_code == 410
    assert f'action="{manage}"' in page_text(page)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


# --- every link in our emails: opening it changes nothing -----------------------------------


def links_in(message, site_url):
    """The paths of every link to our site in an email: its text and HTML and its headers."""
    texts = [
        message.body,
        *(content for content, _ in message.alternatives),
        *message.extra_headers.values(),
    ]
    urls = {url for text in texts for url in re.findall(r"https?://[^\s\"<>]+", text)}
    return {url.removeprefix(site_url) for url in urls if url.startswith(site_url + "/")}


def newsletter_state():
    """Every row the newsletter app stores (its many-to-many tables too), as plain values."""
    return {
        model._meta.db_table: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("newsletter").get_models(include_auto_created=True)
    }


def test_opening_any_link_a_subscriber_gets_by_email_changes_nothing(
    monthly, urgent, mailoutbox, settings
):
    """What a mail scanner does: it GETs every link of every email, without cookies. Every
    email the newsletter sends is made here: a confirmation, a reminder, an "already
    subscribed" note and a fresh manage link."""
    sign_up(Client(), email="new@example.org", lists=["urgent-appeals"])
    waiting = Subscriber.objects.get(email="new@example.org")
    Subscriber.objects.filter(pk=waiting.pk).update(
        confirmation_sent_at=timezone.now() - timedelta(days=2)
    )
    SignupRequest.objects.update(requested_at=timezone.now() - timedelta(days=2))
    subscriptions.resend_confirmations(older_than=timedelta(hours=24))
    sign_up(Client(), email=SubscriberFactory(email="known@example.org", lists=[monthly]).email)
    expired_manage, _ = tokens_sent_days_ago(SubscriberFactory(lists=[urgent]), 31)
    Client().post(expired_manage, {"action": "send-fresh-link"})
    links = {link for message in mailoutbox for link in links_in(message, settings.SITE_URL)}
    kinds = {link.split("/")[2] for link in links if link.startswith("/newsletter/")}
    assert len(mailoutbox) == 4
    assert kinds == {"confirm", "manage", "unsubscribe"}
    before = newsletter_state()

    for link in sorted(links):
        opened = Client().get(link)

        assert opened.status_code < 500, link
        if "/confirm/" in link or "/unsubscribe/" in link:  # a button to press: no cookie
            assert not opened.cookies, link

    assert newsletter_state() == before
