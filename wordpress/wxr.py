"""Reading a WordPress export (WXR 1.0, 1.1, 1.2) as a stream.

The file is read with `defusedxml`'s iterparse: a DOCTYPE, entity declarations and external
references are refused (a "billion laughs" export cannot expand, nothing is fetched), and each
`<item>` is turned into an `Item` and then dropped from the tree, so memory holds one item at a
time whatever the size of the file.

`scan()` reads the whole file once and fails with `WXRError` (one line, for the user) on
anything that is not a complete WordPress export of a version we know; it also returns the
small indexes the import needs before it meets the posts (attachments by id, page paths).
`iter_items()` then streams the items of a file `scan()` accepted.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
# WordPress's own importer (wordpress-importer, parsers/class-wxr-parser-simplexml.php) reads
# whatever URI the document binds to the `wp` and `excerpt` prefixes (WordPress.com writes
# https://...) and takes the version from <wp:wxr_version>; these patterns only recognise the
# usual URIs under another prefix, and say the version of an export without that element (1.0).
WP_PREFIX, EXCERPT_PREFIX = "wp", "excerpt"
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(\d+\.\d+)/$")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
EXCERPT_NS = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/excerpt/$")
NO_DATE = "0000-00-00 00:00:00"


class WXRError(Exception):
    """The file cannot be imported; the message is one line meant for the person importing."""


@dataclass(frozen=True)
class Site:
    version: str
    title: str
    link: str
    base_site_url: str
    base_blog_url: str

    @property
    def url(self):
        """The site's address as the key of everything imported from it (no trailing slash)."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass(frozen=True)
class Term:
    taxonomy: str  # category, post_tag, or a custom taxonomy
    slug: str
    name: str
    parent: str = ""


@dataclass(frozen=True)
class Category:
    """A category or tag on an item: `domain` is the taxonomy, `slug` the WordPress nicename."""

    domain: str
    slug: str
    name: str


@dataclass
class Item:
    wp_id: int
    post_type: str
    status: str
    title: str
    link: str = ""
    guid: str = ""
    post_name: str = ""
    post_date: str = ""
    post_date_gmt: str = ""
    content: str = ""
    excerpt: str = ""
    parent_id: int = 0
    menu_order: int = 0
    attachment_url: str = ""
    # Non-empty: the post was readable on the old site only with this password.
    password: str = ""
    comment_count: int = 0
    categories: list[Category] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def published_at(self):
        """`post_date_gmt` as an aware UTC datetime, or None (drafts often have no GMT date)."""
        return parse_wp_date(self.post_date_gmt)

    @property
    def slug(self):
        """`post_name` decoded: WordPress stores non-ASCII slugs percent-encoded."""
        return unquote(self.post_name).strip()


@dataclass(frozen=True)
class Attachment:
    wp_id: int
    url: str
    title: str
    alt: str
    parent_id: int
    attached_file: str


@dataclass
class Scan:
    site: Site
    item_count: int = 0
    terms: list[Term] = field(default_factory=list)
    attachments: dict[int, Attachment] = field(default_factory=dict)
    # id -> (decoded post_name, parent id): enough to rebuild a page's path.
    pages: dict[int, tuple[str, int]] = field(default_factory=dict)
    # Attachment ids by the id of the post they were uploaded to.
    children: dict[int, list[int]] = field(default_factory=dict)
    # What an export holds that the import leaves out by design, counted for the report.
    ignored: Counter = field(default_factory=Counter)

    def attached_to(self, wp_id):
        """The attachments uploaded to post `wp_id`, in export order."""
        return [self.attachments[child] for child in self.children.get(wp_id, ())]

    def page_path(self, wp_id):
        """'/parent/child/' from the page tree (cycles and missing parents cut the path)."""
        parts, seen = [], set()
        while wp_id in self.pages and wp_id not in seen:
            seen.add(wp_id)
            name, wp_id = self.pages[wp_id]
            parts.append(name)
        return "/" + "/".join(reversed(parts)) + "/"


def parse_wp_date(value):
    value = (value or "").strip()
    if not value or value == NO_DATE:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _split(tag):
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _text(element):
    return element.text or ""


def _int(value):
    try:
        return int((value or "").strip())
    except ValueError:
        return 0


