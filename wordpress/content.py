"""Turning a WordPress post body into the HTML our editors write.

WordPress stores bodies as the author typed them: no paragraph tags (they are added on display
by `wpautop`), shortcodes in square brackets, bare video links on their own line, and media
links to `wp-content/uploads`. `convert_body()` does, in this order, what WordPress does on
display and what our site needs instead:

1. shortcodes: `[caption]` becomes a <figure>, `[gallery]` is lifted out (the publication's
   gallery), `[embed]`/`[video]`/`[audio]`/`[youtube]`/`[vimeo]` and bare video links become
   the publication's video (click-to-load) or a plain link, and unknown shortcodes are removed
   with their enclosed text kept, each name counted for the report;
2. `wpautop`: paragraphs and line breaks rebuilt as WordPress shows them (not for block-editor
   content, which has its own paragraphs; WordPress skips it too);
3. media: every <img src> and <a href> is passed to a resolver that stores the file and gives
   its new address (images that cannot be imported are removed: a public page never loads
   anything from another host);
4. the one sanitiser (`forumasia.sanitise.clean_html`), as for editor input.

Nothing here touches the database or the network.
"""

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from forumasia.sanitise import clean_html
from publications.models import media_embed

# --- Shortcodes ------------------------------------------------------------------------------

# WordPress's get_shortcode_regex() for any tag name (WordPress only matches registered names;
# we cannot know which plugins the old site ran, see `_is_shortcode`).
SHORTCODE = re.compile(
    r"\[(\[?)([A-Za-z][\w-]*)(?![\w-])"
    r"([^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)"
    r"(\]?)"
)
# WordPress's shortcode_parse_atts().
ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
CAPTION_IMAGE = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.I | re.S)
# Names of common plugin shortcodes written without attributes ([/tab], [one_half], ...): a
# bracketed word that matches none of these and has no attribute or closing tag is text
# ("[sic]", "[emphasis added]") and stays.
PLUGIN_PREFIXES = ("vc_", "et_pb_", "fusion_", "av_", "su_", "tm_", "wpb_", "ult_")
PLUGIN_NAMES = {
    "column",
    "columns",
    "row",
    "tab",
    "tabs",
    "toggle",
    "accordion",
    "button",
    "box",
    "divider",
    "clear",
    "spacer",
    "one_half",
    "one_third",
    "two_third",
    "one_fourth",
    "three_fourth",
    "contact-form-7",
    "contact-form",
    "wpforms",
    "pdf-embedder",
    "pdfjs-viewer",
    "googlepdf",
    "playlist",
    "soundcloud",
    "tweet",
    "twitter",
    "facebook",
    "instagram",
    "slideshow",
    "slider",
    "rev_slider",
    "layerslider",
    "download",
    "wp_ulike",
    "ssba",
    "addtoany",
    "dropcap",
    "highlight",
    "quote",
    "pullquote",
}
VIDEO_SHORTCODES = {"embed", "video", "audio", "youtube", "vimeo", "soundcloud"}
SURROGATE = re.compile("[\ud800-\udfff]")
STRAY_CLOSING = re.compile(r"\[/([A-Za-z][\w-]*)\]")
URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>\]]+")

# --- wpautop ----------------------------------------------------------------------------------

ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    r"|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside"
    r"|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
HTML_TAG_OR_COMMENT = re.compile(r"<!--.*?-->|<[^>]*>", re.S)
BLOCK_EDITOR = "<!-- wp:"

# --- Media and clean-up -----------------------------------------------------------------------

