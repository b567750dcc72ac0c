"""The one rich-text sanitiser: every stored body goes through `clean_html` on save.

nh3 is the security boundary: whatever reaches the database has been through `clean_html`.
Before a form saves, `review_html` tells the editor what that cleaning would take away which a
reader would miss (embeds, scripts, forms, event handlers, refused addresses) and which images
the public pages' Content-Security-Policy would block (anything but our own media), so the form
can refuse with a message instead of dropping them silently. Wrappers and presentation that
cleaning removes while keeping the text (span, div, font, style and class attributes, Word's
markup) are normalisation, not something to refuse.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
# No data:, javascript: or other schemes: images must come from our own media.
URL_SCHEMES = {"http", "https", "mailto"}

# Elements cleaning removes that show something else's content: a player, another page.
EMBEDDED = {"iframe", "object", "embed", "applet", "video", "audio", "portal", "fencedframe"}
# Elements cleaning removes that are code, styling, input or drawing rather than text: what they
# do or show is lost (their text, if any, would be left without it).
NOT_PUBLISHED = {
    "script",
    "style",
    "link",
    "base",
    "template",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "svg",
    "math",
    "canvas",
}
# An attribute name the HTML tokenizer can never produce (it lower-cases names): set on every
# element by the inventory, so each element's attributes end with it.
ELEMENT_MARK = "NH3-ELEMENT"
START_TAG = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
C0_AND_SPACE = "".join(map(chr, range(0x21)))
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
LONGEST_NAMED = 100


def clean_html(html: str) -> str:
    """Return `html` with everything outside the allow-list removed."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


@dataclass
class Element:
    tag: str
    attributes: list = field(default_factory=list)

    def get(self, name):
        return next((value for key, value in self.attributes if key == name), None)


def inventory(html, *, tags, **options):
    """The elements nh3's own parser finds in `html` among `tags`, in document order, each
    with the attributes `options` let through (read from nh3's attribute filter, so this is
    the very tree nh3 cleans, not another parser's guess at it)."""
    elements, current = [], []

    # nh3 calls the filter with each element's attributes, then with the mark for elements it
    # keeps; it also calls it with every attribute of elements it removes (no mark follows), so
    # an element's attributes are those of its own tag since the last mark.
    def record(tag, name, value):
        if name == ELEMENT_MARK:
            elements.append(Element(tag, [(key, text) for of, key, text in current if of == tag]))
            current.clear()
            return None
        current.append((tag, name, value))
        return value

    nh3.Cleaner(
        tags=tags,
        attribute_filter=record,
        set_tag_attribute_values={tag: {ELEMENT_MARK: ""} for tag in tags},
        strip_comments=True,
        **options,
    ).clean(html)
    return elements


def everything_in(html):
    """Every element and attribute of `html`, with every address whatever its scheme."""
    # Every start tag's name as the tokenizer lower-cases it (a superset: some are in text).
    # Inside <svg> and <math> the parser spells some in camel case; those are refused anyway.
    names = {match.translate(ASCII_LOWER) for match in START_TAG.findall(html)}
    # As a browser reads an address: entities decoded, tabs and newlines dropped.
    readable = re.sub(r"[\t\n\r]", "", unescape(html))
    schemes = {scheme.lower() for scheme in SCHEME.findall(readable)}
    return inventory(
        html,
        tags=names | ALLOWED_TAGS | EMBEDDED | NOT_PUBLISHED,
        clean_content_tags=set(),
        generic_attribute_prefixes={""},
        url_schemes=schemes | URL_SCHEMES,
        link_rel=None,
    )