class _Reader:
    """One pass over the file; yields Site once (before the first term or item), then Terms
    and Items in file order."""

    def __init__(self, source):
        self.source = source
        # The version a usual wp namespace URI names (None: none seen, or another URI).
        self.version = None
        self.has_wp_namespace = False
        self.excerpt_namespaces = set()
        self.header = {}
        self.site = None
        self.author_count = 0

    def _see_namespace(self, namespace, prefix=None):
        if prefix == WP_PREFIX:
            self.has_wp_namespace = True
        elif prefix == EXCERPT_PREFIX or EXCERPT_NS.match(namespace):
            self.excerpt_namespaces.add(namespace)
        match = WP_NAMESPACE.match(namespace)
        if not match:
            return
        self.has_wp_namespace = True
        version = match.group(1)
        if version not in SUPPORTED_VERSIONS:
            raise WXRError(
                f"Unknown WXR version {version}: this importer reads WXR "
                f"{', '.join(SUPPORTED_VERSIONS)}."
            )
        if self.version is None:
            self.version = version

    def _make_site(self):
        version = self.header.get("wxr_version", "").strip() or self.version
        if not self.has_wp_namespace:
            raise WXRError("Not a WordPress export (WXR): no wp: elements in the channel.")
        if version is None:
            raise WXRError("Not a WordPress export (WXR): it names no WXR version.")
        if version not in SUPPORTED_VERSIONS:
            raise WXRError(
                f"Unknown WXR version {version}: this importer reads WXR "
                f"{', '.join(SUPPORTED_VERSIONS)}."
            )
        site = Site(
            version=version,
            title=self.header.get("title", "").strip(),
            link=self.header.get("link", "").strip(),
            base_site_url=self.header.get("base_site_url", "").strip(),
            base_blog_url=self.header.get("base_blog_url", "").strip(),
        )
        if not site.url:
            raise WXRError("Not a complete WordPress export: the channel names no site address.")
        return site

    def __iter__(self):
        depth = 0
        channel = None
        root_checked = False
        try:
            for event, element in iterparse(
                self.source,
                events=("start-ns", "start", "end"),
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            ):
                if event == "start-ns":
                    # Declared namespaces tell the version even before an element uses one.
                    prefix, namespace = element
                    self._see_namespace(namespace, prefix)
                    continue
                if event == "start":
                    depth += 1
                    namespace, local = _split(element.tag)
                    self._see_namespace(namespace)
                    if not root_checked:
                        root_checked = True
                        if local != "rss" or namespace:
                            raise WXRError(
                                "Not a WordPress export (WXR): the file is XML but not an "
                                f"RSS document (root element <{local}>)."
                            )
                    elif depth == 2 and local == "channel":
                        channel = element
                    continue
                depth -= 1
                if depth != 2 or channel is None:
                    continue
                # A direct child of <channel> is complete: use it, then drop it from the tree.
                namespace, local = _split(element.tag)
                if local == "item":
                    if self.site is None:
                        self.site = self._make_site()
                        yield self.site
                    yield self._item(element)
                elif local in ("category", "tag", "term") and namespace:
                    if self.site is None:
                        self.site = self._make_site()
                        yield self.site
                    yield self._term(local, element)
                elif local == "author" and namespace:
                    self.author_count += 1
                elif local in ("title", "link", "base_site_url", "base_blog_url", "wxr_version"):
                    self.header[local] = _text(element)
                element.clear()
                channel.remove(element)
        except (ParseError, SyntaxError) as exc:
            raise WXRError(_parse_error_message(exc)) from exc
        except DefusedXmlException as exc:
            raise WXRError(
                "Refused: the file declares a DOCTYPE, entities or external references, "
                "which a WordPress export never does."
            ) from exc
        if channel is None:
            raise WXRError("Not a WordPress export (WXR): no <channel> in the RSS document.")
        if self.site is None:
            self.site = self._make_site()
            yield self.site

    def _term(self, local, element):
        values = {_split(child.tag)[1]: _text(child) for child in element}
        if local == "category":
            return Term(
                "category",
                unquote(values.get("category_nicename", "")).strip(),
                html.unescape(values.get("cat_name", "")).strip(),
                unquote(values.get("category_parent", "")).strip(),
            )
        if local == "tag":
            return Term(
                "post_tag",
                unquote(values.get("tag_slug", "")).strip(),
                html.unescape(values.get("tag_name", "")).strip(),
            )
        return Term(
            values.get("term_taxonomy", "").strip(),
            unquote(values.get("term_slug", "")).strip(),
            html.unescape(values.get("term_name", "")).strip(),
            unquote(values.get("term_parent", "")).strip(),
        )

    def _item(self, element):
        values = {}
        categories = []
        meta = {}
        comment_count = 0
        for child in element:
            namespace, local = _split(child.tag)
            if local == "category" and not namespace:
                categories.append(
                    Category(
                        domain=child.get("domain", "category"),
                        slug=unquote(child.get("nicename", "")).strip(),
                        name=html.unescape(_text(child)).strip(),
                    )
                )
            elif local == "postmeta":
                fields = {_split(part.tag)[1]: _text(part) for part in child}
                if fields.get("meta_key"):
                    meta[fields["meta_key"]] = fields.get("meta_value", "")
            elif namespace == CONTENT_NS and local == "encoded":
                values["content"] = _text(child)
            elif namespace in self.excerpt_namespaces and local == "encoded":
                values["excerpt"] = _text(child)
            elif local == "comment" and namespace:
                comment_count += 1
            elif namespace == DC_NS:
                continue
            else:
                values[local] = _text(child)
        wp_id = _int(values.get("post_id"))
        if not wp_id:
            raise WXRError(
                "Not a complete WordPress export: an <item> has no wp:post_id "
                f"(title: {values.get('title', '')[:60]!r})."
            )
        return Item(
            wp_id=wp_id,
            post_type=values.get("post_type", "post").strip() or "post",
            status=values.get("status", "").strip(),
            title=html.unescape(values.get("title", "")).strip(),
            link=values.get("link", "").strip(),
            guid=values.get("guid", "").strip(),
            post_name=values.get("post_name", "").strip(),
            post_date=values.get("post_date", "").strip(),
            post_date_gmt=values.get("post_date_gmt", "").strip(),
            content=values.get("content", ""),
            excerpt=values.get("excerpt", ""),
            parent_id=_int(values.get("post_parent")),
            menu_order=_int(values.get("menu_order")),
            attachment_url=values.get("attachment_url", "").strip(),
            password=values.get("post_password", ""),
            comment_count=comment_count,
            categories=categories,
            meta=meta,
        )


