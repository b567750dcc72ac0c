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

Everything that is the same for every reader of a language (the HTML, the text, the subject) is
made once by render(); personalised() only fills in the reader's two links and writes the
headers, so that a send of 100,000 messages renders each template once per language.

Private by design: the links in a message go straight to the site and are the same for every
reader except the manage and unsubscribe links (which must name the subscriber); there is no
open pixel, no redirect through a tracker, no per-reader query string, and no image from any
host but the site.
"""

import re
from dataclasses import dataclass
from email.utils import formatdate, make_msgid, parseaddr
from html.parser import HTMLParser

import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.safestring import mark_safe

from forumasia.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, URL_SCHEMES
from forumasia.text import clean_text, one_line
from newsletter.emails import links
from newsletter.models import Subscriber
from publications.models import Publication
from publications.templatetags.publications import detail_url, fallback_rendition, rendition_url

from . import dkim

# Gmail clips HTML above ~102 KB, hiding the footer and its unsubscribe link.
MAX_HTML_BYTES = 100 * 1024
UNSUBSCRIBE = "%%unsubscribe_url%%"
MANAGE = "%%manage_url%%"


VERP_SALT = "mailings.verp"
MESSAGE_ID_SALT = "mailings.message-id"


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
    # ASCII digits only: str.isdigit() is also true of "²", which int() refuses.
    if not plus or not (delivery_id.isascii() and delivery_id.isdigit()):
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


# --- Inline styles ----------------------------------------------------------------------------
# Mail clients drop <style> blocks and external CSS (Gmail's apps, Outlook), so every element
# carries its own style. The colours and fonts are the site's (static/css/site.css): ink, muted,
# wash, line, brand (deep red) and accent (teal), and the systems' own fonts for our scripts.
SANS = (
    "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans Thai','Leelawadee UI',"
    "Tahoma,Arial,sans-serif"
)
SERIF = "Georgia,'Noto Serif','Noto Serif Thai','Leelawadee UI','Times New Roman',serif"
STYLES = {
    name: mark_safe(value)  # constants written here, never input
    for name, value in {
        "body": f"margin:0;padding:0;background:#f4f1ec;color:#1b1f24;font-family:{SANS};",
        "preheader": (
            "display:none;max-height:0;max-width:0;overflow:hidden;mso-hide:all;opacity:0;"
            "font-size:1px;line-height:1px;color:#f4f1ec;"
        ),
        "page": "background:#f4f1ec;",
        "sheet": "width:100%;max-width:600px;background:#ffffff;border-top:6px solid #8a1c2b;",
        "mark": (
            f"width:44px;height:44px;border-radius:22px;background:#8a1c2b;color:#ffffff;"
            f"font-family:{SANS};font-size:16px;font-weight:800;text-align:center;"
        ),
        "site_name": (
            f"margin:0;font-family:{SANS};font-size:19px;font-weight:800;letter-spacing:.04em;"
            "color:#1b1f24;"
        ),
        "site_line": f"margin:0;font-family:{SANS};font-size:13px;line-height:1.3;color:#4f5661;",
        "eyebrow": (
            f"margin:0 0 6px;font-family:{SANS};font-size:12px;font-weight:700;"
            "letter-spacing:.12em;text-transform:uppercase;color:#8a1c2b;"
        ),
        "h1": f"margin:0 0 16px;font-family:{SERIF};font-size:28px;line-height:1.2;color:#1b1f24;",
        "h2": f"margin:0 0 8px;font-family:{SERIF};font-size:22px;line-height:1.25;",
        "h3": f"margin:16px 0 8px;font-family:{SERIF};font-size:18px;line-height:1.3;",
        "text": f"font-family:{SANS};font-size:16px;line-height:1.6;color:#1b1f24;",
        "p": "margin:0 0 16px;",
        "a": "color:#0b5d6b;text-decoration:underline;",
        "title_link": "color:#1b1f24;text-decoration:none;",
        "img": "display:block;width:100%;max-width:552px;height:auto;border:0;margin:0 0 12px;",
        "intro_img": "max-width:100%;height:auto;border:0;",
        "quote": "margin:0 0 16px;padding:0 0 0 14px;border-left:3px solid #dcd7cf;",
        "list": "margin:0 0 16px;padding:0 0 0 24px;",
        "table": "border-collapse:collapse;margin:0 0 16px;",
        "cell": "border:1px solid #dcd7cf;padding:4px 8px;",
        "kicker": (
            f"margin:0 0 6px;font-family:{SANS};font-size:12px;font-weight:700;"
            "letter-spacing:.08em;text-transform:uppercase;color:#4f5661;"
        ),
        "standfirst": f"margin:0 0 14px;font-family:{SANS};font-size:16px;line-height:1.6;",
        "button_cell": "border-radius:6px;background:#8a1c2b;",
        "button": (
            f"display:inline-block;padding:10px 20px;font-family:{SANS};font-size:15px;"
            "font-weight:700;color:#ffffff;text-decoration:none;border-radius:6px;"
        ),
        "rule": "border-top:1px solid #dcd7cf;font-size:0;line-height:0;",
        "footer": (
            f"padding:20px 24px 28px;font-family:{SANS};font-size:13px;line-height:1.6;"
            "color:#4f5661;"
        ),
        "footer_link": "color:#0b5d6b;text-decoration:underline;",
    }.items()
}
# Scripts with no letter case whose marks stack on their letters (Thai, Lao, Burmese, Khmer):
# letter-spacing pulls the marks off their letters, so small labels are not spaced out for them.
UNSPACED_LABEL_LANGUAGES = {"th", "lo", "my", "km"}
UNSPACED_LABELS = {
    name: mark_safe(
        STYLES[name].replace("letter-spacing:.12em;", "").replace("letter-spacing:.08em;", "")
    )
    for name in ("eyebrow", "kicker")
}


def styles_for(language):
    """STYLES, with the small labels fit for `language`'s script."""
    if language in UNSPACED_LABEL_LANGUAGES:
        return {**STYLES, **UNSPACED_LABELS}
    return STYLES


