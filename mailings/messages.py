"""An issue as email: rendered once per language, then one message per recipient.

The interface the sender (sending.py), the admin's preview and test sends use:

- render(issue, language) -> Rendered: subject, html and text with the recipient's links left as
  placeholders; raises TooLarge (naming the size) when the HTML is over MAX_HTML_BYTES.
- personalised(rendered, *, subscriber, delivery_id=None) -> EmailMessage ready to send
  (headers), addressed to the subscriber; its envelope sender is the VERP address of the
  delivery when settings.NEWSLETTER_BOUNCE_ADDRESS is set.
- signed_bytes(message) -> bytes: the message as sent over SMTP, DKIM-signed when a key is
  configured.
- verp_address(delivery_id) / delivery_from_verp(address): the return path that brings a
  bounce back to its delivery, signed so that a forged bounce cannot suppress anyone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac

from newsletter.emails import links

# Gmail clips HTML above ~102 KB, hiding the footer and its unsubscribe link.
MAX_HTML_BYTES = 100 * 1024
UNSUBSCRIBE = "%%unsubscribe_url%%"
MANAGE = "%%manage_url%%"


VERP_SALT = "mailings.verp"


def _verp_signature(delivery_id):
    return salted_hmac(VERP_SALT, str(delivery_id)).hexdigest()[:12]


def verp_address(delivery_id: int) -> str:
    """bounces+<delivery id>-<signature>@domain for NEWSLETTER_BOUNCE_ADDRESS bounces@domain."""
    local, _, domain = settings.NEWSLETTER_BOUNCE_ADDRESS.partition("@")
    return f"{local}+{delivery_id}-{_verp_signature(delivery_id)}@{domain}"


def delivery_from_verp(address: str) -> int | None:
    """The delivery id a VERP address names, or None when it is not one of ours."""
    local = address.strip().strip("<>").partition("@")[0]
    _, plus, tag = local.partition("+")
    delivery_id, _, signature = tag.partition("-")
    if not plus or not delivery_id.isdigit():
        return None
    if not constant_time_compare(signature, _verp_signature(int(delivery_id))):
        return None
    return int(delivery_id)


class TooLarge(ValueError):
    def __init__(self, language, size):
        super().__init__(
            f"The {language} email is {size / 1024:.1f} KB; it must be at most "
            f"{MAX_HTML_BYTES // 1024} KB, or Gmail cuts it off before the unsubscribe link."
        )
        self.language = language
        self.size = size


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    html: str
    text: str


def render(issue, language) -> Rendered:
    variant = issue.variant(language)
    with translation.override(variant.language):
        context = {
            "issue": issue,
            "variant": variant,
            "items": [item.publication for item in issue.items.select_related("publication")],
            "unsubscribe_url": UNSUBSCRIBE,
            "manage_url": MANAGE,
            "SITE_URL": settings.SITE_URL,
            "SITE_NAME": settings.SITE_NAME,
        }
        html = render_to_string("mailings/email/issue.html", context)
        text = render_to_string("mailings/email/issue.txt", context)
    size = len(html.encode())
    if size > MAX_HTML_BYTES:
        raise TooLarge(variant.language, size)
    return Rendered(variant.language, variant.subject, html, text)


def personalised(rendered, *, subscriber, delivery_id=None) -> EmailMultiAlternatives:
    with translation.override(rendered.language):
        urls = links(subscriber)

    def fill(body):
        return body.replace(UNSUBSCRIBE, urls["unsubscribe_url"]).replace(
            MANAGE, urls["manage_url"]
        )

    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=fill(rendered.text),
        to=[subscriber.email],
        headers={
            "List-Unsubscribe": f"<{urls['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(fill(rendered.html), "text/html")
    return message


def signed_bytes(message) -> bytes:
    """The message as SMTP sends it. DKIM signing is added by the messages work."""
    return message.message().as_bytes(linesep="\r\n")