MEDIA_TAG = re.compile(r"<(img|a)\b([^>]*)>", re.I)
URL_ATTRIBUTE = re.compile(r"""(\s)(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
IFRAME = re.compile(r"<iframe\b[^>]*?\ssrc\s*=\s*[\"']?([^\"'\s>]+)[^>]*>\s*(?:</iframe>)?", re.I)
# Our editor offers h2-h4 only; the sanitiser would drop the others and run their text into
# the surrounding paragraph.
HEADING_UP = re.compile(r"<(/?)h1\b[^>]*>", re.I)
HEADING_DOWN = re.compile(r"<(/?)h[56]\b[^>]*>", re.I)
EMPTY_ELEMENT = re.compile(r"<(p|figure|figcaption)>(?:\s|&nbsp;|<br\s*/?>)*</\1>", re.I)
BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
BARE_URL_PARAGRAPH = re.compile(r"(<p(?: [^>]*)?>\s*)(https?://[^\s<>\"]+)(\s*</p>)", re.I)

# Private-use characters: cannot occur in a real body, survive autop untouched.
VIDEO_MARK = "\ue000"
VIDEO_PLACEHOLDER = re.compile(VIDEO_MARK + r"(\d+)" + VIDEO_MARK)

Resolver = Callable[[str, str], str | None]


@dataclass
class Body:
    html: str
    video_url: str = ""
    # Attachment ids of [gallery ids="..."]; `gallery_of_attached` when a gallery named none
    # (WordPress then shows the images attached to the post).
    gallery_ids: list[int] = field(default_factory=list)
    gallery_of_attached: bool = False
    unknown_shortcodes: Counter = field(default_factory=Counter)
    extra_videos: list[str] = field(default_factory=list)


def parse_attributes(text):
    """WordPress's shortcode_parse_atts(): {name: value} plus positional values under 0, 1..."""
    text = re.sub(r"[\u00a0\u200b]+", " ", html.unescape(text or ""))
    attributes = {}
    position = 0
    for match in ATTRIBUTE.finditer(text):
        groups = match.groups()
        if groups[0] is not None:
            attributes[groups[0].lower()] = groups[1]
        elif groups[2] is not None:
            attributes[groups[2].lower()] = groups[3]
        elif groups[4] is not None:
            attributes[groups[4].lower()] = groups[5]
        else:
            value = next(value for value in groups[6:] if value is not None)
            attributes[position] = value
            position += 1
    return attributes


def _is_shortcode(name, attribute_text, self_closing, content):
    lowered = name.lower()
    return (
        content is not None
        or bool(self_closing)
        or "=" in attribute_text
        or lowered in KNOWN_SHORTCODES
        or lowered in PLUGIN_NAMES
        or lowered.startswith(PLUGIN_PREFIXES)
    )


def _link(url):
    safe = html.escape(url, quote=True)
    return f'\n\n<p><a href="{safe}">{safe}</a></p>\n\n'


class _Converter:
    def __init__(self, *, lift_first_video):
        self.body = Body(html="")
        self.lift_first_video = lift_first_video
        self.videos = []

    def video(self, url):
        """A placeholder for a video link; `place_videos` decides, in document order, which
        one becomes the publication's video and which ones stay as links."""
        url = url.strip()
        if media_embed(url) is None:
            return _link(url) if url else ""
        self.videos.append(url)
        return f"\n\n{VIDEO_MARK}{len(self.videos) - 1}{VIDEO_MARK}\n\n"

    def place_videos(self, text):
        def place(match):
            url = self.videos[int(match.group(1))]
            if self.lift_first_video and not self.body.video_url:
                self.body.video_url = url
                return ""
            self.body.extra_videos.append(url)
            return _link(url)

        return VIDEO_PLACEHOLDER.sub(place, text)

    def shortcodes(self, text):
        return STRAY_CLOSING.sub(self._stray, SHORTCODE.sub(self._shortcode, text))

    def _stray(self, match):
        # A closing tag whose opening one was lost (page builders leave these): never prose.
        self.body.unknown_shortcodes[match.group(1).lower()] += 1
        return ""

    def _shortcode(self, match):
        escape_open, name, attribute_text, self_closing, content, escape_close = match.groups()
        if escape_open and escape_close:
            # [[name]] is how an author writes a literal [name].
            return match.group(0)[1:-1]
        if not _is_shortcode(name, attribute_text, self_closing, content):
            # Plain text in brackets: keep it, but still convert shortcodes after it.
            return match.group(0)[:1] + self.shortcodes(match.group(0)[1:])
        lowered = name.lower()
        attributes = parse_attributes(attribute_text)
        handler = KNOWN_SHORTCODES.get(lowered)
        if handler is None:
            self.body.unknown_shortcodes[lowered] += 1
            return self.shortcodes(content) if content else ""
        return escape_open + handler(self, attributes, content or "") + escape_close

    def caption(self, attributes, content):
        content = self.shortcodes(content)
        found = CAPTION_IMAGE.match(content.strip())
        if found:
            image, caption = found.group(1), found.group(2).strip()
        else:
            image, caption = "", content.strip()
        caption = caption or html.escape(attributes.get("caption", ""))
        if not image:
            return f"\n\n<p>{caption}</p>\n\n" if caption else ""
        caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
        return f"\n\n<figure>{image}{caption_html}</figure>\n\n"

    def gallery(self, attributes, content):
        ids = attributes.get("ids") or attributes.get("include") or ""
        numbers = [int(part) for part in re.findall(r"\d+", ids)]
        if numbers:
            self.body.gallery_ids.extend(n for n in numbers if n not in self.body.gallery_ids)
        else:
            self.body.gallery_of_attached = True
        return "\n\n"

    def embed(self, attributes, content):
        candidates = [content.strip()] if content.strip() else []
        for key in ("src", "url", "mp4", "m4v", "webm", "ogv", "mp3", "ogg", "wav", "m4a", 0):
            if attributes.get(key):
                candidates.append(str(attributes[key]))
        for candidate in candidates:
            found = URL_IN_TEXT.search(candidate.lstrip("="))
            if found:
                return self.video(found.group(0))
        return ""


KNOWN_SHORTCODES = {
    "caption": _Converter.caption,
    "wp_caption": _Converter.caption,
    "gallery": _Converter.gallery,
    **dict.fromkeys(VIDEO_SHORTCODES, _Converter.embed),
}


def _replace_in_html_tags(text, search, replacement):
    """WordPress's wp_replace_in_html_tags(): replace inside tags and comments only."""
    return HTML_TAG_OR_COMMENT.sub(lambda m: m.group(0).replace(search, replacement), text)


def autop(text):
    """WordPress's wpautop(): paragraphs from blank lines, <br /> from single newlines."""
    if not text.strip():
        return ""
    text = text + "\n"
    pre_tags = {}
    if "<pre" in text:
        parts = text.split("</pre>")
        last = parts.pop()
        text = ""
        for index, part in enumerate(parts):
            start = part.find("<pre")
            if start == -1:
                text += part
                continue
            name = f"<pre wp-pre-tag-{index}></pre>"
            pre_tags[name] = part[start:] + "</pre>"
            text += part[:start] + name
        text += last
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(r"(<" + ALL_BLOCKS + r"[\s/>])", r"\n\n\1", text)
    text = re.sub(r"(</" + ALL_BLOCKS + r">)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _replace_in_html_tags(text, "\n", " <!-- wpnl --> ")
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part]
    text = "".join("<p>" + paragraph.strip("\n") + "</p>\n" for paragraph in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)", r"\1", text)
    text = re.sub(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(
        r"<(script|style|svg|math).*?</\1>",
        lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"),
        text,
        flags=re.S,
    )
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    return text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")


def rewrite_media(text, resolve: Resolver):
    """Pass every <img src> and <a href> through `resolve(url, element)`.

    `resolve` returns the address to use, or None: an image is then removed (it would load
    from the old site) and a link keeps its old address.
    """

    def tag(match):
        element, attributes = match.group(1).lower(), match.group(2)
        wanted = "src" if element == "img" else "href"
        found = next(
            (m for m in URL_ATTRIBUTE.finditer(attributes) if m.group(2).lower() == wanted), None
        )
        if found is None:
            return "" if element == "img" else match.group(0)
        url = html.unescape(next(g for g in found.groups()[2:] if g is not None)).strip()
        new_url = resolve(url, element)
        if new_url is None:
            return "" if element == "img" else match.group(0)
        replaced = f'{found.group(1)}{wanted}="{html.escape(new_url, quote=True)}"'
        start, end = found.span()
        return f"<{match.group(1)}{attributes[:start]}{replaced}{attributes[end:]}>"

    return MEDIA_TAG.sub(tag, text)


def convert_body(text, *, resolve: Resolver, lift_first_video=True) -> Body:
    """The WordPress body `text` as sanitised HTML for our site (see the module docstring)."""
    converter = _Converter(lift_first_video=lift_first_video)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    # An XML parser never yields lone surrogates, but this function takes any text: they
    # cannot be encoded for the sanitiser.
    text = SURROGATE.sub("\ufffd", text)
    text = IFRAME.sub(lambda m: converter.video(html.unescape(m.group(1))), text)
    text = converter.shortcodes(text)
    text = BARE_URL_LINE.sub(lambda m: converter.video(m.group(1)), text)
    if BLOCK_EDITOR not in text:
        text = autop(text)
    text = BARE_URL_PARAGRAPH.sub(lambda m: converter.video(m.group(2)), text)
    text = converter.place_videos(text)
    text = HEADING_UP.sub(r"<\1h2>", text)
    text = HEADING_DOWN.sub(r"<\1h4>", text)
    text = rewrite_media(text, resolve)
    text = clean_html(text)
    text = EMPTY_ELEMENT.sub("", text)
    converter.body.html = re.sub(r"\n{2,}", "\n", text).strip()
    return converter.body