# After the preheader, the text inbox lists show after it: invisible spaces, so that the
# lines after the hidden preheader (the masthead) do not follow it in the preview.
PREHEADER_FILLER = mark_safe("&#8199;&#847;" * 40)
# The style each element of the introduction (rich text, sanitised on save) is given.
INTRODUCTION_STYLES = {
    "p": "p",
    "h2": "h3",
    "h3": "h3",
    "h4": "h3",
    "a": "a",
    "img": "intro_img",
    "blockquote": "quote",
    "ul": "list",
    "ol": "list",
    "table": "table",
    "th": "cell",
    "td": "cell",
    "figure": "p",
}


def _on_site(url):
    """`url` as an absolute address on the site, or None for an address elsewhere."""
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL + url
    if url == settings.SITE_URL or url.startswith(settings.SITE_URL + "/"):
        return url
    return None


def _introduction_attribute(tag, name, value):
    # Site-relative links and images would point nowhere from a mail client: made absolute.
    # Images from any other host are dropped: loading one would tell that host who opened the
    # email, when and where (a tracking pixel, whoever put it there).
    if tag == "img" and name == "src":
        return _on_site(value)
    if tag == "a" and name == "href":
        return _on_site(value) or value
    return value


def email_introduction(html):
    """The introduction (already sanitised) as email HTML: inline styles, absolute addresses,
    images from the site only."""
    if not html:
        return ""
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer",
            strip_comments=True,
            attribute_filter=_introduction_attribute,
            set_tag_attribute_values={
                tag: {"style": STYLES[style]} for tag, style in INTRODUCTION_STYLES.items()
            },
        )
    )


# --- Plain text ---------------------------------------------------------------------------------

BLOCKS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "table",
    "tr",
    "caption",
    "hr",
}