def kept_in(html):
    """The elements and attributes `clean_html` keeps of `html`."""
    return inventory(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def browser_url(value):
    """`value` as a browser reads an address: controls and spaces around it and tabs or
    newlines in it ignored, a backslash read as a slash (`/\\host/x` is another host)."""
    return re.sub(r"[\t\n\r]", "", value.strip(C0_AND_SPACE)).replace("\\", "/")


def is_own_media(src):
    """True when an image address is a file of our own media, as the public pages serve it:
    under MEDIA_URL (on the site's own origin when MEDIA_URL is a path, on the media origin
    when it is a whole address)."""
    site = urlsplit(settings.SITE_URL)
    media = urlsplit(settings.MEDIA_URL)
    media_origin = (media.scheme or site.scheme, media.netloc or site.netloc)
    address = urlsplit(browser_url(src))
    if not (address.scheme or address.netloc):
        return not media.netloc and address.path.startswith(media.path)
    origin = ((address.scheme or site.scheme).lower(), address.netloc.lower())
    return origin == media_origin and address.path.startswith(media.path)


def shortened(text):
    return text if len(text) <= LONGEST_NAMED else text[: LONGEST_NAMED - 1] + "…"


def unique(items):
    return list(dict.fromkeys(items))


@dataclass
class Review:
    """What saving `html` would take away or publish broken; empty when nothing."""

    embedded: list = field(default_factory=list)
    not_published: list = field(default_factory=list)
    handlers: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    inline_images: int = 0
    outside_images: list = field(default_factory=list)

    def __bool__(self):
        return any(
            (
                self.embedded,
                self.not_published,
                self.handlers,
                self.addresses,
                self.inline_images,
                self.outside_images,
            )
        )

    def messages(self, *, embed_advice, in_editor):
        """One message per kind of problem. `in_editor`: the field is the rich-text editor
        (with Source and Image buttons), not a plain text box without image uploads."""
        remove = (
            "Remove them (the Source button shows the text's HTML)."
            if in_editor
            else ("Remove them.")
        )
        messages = []
        if self.embedded:
            messages.append(
                "Embedded content cannot be published in the text: "
                f"{', '.join(self.embedded)}. {embed_advice}"
            )
        if self.not_published:
            messages.append(
                "Scripts, styles, forms and drawings cannot be published in the text: "
                f"{', '.join(self.not_published)}. {remove}"
            )
        if self.handlers:
            messages.append(
                "Script attributes cannot be published in the text: "
                f"{', '.join(self.handlers)}. {remove}"
            )
        if self.addresses:
            messages.append(
                f"These addresses cannot be published: {', '.join(self.addresses)}. A link "
                "must start with https://, http:// or mailto:."
            )
        if self.inline_images:
            count = self.inline_images
            images = f"{count} image{'s are' if count > 1 else ' is'} inside the text as data"
            messages.append(
                f"{images} (a data: address) instead of an uploaded file. Paste or drop the "
                "image file itself, or add it with the Image button's Upload tab."
                if in_editor
                else f"{images} (a data: address). Remove {'them' if count > 1 else 'it'}: "
                "this text has no image uploads."
            )
        if self.outside_images:
            listed = ", ".join(self.outside_images)
            messages.append(
                f"Upload these images instead: {listed}. Images from other sites are blocked "
                "on our pages: save each one and add it with the Image button's Upload tab, "
                "or paste the file."
                if in_editor
                else f"Remove these images: {listed}. Images from other sites are blocked on "
                "our pages, and this text has no image uploads."
            )
        return messages


def review_html(html):
    """What `clean_html(html)` removes that a reader would miss, and the images it keeps that
    are not our own media (the public Content-Security-Policy blocks them)."""
    review = Review()
    if not html:
        return review
    before, after = everything_in(html), kept_in(html)
    for element in before:
        if element.tag in EMBEDDED:
            source = element.get("src") or element.get("data")
            review.embedded.append(
                f"<{element.tag}> from {shortened(source)}" if source else f"<{element.tag}>"
            )
        elif element.tag in NOT_PUBLISHED:
            review.not_published.append(f"<{element.tag}>")
        review.handlers += [name for name, _ in element.attributes if name.startswith("on")]
    # Cleaning removes an allowed attribute only for its address (a refused scheme).
    kept = Counter(
        (element.tag, name, value) for element in after for name, value in element.attributes
    )
    for element in before:
        for name, value in element.attributes:
            if name not in ALLOWED_ATTRIBUTES.get(element.tag, ()):
                continue
            if kept[element.tag, name, value]:
                kept[element.tag, name, value] -= 1
            elif element.tag == "img" and browser_url(value).lower().startswith("data:"):
                review.inline_images += 1
            else:
                review.addresses.append(shortened(browser_url(value)))
    review.outside_images = [
        shortened(src)
        for element in after
        if element.tag == "img" and (src := element.get("src")) and not is_own_media(src)
    ]
    review.embedded = unique(review.embedded)
    review.not_published = unique(review.not_published)
    review.handlers = unique(review.handlers)
    review.addresses = unique(review.addresses)
    review.outside_images = unique(review.outside_images)
    return review


EMBED_ADVICE = "Remove it, or link to it instead."


class RichTextValidator:
    """Refuses rich text whose cleaning would lose something a reader would miss, naming it.
    `embed_advice` tells the editor where embeds go instead on this form; `in_editor` is False
    for HTML typed in a plain text box (no Source or Image buttons)."""

    def __init__(self, *, embed_advice=EMBED_ADVICE, in_editor=True):
        self.embed_advice = embed_advice
        self.in_editor = in_editor
        self.help_text = (
            "Embeds, scripts, forms, unsafe links and images from other sites are refused "
            "with a message naming them; other formatting is tidied on save."
            if in_editor
            else "HTML: embeds, scripts, forms, unsafe links and images are refused with a "
            "message naming them; other formatting is tidied on save."
        )

    def __call__(self, html):
        review = review_html(html)
        if review:
            raise ValidationError(
                review.messages(embed_advice=self.embed_advice, in_editor=self.in_editor)
            )


class RichTextFormMixin:
    """For model forms with rich-text fields: `rich_text_fields` maps each field's name to
    its RichTextValidator, which also says in the field's help what it refuses."""

    rich_text_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, validator in self.rich_text_fields.items():
            # Absent when the admin shows the field read-only (a released item to an Editor).
            field = self.fields.get(name)
            if field is not None:
                field.validators.append(validator)
                field.help_text = validator.help_text
