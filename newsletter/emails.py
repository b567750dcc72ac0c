"""The emails the newsletter app sends itself: HTML and plain text, with unsubscribe headers.

Each is written in the language of the page its reader signed up on (or the sign-up's, for a
confirmation): rendered, subject included, and its links reversed inside that language, so
that they open the pages in it (reverse() adds the language's address prefix)."""

import math
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import tokens


def absolute(path):
    return settings.SITE_URL + path


def links(subscriber):
    manage = tokens.manage_token(subscriber)
    return {
        "manage_url": absolute(reverse("newsletter:manage", args=[manage])),
        "unsubscribe_url": absolute(reverse("newsletter:unsubscribe", args=[manage])),
    }


def _send(subscriber, template, extra):
    context = {
        "subscriber": subscriber,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        **links(subscriber),
        **extra,
    }
    # A subject must be one line whatever the template holds; the recipient is the validated,
    # normalised address only, so nothing a visitor typed reaches a header.
    subject = " ".join(
        render_to_string(f"newsletter/email/{template}_subject.txt", context).split()
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"newsletter/email/{template}.txt", context),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            # RFC 8058: mail clients may unsubscribe with one POST, no page visit.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string(f"newsletter/email/{template}.html", context), "text/html"
    )
    message.send()


def days_left(until):
    """Whole days, rounded up, from now until `until`: a reminder says how long the link
    still works (it expires CONFIRMATION_MAX_AGE after the sign-up, not after the reminder)."""
    return max(1, math.ceil((until - timezone.now()) / timedelta(days=1)))


def send_confirmation(signup_request):
    token = tokens.confirmation_token(signup_request)
    with translation.override(signup_request.language):
        _send(
            signup_request.subscriber,
            "confirm",
            {
                "confirm_url": absolute(reverse("newsletter:confirm", args=[token])),
                "expires_days": days_left(signup_request.expires_at),
                "lists": signup_request.lists.all(),
            },
        )


def send_already_subscribed(subscriber, *, language):
    """`language`: the page's the address was typed on; the owner's stored one is unchanged."""
    with translation.override(language):
        _send(subscriber, "already_subscribed", {})


def send_manage_link(subscriber):
    with translation.override(subscriber.language):
        _send(subscriber, "manage_link", {"manage_days": settings.NEWSLETTER_MANAGE_LINK_DAYS})