class _TextWriter(HTMLParser):
    """Sanitised rich text as plain text: blocks as paragraphs, list items as "- ", a link as
    its words followed by its address (when they differ), an image as its description."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines, self.words, self.links = [], [], []

    def _break(self):
        line = " ".join("".join(self.words).split())
        if line:
            self.lines.append(line)
        self.words = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in BLOCKS:
            self._break()
            if tag in ("p", "h2", "h3", "h4", "blockquote", "table", "figure", "hr"):
                self.lines.append("")
            if tag == "li":
                self.words.append("- ")
        elif tag == "br":
            self._break()
        elif tag == "a":
            self.links.append((attributes.get("href") or "", len(self.words)))
        elif tag == "img" and attributes.get("alt"):
            self.words.append(f" [{attributes['alt']}] ")
        elif tag in ("td", "th"):
            self.words.append(" ")

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href, start = self.links.pop()
            words = " ".join("".join(self.words[start:]).split())
            if href and href not in (words, f"mailto:{words}"):
                self.words.append(f" ({href})")
        elif tag in BLOCKS:
            self._break()

    def handle_data(self, data):
        self.words.append(data)

    def text(self):
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(html):
    """Sanitised rich text (the introduction) as plain text."""
    writer = _TextWriter()
    writer.feed(html or "")
    writer.close()
    return writer.text()


# --- Rendering ----------------------------------------------------------------------------------


def _absolute(path):
    return settings.SITE_URL + path


# The width of the content column (600 px less the margins): images are shown at most this wide.
IMAGE_WIDTH = 552


def _items(issue):
    """The issue's publications as the email shows them, in the active language: for each item,
    the public member of its translation group `one_per_group()` picks for that language (its
    translation, else the English, else the original). An item with nothing public left in its
    group is left out: a link must not lead to a 404 or show the title of a withdrawn item."""
    picked = list(issue.items.select_related("publication"))
    chosen = {
        publication.translation_key: publication
        for publication in Publication.objects.published()
        .in_groups_of(*(item.publication for item in picked))
        .one_per_group()
        .for_cards()
    }
    items = []
    for item in picked:
        publication = chosen.pop(item.publication.translation_key, None)
        if publication is None:
            continue
        rendition = fallback_rendition(publication.featured_image_renditions)
        image = _on_site(rendition_url(rendition)) if rendition else None
        width = min(IMAGE_WIDTH, rendition["width"]) if image else None
        items.append(
            {
                "publication": publication,
                "type_label": str(publication.get_type_display()),
                "date": timezone.localdate(publication.publish_at),
                "title": publication.title.strip(),
                "standfirst": publication.standfirst.strip(),
                "url": _absolute(detail_url(publication)),
                "image": image,
                "image_alt": publication.featured_image_alt,
                "image_width": width,
                "image_height": round(width * rendition["height"] / rendition["width"])
                if image
                else None,
            }
        )
    return items


def one_line_subject(subject):
    """A subject as one header line: no control characters, every run of white space (line
    breaks of any script included) one space."""
    return " ".join(clean_text(subject or "").split())


def render(issue, language) -> Rendered:
    variant = issue.variant(language)
    with translation.override(variant.language):
        subject = one_line_subject(variant.subject)
        introduction = email_introduction(variant.introduction)
        context = {
            "issue": issue,
            "variant": variant,
            "language": variant.language,
            "subject": subject,
            "preheader": one_line(variant.preheader),
            "preheader_filler": PREHEADER_FILLER,
            "introduction": introduction,
            "introduction_text": html_to_text(introduction),
            "items": _items(issue),
            "web_url": _absolute(reverse("mailings:issue", args=[issue.slug])),
            "unsubscribe_url": UNSUBSCRIBE,
            "manage_url": MANAGE,
            "postal_address": one_line(settings.NEWSLETTER_POSTAL_ADDRESS),
            "SITE_URL": settings.SITE_URL,
            "SITE_NAME": settings.SITE_NAME,
            "styles": styles_for(variant.language),
        }
        html = render_to_string("mailings/email/issue.html", context)
        # No white space at line ends: nothing for format=flowed readers to join, and the body
        # DKIM's relaxed canonicalisation leaves as it is (mailings/dkim.py canonical_body).
        lines = render_to_string("mailings/email/issue.txt", context).splitlines()
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()
    size = _sent_size(html, variant.language)
    if size > MAX_HTML_BYTES:
        raise TooLarge(variant.language, size)
    return Rendered(variant.language, subject, html, text + "\n")


def _sent_size(html, language):
    """The HTML's size in bytes as a reader receives it: with a reader's links, whose tokens
    are longer than the placeholders (a subscriber number in the billions, for the longest)."""
    sample = Subscriber(pk=10**10, email="reader@example.org")
    with translation.override(language):
        urls = links(sample)
    return len(_fill(html, urls).encode())


def _fill(body, urls):
    return body.replace(UNSUBSCRIBE, urls["unsubscribe_url"]).replace(MANAGE, urls["manage_url"])


# --- Per recipient ------------------------------------------------------------------------------


def _domain(address):
    return parseaddr(address)[1].rpartition("@")[2]


def message_id(delivery_id, domain):
    """The Message-ID of a delivery: the same every time it is made, so a message sent again
    after a crash is recognisably the same message; signed, so that it says nothing guessable
    beyond this site's own numbering."""
    signature = salted_hmac(MESSAGE_ID_SALT, str(delivery_id)).hexdigest()[:16]
    return f"<newsletter.{delivery_id}.{signature}@{domain}>"