def _parse_error_message(exc):
    text = str(exc)
    if text == "no element found: line 1, column 0":
        return "The file is empty: it is not a WordPress export."
    if "no element found" in text or "unclosed token" in text:
        return f"The export is incomplete (truncated?): the XML ends too early ({text})."
    if "syntax error: line 1, column 0" in text:
        return "Not an XML file: this does not look like a WordPress export."
    return f"Not a readable XML file: {text}."


def scan(source):
    """Read the whole export once; return a `Scan` or raise `WXRError` (see the module doc).

    `source` is a path or a binary file object (rewound by the caller before `iter_items`)."""
    result = None
    reader = _Reader(source)
    for entry in reader:
        if isinstance(entry, Site):
            result = Scan(site=entry)
        elif isinstance(entry, Term):
            result.terms.append(entry)
        else:
            result.item_count += 1
            if entry.comment_count:
                result.ignored["comments"] += entry.comment_count
            if entry.post_type == "attachment":
                result.attachments[entry.wp_id] = Attachment(
                    wp_id=entry.wp_id,
                    url=entry.attachment_url or entry.guid,
                    title=entry.title,
                    alt=entry.meta.get("_wp_attachment_image_alt", "").strip(),
                    parent_id=entry.parent_id,
                    attached_file=entry.meta.get("_wp_attached_file", "").strip(),
                )
                if entry.parent_id:
                    result.children.setdefault(entry.parent_id, []).append(entry.wp_id)
            elif entry.post_type == "page":
                result.pages[entry.wp_id] = (entry.slug, entry.parent_id)
    if reader.author_count:
        result.ignored["authors"] += reader.author_count
    return result


def iter_items(source):
    """The items of an export, one at a time, in file order."""
    for entry in _Reader(source):
        if isinstance(entry, Item):
            yield entry
