"""The newsletter speaks the subscriber's language (issue 22): the language of the page signed
up on is kept, and the emails are written in it and link to the pages in it."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from newsletter import emails, subscriptions, tokens
from newsletter.models import SignupRequest, Subscriber
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

LANGUAGES = [("en", "English"), ("th", "ไทย"), ("id", "Bahasa Indonesia")]
CONFIRM_PATH = re.compile(r"https?://[^/\s\"]+(/(?:[a-z]{2}/)?newsletter/confirm/[^\s\"/]+/)")
MANAGE_PATH = re.compile(r"https?://[^/\s\"]+(/(?:[a-z]{2}/)?newsletter/manage/[^\s\"/]+/)")


@pytest.fixture
def language_by_address(settings):
    """The site as issue 22 routes it: /th/… in Thai, /id/… in Indonesian, English unprefixed."""
    settings.LANGUAGES = LANGUAGES
    settings.LANGUAGE_CODE = "en"
    locale = "django.middleware.locale.LocaleMiddleware"
    if locale not in settings.MIDDLEWARE:
        sessions = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: sessions + 1],
            locale,
            *settings.MIDDLEWARE[sessions + 1 :],
        ]
    settings.ROOT_URLCONF = "tests.newsletter.i18n_urls"


def sign_up(client, path="/newsletter/", **data):
    return client.post(path, {"email": "reader@example.org", "consent": "on", **data})


def html_of(message):
    return message.alternatives[0].content


def html_lang(message):
    return re.search(r'<html lang="([^"]+)"', html_of(message)).group(1)


def path_in(pattern, message):
    return pattern.search(message.body).group(1)


# --- sign-up ------------------------------------------------------------------------------------


def test_a_signup_on_the_thai_page_is_kept_in_thai_and_mailed_in_thai(
    client, monthly, mailoutbox, language_by_address
):
    response = sign_up(client, "/th/newsletter/")

    assert response.status_code == 200
    assert SignupRequest.objects.get().language == "th"
    # Nothing of the subscriber changes before the address's owner confirms.
    assert Subscriber.objects.get().language == "en"
    [message] = mailoutbox
    assert html_lang(message) == "th"
    assert path_in(CONFIRM_PATH, message).startswith("/th/newsletter/confirm/")
    assert path_in(MANAGE_PATH, message).startswith("/th/newsletter/manage/")
    assert "/th/newsletter/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_confirming_makes_the_signups_language_the_subscribers(
    client, monthly, mailoutbox, language_by_address
):
    sign_up(client, "/id/newsletter/")

    response = client.post(path_in(CONFIRM_PATH, mailoutbox[0]))

    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "id"
    assert Subscriber.objects.get().language == "id"


def test_a_signup_on_an_unprefixed_page_is_english(
    client, monthly, mailoutbox, language_by_address
):
    sign_up(client)

    assert SignupRequest.objects.get().language == "en"
    assert html_lang(mailoutbox[0]) == "en"
    assert path_in(CONFIRM_PATH, mailoutbox[0]).startswith("/newsletter/confirm/")


def test_the_language_comes_from_the_address_never_from_what_is_posted(
    client, monthly, mailoutbox, language_by_address
):
    sign_up(client, "/newsletter/", language="th", LANGUAGE_CODE="xx")

    assert SignupRequest.objects.get().language == "en"


def test_the_footer_form_on_a_thai_page_leads_to_the_thai_signup_page(
    client, monthly, language_by_address
):
    html = client.get("/th/members/").content.decode()

    assert 'action="/th/newsletter/start/"' in html


def test_signing_up_again_from_another_language_page_changes_the_language_once_confirmed(
    client, monthly, mailoutbox, language_by_address
):
    sign_up(client, "/th/newsletter/")
    client.post(path_in(CONFIRM_PATH, mailoutbox[0]))
    subscriptions.unsubscribe(subscriber=Subscriber.objects.get())
    Subscriber.objects.update(confirmation_sent_at=None)  # past the resend interval

    sign_up(client, "/id/newsletter/")
    assert html_lang(mailoutbox[-1]) == "id"
    client.post(path_in(CONFIRM_PATH, mailoutbox[-1]))

    assert Subscriber.objects.get().language == "id"


def test_a_confirmed_address_typed_on_the_thai_page_is_mailed_in_thai_and_keeps_its_language(
    client, monthly, mailoutbox, language_by_address
):
    SubscriberFactory(email="reader@example.org", language="id", lists=[monthly])

    sign_up(client, "/th/newsletter/")

    [message] = mailoutbox
    assert html_lang(message) == "th"
    assert path_in(MANAGE_PATH, message).startswith("/th/newsletter/manage/")
    # Whoever typed the address may not own it: the owner's language stays theirs.
    assert Subscriber.objects.get().language == "id"


def test_subscribe_refuses_a_language_the_site_is_not_offered_in(
    monthly, consent, mailoutbox, language_by_address
):
    with pytest.raises(ValidationError):
        subscriptions.subscribe(email="reader@example.org", consent_text=consent, language="xx")

    assert not Subscriber.objects.exists()
    assert mailoutbox == []


# --- what the emails are written in -------------------------------------------------------------


@pytest.fixture
def languages_rendered(monkeypatch):
    """{template: the active language while it was rendered}, for every email template."""
    rendered = {}
    render = emails.render_to_string

    def recording(template, context):
        rendered[template.rsplit("/", 1)[1]] = translation.get_language()
        return render(template, context)

    monkeypatch.setattr(emails, "render_to_string", recording)
    return rendered


def test_the_confirmation_subject_and_both_bodies_are_rendered_in_the_signups_language(
    monthly, consent, mailoutbox, languages_rendered, language_by_address
):
    subscriptions.subscribe(email="reader@example.org", consent_text=consent, language="th")

    assert languages_rendered == {
        "confirm_subject.txt": "th",
        "confirm.txt": "th",
        "confirm.html": "th",
    }
    # The request's own language is left as it was.
    assert translation.get_language() == "en"


def test_a_reminder_is_written_in_the_language_of_the_signup_it_recalls(
    waiting_signup, mailoutbox, languages_rendered, language_by_address
):
    subscriber = waiting_signup(requested_ago=timedelta(days=2))
    subscriber.signup_requests.update(language="id")

    subscriptions.resend_confirmations(older_than=timedelta(hours=24))

    [message] = mailoutbox
    assert set(languages_rendered.values()) == {"id"}
    assert path_in(CONFIRM_PATH, message).startswith("/id/newsletter/confirm/")


def test_a_fresh_manage_link_is_written_in_the_subscribers_language_and_opens_their_page(
    client, monthly, mailoutbox, languages_rendered, language_by_address
):
    subscriber = SubscriberFactory(language="th", lists=[monthly])

    subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)

    [message] = mailoutbox
    assert set(languages_rendered.values()) == {"th"}
    assert html_lang(message) == "th"
    response = client.get(path_in(MANAGE_PATH, message))
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "th"


# --- the preferences page ----------------------------------------------------------------------


def test_saving_choices_on_the_thai_preferences_page_makes_thai_the_language_of_the_emails(
    client, monthly, urgent, language_by_address
):
    subscriber = SubscriberFactory(language="en", lists=[monthly])
    token = tokens.manage_token(subscriber)

    response = client.post(f"/th/newsletter/manage/{token}/", {"lists": ["urgent-appeals"]})

    assert response.status_code == 302
    assert response["Location"] == f"/th/newsletter/manage/{token}/"
    assert Subscriber.objects.get().language == "th"


def test_update_preferences_refuses_a_language_the_site_is_not_offered_in(
    monthly, language_by_address
):
    subscriber = SubscriberFactory(language="th", lists=[monthly])

    with pytest.raises(ValidationError):
        subscriptions.update_preferences(subscriber=subscriber, lists=[monthly], language="xx")

    assert Subscriber.objects.get().language == "th"


# --- the lists' names --------------------------------------------------------------------------

MONTHLY_TH = "จดหมายข่าวรายเดือน"


@pytest.fixture
def monthly_in_thai(monthly):
    monthly.name_th = MONTHLY_TH
    monthly.description_th = "เรื่องเด่นจากเครือข่ายเดือนละครั้ง"
    monthly.save()
    return monthly


def test_the_thai_signup_page_names_and_describes_the_lists_in_thai(
    client, monthly_in_thai, language_by_address
):
    html = client.get("/th/newsletter/").content.decode()

    assert MONTHLY_TH in html
    assert "เรื่องเด่นจากเครือข่ายเดือนละครั้ง" in html
    assert "Monthly e-newsletter" not in html


def test_a_list_with_no_thai_name_shows_its_english_one_on_the_thai_page(
    client, monthly_in_thai, urgent, language_by_address
):
    html = client.get("/th/newsletter/").content.decode()

    assert "Urgent statements and appeals" in html
    assert MONTHLY_TH in html


def test_the_english_and_indonesian_pages_keep_the_english_name_of_a_list_named_in_thai(
    client, monthly_in_thai, language_by_address
):
    for path in ("/newsletter/", "/id/newsletter/"):
        html = client.get(path).content.decode()

        assert "Monthly e-newsletter" in html
        assert MONTHLY_TH not in html


def test_the_thai_confirmation_email_names_the_lists_in_thai_or_else_in_english(
    client, monthly_in_thai, urgent, mailoutbox, language_by_address
):
    sign_up(client, "/th/newsletter/", lists=["e-newsletter", "urgent-appeals"])

    [message] = mailoutbox
    for body in (message.body, html_of(message)):
        assert MONTHLY_TH in body
        assert "Urgent statements and appeals" in body
        assert "Monthly e-newsletter" not in body


def test_the_thai_preferences_page_names_the_lists_in_thai(
    client, monthly_in_thai, mailoutbox, language_by_address
):
    subscriber = SubscriberFactory(language="th", lists=[monthly_in_thai])
    subscriptions.send_fresh_manage_link(subscriber_id=subscriber.pk)

    html = client.get(path_in(MANAGE_PATH, mailoutbox[0])).content.decode()

    assert MONTHLY_TH in html
    assert "Monthly e-newsletter" not in html


# --- the model ---------------------------------------------------------------------------------


def test_adding_a_language_to_the_site_needs_no_migration(settings):
    settings.LANGUAGES = [*LANGUAGES, ("km", "ខ្មែរ")]

    call_command("makemigrations", "newsletter", "--check", "--dry-run", verbosity=0)