def personalised(rendered, *, subscriber, delivery_id=None) -> EmailMultiAlternatives:
    """The message for `subscriber`: the rendered issue with their manage and unsubscribe
    links, and the headers mailbox providers require of bulk mail.

    Senders: the From header is NEWSLETTER_FROM_EMAIL. With NEWSLETTER_BOUNCE_ADDRESS set, the
    envelope sender (SMTP MAIL FROM, the Return-Path bounces go to) is the delivery's VERP
    address: it is `message.from_email` while the header From is `message.extra_headers["From"]`,
    Django's own convention (its SMTP backend sends from `from_email`, and django-anymail reads
    the pair the same way), and also `message.envelope_sender` (django-anymail's name) for a
    sender that writes the SMTP envelope itself (signed_bytes() gives only the message).
    `message.metadata` carries the delivery id to an email service, whose webhooks send it
    back with bounces and complaints.

    The recipient is their validated, normalised address only: their name never reaches a
    header."""
    with translation.override(rendered.language):
        urls = links(subscriber)
    sender = settings.NEWSLETTER_FROM_EMAIL
    unsubscribe = f"<{urls['unsubscribe_url']}>"
    if settings.NEWSLETTER_UNSUBSCRIBE_MAILTO:
        unsubscribe += f", <mailto:{settings.NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>"
    domain = _domain(sender)
    headers = {
        "Date": formatdate(),
        "Message-ID": message_id(delivery_id, domain)
        if delivery_id is not None
        else make_msgid(domain=domain),
        "List-Id": settings.NEWSLETTER_LIST_ID,
        "List-Unsubscribe": unsubscribe,
        # RFC 8058: mail clients may unsubscribe with one POST, no page visit.
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    envelope_sender = None
    if settings.NEWSLETTER_BOUNCE_ADDRESS and delivery_id is not None:
        envelope_sender = verp_address(delivery_id)
        headers["From"] = sender
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=_fill(rendered.text, urls),
        from_email=envelope_sender or sender,
        to=[subscriber.email],
        headers=headers,
    )
    message.attach_alternative(_fill(rendered.html, urls), "text/html")
    if envelope_sender:
        message.envelope_sender = envelope_sender
    if delivery_id is not None:
        message.metadata = {"delivery": str(delivery_id)}
    return message


def signed_bytes(message) -> bytes:
    """The message as SMTP sends it (CRLF line ends), with a DKIM-Signature header first when
    a key is configured (mailings/dkim.py)."""
    data = message.message().as_bytes(linesep="\r\n")
    return dkim.signature(data) + data
