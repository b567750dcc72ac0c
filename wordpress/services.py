"""The import: the one module that writes what a WordPress export holds to the database.

`import_export()` reads the export twice. The first pass (`wxr.scan`) reads the whole file
and refuses, with one line, anything that is not a complete export of a WXR version we know —
before a single row or file is written, because stored media files cannot be rolled back. The
second pass writes inside one transaction, so a failure the first pass could not foresee (a
full disk, a database error) still leaves nothing half-imported; files this run stored are then
removed again. A dry run is the same code, rolled back at the end, with no file written: it
prints the same report.

How a post becomes a publication is in `publication_fields()` and `_save_publication()`; the
status mapping in `STATUS_MAP` (adapting to new editorial statuses is a change there).

Imported into a sub-site (`sub_site=`), the items are the sub-site's: each publication is one
of its picks (in its stream whatever its criteria) and keeps its one address on the main site;
the old site's addresses are answered on its old host only, the sub-site's own once the
sub-site's host is set to it (oldaddresses/redirects.py, `SubSiteSource`), and the report gives
the new addresses on the sub-site.
"""

import contextlib
import hashlib
import html
import io
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django_tasks import task
from taggit.models import Tag, TaggedItem

from forumasia import events
from forumasia.images import make_renditions
from members.models import Country
from oldaddresses.models import (
    ImportedItem,
    ImportedMedia,
    ImportedTerm,
    SubSiteSource,
    bare_host,
)
from oldaddresses.redirects import on_this_site
from pages.models import Page
from pages.paths import reserved_problem, shape_problem
from publications.models import Attachment, GalleryImage, Publication
from publications.services import copy_renditions
from subsites.models import Pick
from subsites.routing import urlconf_for

from . import wxr
from .classify import CountryIndex, TypeMap, classify, language_of
from .content import convert_body
from .media import MediaLibrary, MediaProblem, site_hosts_of, uploads_path
from .models import ImportRun
from .report import Report
from .storage import EXPORTS_FOLDER, export_storage

logger = logging.getLogger(__name__)

# Bumped when the mapping changes, so a re-run rewrites items it would otherwise leave as they
# are (their mapped values differ even though the export did not change).
MAPPING_VERSION = "1"
TYPE_PAGES = {
    "statement": "/statements/",
    "letter": "/letters/",
    "report": "/reports/",
    "story": "/stories/",
}
PUBLICATION_LIST = "/publications/"
# WordPress status -> (our status, what the report calls it); anything else is skipped.
STATUS_MAP = {
    "publish": (Publication.Status.PUBLISHED, "published"),
    "future": (Publication.Status.PUBLISHED, "scheduled"),
    "draft": (Publication.Status.DRAFT, "draft"),
    # WordPress's "Pending Review": waiting for an editor who may publish, as In review is.
    "pending": (Publication.Status.REVIEW, "in review"),
}
SKIPPED_STATUSES = {
    "private": "private on the old site",
    "trash": "in the old site's trash",
    "auto-draft": "an automatic draft WordPress made, never written",
    "inherit": "not a post of its own",
}
SKIPPED_TYPES = {
    "revision": "a revision (only the current version is imported)",
    "nav_menu_item": "a navigation menu entry (menus are not imported)",
}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
SLUG_MAX = 200
TITLE_MAX = 255
STANDFIRST_MAX = 600
FLUSH_EVERY = 500


@dataclass
class Progress:
    total: int
    done: int = 0


@dataclass
class _Mapped:
    """A post mapped to publication values, before anything is written."""

    fields: dict
    countries: list[str]
    tags: list[str]
    featured: object = None  # StoredFile
    gallery: list = field(default_factory=list)  # [(StoredFile, alt)]
    documents: list = field(default_factory=list)  # [StoredFile]

    def digest(self):
        payload = {
            "mapping": MAPPING_VERSION,
            "fields": {key: str(value) for key, value in self.fields.items()},
            "countries": self.countries,
            "tags": self.tags,
            "featured": self.featured.name if self.featured else "",
            "gallery": [(stored.name, alt) for stored, alt in self.gallery],
            "documents": [stored.name for stored in self.documents],
        }
        return _hash(payload)


def _hash(payload):
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def publication_hash(publication, *, tags=None, countries=None):
    """What an editor could change on an imported publication, as one hash. `tags` and
    `countries` (names, ISO codes) are read from the database unless given."""
    if tags is None:
        tags = publication.tags.names()
    if countries is None:
        countries = publication.countries.values_list("code", flat=True)
    return _hash(
        {
            "type": publication.type,
            "title": publication.title,
            "slug": publication.slug,
            "standfirst": publication.standfirst,
            "body": publication.body,
            "status": publication.status,
            "publish_at": publication.publish_at.astimezone(UTC).isoformat(),
            "featured_image": publication.featured_image.name or "",
            "featured_image_alt": publication.featured_image_alt,
            "video_url": publication.video_url,
            "language": publication.language,
            "tags": sorted(set(tags)),
            "countries": sorted(set(countries)),
        }
    )


def page_hash(page):
    """What an editor could change on an imported page, as one hash (wordpress 0003 rewrote the
    hashes of the flat pages imported before, in this form)."""
    return _hash(
        {
            "path": page.path,
            "title": page.title,
            "body": page.body,
            "status": page.status,
            "publish_at": page.publish_at.astimezone(UTC).isoformat(),
        }
    )


def plain_text(value):
    return " ".join(html.unescape(strip_tags(value or "")).split())


def load_type_map(path):
    """A TypeMap from a `--type-map` CSV file (defaults when `path` is None)."""
    if path is None:
        return TypeMap()
    return TypeMap.from_csv(Path(path).read_bytes())


class _Importer:
    def __init__(self, scan, *, library, report, type_map, now, dry_run, sub_site=None):
        self.scan = scan
        self.site_url = scan.site.url
        self.sub_site = sub_site
        self.sub_site_urlconf = urlconf_for(sub_site) if sub_site else None
        # The publications of this run: a sub-site's import picks them all.
        self.publication_ids = []
        self.library = library
        self.report = report
        self.type_map = type_map
        self.now = now
        self.dry_run = dry_run
        self.countries = {country.code: country for country in Country.objects.all()}
        self.country_index = CountryIndex.build(
            (country.code, country.name, country.slug) for country in self.countries.values()
        )
        self.site_hosts = site_hosts_of(
            scan.site.url, scan.site.link, scan.site.base_site_url, scan.site.base_blog_url
        )
        self.renditions = {}
        # On a site's first import there is nothing to look up for each item.
        self.site_known = ImportedItem.objects.filter(site_url=self.site_url).exists()
        self.tags = {}
        # Rows for new items, written FLUSH_EVERY posts at a time (flush()).
        self.held_rows = {"countries": [], "tags": [], "items": []}
        self.publication_type = ContentType.objects.get_for_model(Publication)
        self.local_zone = ZoneInfo(settings.TIME_ZONE)

    # --- one item ---

    def item(self, item):
        if item.post_type == "attachment":
            self.report.ignored["attachments (imported where a post uses them)"] += 1
            return
        if item.post_type in SKIPPED_TYPES:
            self.report.skip(item.wp_id, item.title, SKIPPED_TYPES[item.post_type])
            return
        if item.post_type not in ("post", "page"):
            self.report.skip(
                item.wp_id, item.title, f"post type {item.post_type!r} is not imported"
            )
            return
        if item.status in SKIPPED_STATUSES or item.status not in STATUS_MAP:
            reason = SKIPPED_STATUSES.get(item.status, f"unknown status {item.status!r}")
            self.report.skip(item.wp_id, item.title, reason)
            return
        if item.post_type == "page":
            self.page(item)
        else:
            self.post(item)

    def _existing(self, item):
        if not self.site_known:
            return None
        return (
            ImportedItem.objects.filter(site_url=self.site_url, wp_id=item.wp_id)
            .select_related("publication", "page")
            .first()
        )

    def _decide(self, record, source_hash, current_hash):
        """'create', 'update', 'unchanged', 'kept' (edited here) or 'deleted' (here)."""
        if record is None:
            return "create"
        if record.target is None:
            return "deleted"
        if current_hash != record.target_hash:
            return "kept"
        if record.source_hash == source_hash:
            return "unchanged"
        return "update"

    # --- posts ---

    def publish_time(self, item):
        moment = item.published_at
        if moment is None:
            local = wxr.parse_wp_date(item.post_date)
            if local is not None:
                # No GMT date (drafts): the local date, read in the Secretariat's time zone.
                moment = local.replace(tzinfo=self.local_zone)
        return moment or self.now

    def status_of(self, item):
        """(status, its name in the report, why the post was not public on the old site or
        ""). A post nobody could read there without a password, or one scheduled there for a
        time that has passed (WordPress's "missed schedule": never published), is a draft
        here whatever its WordPress status: public only after an editor's review."""
        status, label = STATUS_MAP[item.status]
        if item.password:
            return Publication.Status.DRAFT, "draft", "password-protected on the old site"
        if item.status == "future" and self.publish_time(item) <= self.now:
            reason = "scheduled on the old site for a time that has passed (never published)"
            return Publication.Status.DRAFT, "draft", reason
        return status, label, ""

    def publication_fields(self, item, resolve):
        """Publication values for a post, without touching the database except to read."""
        classification = classify(
            item.title, item.categories, type_map=self.type_map, countries=self.country_index
        )
        status, status_label, withheld = self.status_of(item)
        body = convert_body(item.content, resolve=resolve)
        title = classification.title or f"Untitled post {item.wp_id}"
        if withheld:
            self.report.withhold(item.wp_id, title, withheld)
        if not classification.title:
            self.report.warn(item.wp_id, title, "the post has no title")
        if len(title) > TITLE_MAX:
            self.report.warn(item.wp_id, title, f"title cut to {TITLE_MAX} characters")
            title = Truncator(title).chars(TITLE_MAX)
        if classification.type_source == "default":
            message = "no type in the title or categories: imported as a statement"
            if classification.unknown_prefix:
                message = (
                    f"unknown title prefix [{classification.unknown_prefix}]: "
                    "imported as a statement (add it to --type-map)"
                )
            self.report.warn(item.wp_id, title, message)
        # Without an excerpt WordPress shows the body's first 55 words; so do our cards.
        standfirst = plain_text(item.excerpt) or Truncator(plain_text(body.html)).words(55)
        if len(standfirst) > STANDFIRST_MAX:
            self.report.warn(item.wp_id, title, "excerpt cut to 600 characters")
            standfirst = Truncator(standfirst).chars(STANDFIRST_MAX)
        for name, count in sorted(body.unknown_shortcodes.items()):
            self.report.warn(item.wp_id, title, f"unknown shortcode [{name}] removed ({count}×)")
        for url in body.extra_videos:
            self.report.warn(item.wp_id, title, f"another video kept as a link: {url}")
        fields = {
            "type": classification.type,
            "title": title,
            "standfirst": standfirst,
            "body": body.html,
            "status": status,
            "publish_at": self.publish_time(item),
            "video_url": body.video_url[:500],
            "language": language_of(title),
        }
        return fields, classification, body, status_label

    def post(self, item):
        record = self._existing(item)
        if record is not None and record.target is None:
            # Deleted here: not re-created, so none of its files are copied either.
            self._report_item(item, "deleted", "publication", "", "", None)
            return
        current = record.publication if record else None
        # Its files are copied into its folder as they are found: a new publication's key is
        # known before the row is saved.
        owner = current or Publication()
        documents = []

        def resolve(url, element):
            return self.resolve_media(item, url, element, documents, owner=owner)

        fields, classification, body, status_label = self.publication_fields(item, resolve)
        mapped = _Mapped(
            fields=fields, countries=classification.countries, tags=classification.tags
        )
        mapped.featured = self.featured_image(item, fields["title"], owner)
        mapped.gallery = self.gallery(item, body, fields["title"], owner)
        mapped.documents = self.documents(item, documents, fields["title"], owner)
        mapped.fields["featured_image_alt"] = self.featured_alt(item, mapped, fields["title"])
        decision = self._decide(
            record, mapped.digest(), publication_hash(current) if current else None
        )
        publication = current
        if decision in ("create", "update"):
            publication = self._save_publication(item, mapped, owner, replace=current is not None)
            self._remember(
                item,
                record,
                mapped.digest(),
                publication=publication,
                mapped_tags=mapped.tags,
                mapped_countries=mapped.countries,
            )
        self._report_item(item, decision, "publication", fields["type"], status_label, publication)
        if publication is not None:
            self.publication_ids.append(publication.pk)
            self._report_redirects(
                item, self.address(publication.get_absolute_url()), fields["title"]
            )

    def featured_image(self, item, title, owner):
        attachment = self.scan.attachments.get(wxr_int(item.meta.get("_thumbnail_id")))
        if attachment is None:
            return None
        stored = self._store_attachment(item, attachment, title, owner, "featured")
        return stored if stored is not None and stored.kind == "image" else None

    def featured_alt(self, item, mapped, title):
        if mapped.featured is None:
            return ""
        attachment = self.scan.attachments[wxr_int(item.meta.get("_thumbnail_id"))]
        if attachment.alt:
            return attachment.alt[:255]
        self.report.warn(item.wp_id, title, "the featured image had no alt text: its title is used")
        return (plain_text(attachment.title) or title)[:255]

    def gallery(self, item, body, title, owner):
        if body.gallery_ids:
            attachments = [self.scan.attachments.get(wp_id) for wp_id in body.gallery_ids]
            for wp_id, attachment in zip(body.gallery_ids, attachments, strict=True):
                if attachment is None:
                    self.report.missing(
                        item.wp_id, title, f"[gallery] id {wp_id}", "not in the export"
                    )
        elif body.gallery_of_attached:
            attachments = self.scan.attached_to(item.wp_id)
        else:
            return []
        images = {}
        for attachment in attachments:
            if attachment is None:
                continue
            stored = self._store_attachment(item, attachment, title, owner, "gallery")
            # Once each: two gallery rows must not share one file.
            if stored is not None and stored.kind == "image" and stored.name not in images:
                alt = attachment.alt or plain_text(attachment.title) or title
                images[stored.name] = (stored, alt[:255])
        return list(images.values())

    def documents(self, item, linked, title, owner):
        """Documents linked in the body, then those attached to the post, each once."""
        attached = [
            self._store_attachment(item, attachment, title, owner, "document")
            for attachment in self.scan.attached_to(item.wp_id)
            if attachment.url.lower().rsplit(".", 1)[-1] not in ("jpg", "jpeg", "png", "gif")
        ]
        unique = {}
        for stored in [*linked, *attached]:
            if stored is not None and stored.kind == "document":
                unique.setdefault(stored.name, stored)
        return list(unique.values())

    def _store_attachment(self, item, attachment, title, owner, use):
        relative = uploads_path(attachment.url, site_hosts=self.site_hosts)
        if relative is None and attachment.attached_file:
            relative = attachment.attached_file
        if relative is None:
            self.report.missing(item.wp_id, title, attachment.url, "not on the old site")
            return None
        try:
            stored = self.library.store(
                relative, title=plain_text(attachment.title), owner=owner, use=use
            )
        except MediaProblem as problem:
            self.report.missing(item.wp_id, title, attachment.url or relative, str(problem))
            return None
        return stored

    def resolve_media(self, item, url, element, documents, owner=None):
        """The new URL of a file a body links: an image stays a public upload (the text shows
        it); a post's document becomes its publication's own (its attachment), a page's a public
        upload."""
        relative = uploads_path(url, site_hosts=self.site_hosts)
        if relative is None:
            if element == "img":
                self.report.warn(
                    item.wp_id, item.title, f"image from another site removed: {url[:200]}"
                )
                return None
            return url
        try:
            if owner is None or self.library.kind_of(relative) == "image":
                stored = self.library.store(relative)
            else:
                stored = self.library.store(relative, owner=owner, use="document")
        except MediaProblem as problem:
            self.report.missing(item.wp_id, item.title, url, str(problem))
            return None
        if stored.kind == "document":
            documents.append(stored)
        return self.library.url(stored)

    def _unique_slug(self, item, title, current):
        candidates = [item.slug, slugify(item.slug), slugify(title), f"post-{item.wp_id}"]
        slug = next(c for c in candidates if c and SLUG.match(c))[:SLUG_MAX].strip("-")
        taken = Publication.objects.filter(slug=slug)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            slug = f"{slug[: SLUG_MAX - 12]}-{item.wp_id}"
        return slug

    def _save_publication(self, item, mapped, publication, *, replace):
        current = publication if replace else None
        for name, value in mapped.fields.items():
            setattr(publication, name, value)
        publication.slug = self._unique_slug(item, mapped.fields["title"], current)
        new_image = mapped.featured is not None and (
            publication.featured_image.name != mapped.featured.name
            or not publication.featured_image_renditions
        )
        publication.featured_image.name = mapped.featured.name if mapped.featured else ""
        publication.save()
        self._link_countries_and_tags(publication, mapped, replace=replace)
        if new_image and not self.dry_run:
            self._renditions(mapped.featured, publication, "featured_image")
        made = {}
        if current is not None:
            # Renditions of an image the gallery keeps are kept, not made again.
            made = dict(publication.gallery_images.values_list("image", "renditions"))
            publication.gallery_images.all().delete()
        for order, (stored, alt) in enumerate(mapped.gallery):
            image = GalleryImage(
                publication=publication,
                alt_text=alt,
                order=order,
                renditions=made.get(stored.name) or [],
            )
            image.image.name = stored.name
            image.save()
            if not self.dry_run and not image.renditions:
                self._renditions(stored, image, "image")
        if current is not None:
            publication.attachments.all().delete()
        for order, stored in enumerate(mapped.documents):
            attachment = Attachment(
                publication=publication,
                title=(stored.title or Path(stored.source).stem)[:255],
                language=publication.language,
                order=order,
            )
            attachment.file.name = stored.name
            attachment.save()
        return publication

    def _link_countries_and_tags(self, publication, mapped, *, replace):
        # Written to the link tables in batches (`flush`): three INSERTs for hundreds of posts.
        countries = Publication.countries.through
        if replace:
            countries.objects.filter(publication=publication).delete()
            TaggedItem.objects.filter(
                content_type=self.publication_type, object_id=publication.pk
            ).delete()
        self.held_rows["countries"].extend(
            countries(publication=publication, country=self.countries[code])
            for code in mapped.countries
        )
        self.held_rows["tags"].extend(
            TaggedItem(content_type=self.publication_type, object_id=publication.pk, tag=tag)
            for tag in {self.tag(name).pk: self.tag(name) for name in mapped.tags}.values()
        )
        # The run's one change event (sent when it commits) rewrites the search vectors of
        # every publication noted, in one UPDATE, and forgets the cached pages once.
        events.changed(publication)

    def flush(self):
        """Write the link and bookkeeping rows held back (FLUSH_EVERY at a time: three INSERTs
        for hundreds of posts instead of three a post). Nothing reads them during the run; the
        end of the run flushes what is left before the redirects."""
        Publication.countries.through.objects.bulk_create(self.held_rows["countries"])
        TaggedItem.objects.bulk_create(self.held_rows["tags"])
        ImportedItem.objects.bulk_create(self.held_rows["items"])
        self.held_rows = {"countries": [], "tags": [], "items": []}

    def tag(self, name):
        if name not in self.tags:
            self.tags[name] = Tag.objects.filter(name=name).first() or Tag.objects.create(name=name)
        return self.tags[name]

    def _renditions(self, stored, instance, field_name):
        """Responsive sizes of an image, encoded once per source and run (one photo often
        leads many posts): the next publication using it gets copies of them in its folder.
        Written ones are removed with the run's other files if the import fails."""
        made = self.renditions.get(stored.source)
        if made is None:
            renditions = make_renditions(getattr(instance, field_name))
            self.renditions[stored.source] = renditions
        else:
            owner = instance if isinstance(instance, Publication) else instance.publication
            renditions = copy_renditions(made, to=owner)
        storage = getattr(instance, field_name).storage
        self.library.written.extend(
            (storage, rendition[key]) for rendition in renditions for key in ("jpeg", "webp")
        )
        attribute = "featured_image_renditions" if field_name == "featured_image" else "renditions"
        setattr(instance, attribute, renditions)
        type(instance).objects.filter(pk=instance.pk).update(**{attribute: renditions})

    # --- pages ---

    def page_url(self, item, record):
        """The page's old path if a page may have it (pages/paths.py) and no other page has
        it; else the same under /pages/; else /pages/wordpress-<id>/ (a draft without a
        name)."""
        path = self.scan.page_path(item.wp_id)
        own = record.page_id if record else None
        for candidate in (path, "/pages" + path, f"/pages/wordpress-{item.wp_id}/"):
            problem = shape_problem(candidate) or reserved_problem(candidate)
            taken = Page.objects.on_site(self.sub_site).filter(path=candidate).exclude(pk=own)
            if problem is None and taken.exists():
                problem = "another page has this address"
            if problem is None:
                if candidate != path:
                    self.report.warn(
                        item.wp_id, item.title, f"{path} is not free: imported at {candidate}"
                    )
                return candidate
        return None

    def page(self, item):
        # Pages keep their state: a published page was public on the old site and stays so at
        # its address; drafts, pages pending review and password-protected pages wait for a
        # publisher here.
        status, status_label, withheld = self.status_of(item)
        record = self._existing(item)
        url = record.page.path if record and record.page else self.page_url(item, record)
        if url is None:
            self.report.skip(item.wp_id, item.title, "its address is taken on the new site")
            return
        documents = []
        body = convert_body(
            item.content,
            resolve=lambda link, element: self.resolve_media(item, link, element, documents),
            lift_first_video=False,
        )
        for name, count in sorted(body.unknown_shortcodes.items()):
            self.report.warn(
                item.wp_id, item.title, f"unknown shortcode [{name}] removed ({count}×)"
            )
        title = (item.title or f"Untitled page {item.wp_id}")[:200]
        if withheld:
            self.report.withhold(item.wp_id, title, withheld)
        values = {
            # Imported into a sub-site, a page is the sub-site's (served at its addresses).
            "sub_site": self.sub_site,
            "path": url,
            "title": title,
            "body": body.html,
            "status": status,
            "publish_at": self.publish_time(item),
        }
        hashed = {**values, "publish_at": str(values["publish_at"])}
        # A main-site page hashes as before the field existed: re-imports update nothing.
        hashed.pop("sub_site")
        if self.sub_site is not None:
            hashed["sub_site"] = self.sub_site.pk
        source_hash = _hash({"mapping": MAPPING_VERSION, **hashed})
        current = record.page if record else None
        decision = self._decide(record, source_hash, page_hash(current) if current else None)
        page = current
        if decision in ("create", "update"):
            page = current or Page()
            for name, value in values.items():
                setattr(page, name, value)
            page.save()
            events.changed(page)
            self._remember(item, record, source_hash, page=page)
        self._report_item(item, decision, "page", "page", status_label, page)
        if page is not None:
            self.report.redirect(
                "?page_id=", f"/?page_id={item.wp_id}", self.address(page.path), wp_id=item.wp_id
            )

    # --- bookkeeping ---

    def _remember(
        self,
        item,
        record,
        source_hash,
        *,
        publication=None,
        page=None,
        mapped_tags=(),
        mapped_countries=(),
    ):
        if publication is not None:
            target_hash = publication_hash(
                publication, tags=mapped_tags, countries=mapped_countries
            )
        else:
            target_hash = page_hash(page)
        values = {
            "post_type": item.post_type,
            "name": item.slug.lower()[:400],
            "post_date": self.permalink_date(item),
            "publication": publication,
            "page": page,
            "source_hash": source_hash,
            "target_hash": target_hash,
            "imported_at": self.now,
        }
        if record is None:
            self.held_rows["items"].append(
                ImportedItem(site_url=self.site_url, wp_id=item.wp_id, **values)
            )
        else:
            ImportedItem.objects.filter(pk=record.pk).update(**values)
        if sum(len(rows) for rows in self.held_rows.values()) >= FLUSH_EVERY:
            self.flush()

    def _report_item(self, item, decision, kind, type_label, status_label, target):
        if decision == "kept":
            self.report.outcomes["kept"] += 1
            self.report.add(
                "kept", item.wp_id, item.title, "changed on the new site since the last import"
            )
            return
        if decision == "deleted":
            self.report.outcomes["deleted"] += 1
            self.report.add(
                "skipped", item.wp_id, item.title, "deleted on the new site: not re-created"
            )
            return
        outcome = {"create": "created", "update": "updated"}.get(decision, decision)
        url = self.address(target.get_absolute_url())
        self.report.imported(
            kind=kind,
            type_label=type_label,
            status=status_label,
            outcome=outcome,
            wp_id=item.wp_id,
            title=item.title,
            new_url=url,
        )

    def _report_redirects(self, item, new_url, title):
        self.report.redirect("?p=", f"/?p={item.wp_id}", new_url, wp_id=item.wp_id, title=title)
        name = item.slug
        if not name:
            return
        self.report.redirect("/<name>/", f"/{name}/", new_url, wp_id=item.wp_id, title=title)
        local = self.permalink_date(item)
        if local is not None:
            for form, old in (
                ("/YYYY/MM/DD/<name>/", f"/{local:%Y/%m/%d}/{name}/"),
                ("/YYYY/MM/<name>/", f"/{local:%Y/%m}/{name}/"),
            ):
                self.report.redirect(form, old, new_url, wp_id=item.wp_id, title=title)

    @staticmethod
    def permalink_date(item):
        """The date in the old site's /YYYY/MM/DD/ addresses: WordPress uses its local date."""
        moment = wxr.parse_wp_date(item.post_date) or item.published_at
        return moment.date() if moment else None

    # --- after the items ---

    def finish(self, terms_seen):
        for (taxonomy, slug), name in terms_seen.items():
            target = self.term_target(taxonomy, slug, name)
            ImportedTerm.objects.update_or_create(
                site_url=self.site_url,
                taxonomy=taxonomy,
                slug=slug.lower()[:400],
                defaults={"redirect_to": target},
            )
            prefix = "/category/" if taxonomy == "category" else "/tag/"
            self.report.redirect(
                prefix + "<slug>/", f"{prefix}{slug}/", self.address(target), title=name
            )
        self.remember_media()
        if self.sub_site is not None:
            self.give_to_sub_site()

    # --- a sub-site's import ---

    def address(self, path):
        """A new address as the report gives it: the main site's path, or, for a sub-site's
        import, the address on the sub-site its old address leads to."""
        if self.sub_site is None:
            return path
        return self.sub_site.origin + on_this_site(path, urlconf=self.sub_site_urlconf)

    def give_to_sub_site(self):
        """The run's publications become the sub-site's picks (those it has already are left as
        they are: pinned, in their place), and its old addresses are answered on the old host."""
        sub_site = self.sub_site
        picked = set(
            Pick.objects.filter(sub_site=sub_site).values_list("publication_id", flat=True)
        )
        new = [pk for pk in self.publication_ids if pk not in picked]
        Pick.objects.bulk_create(
            [Pick(sub_site=sub_site, publication_id=pk) for pk in new], batch_size=FLUSH_EVERY
        )
        if new:
            # Its stream changed: its pages are rendered again.
            events.changed(sub_site)
        old_host = bare_host(urlsplit(self.site_url).netloc)
        SubSiteSource.objects.update_or_create(
            site_url=self.site_url, defaults={"old_host": old_host}
        )
        self.report.for_sub_site(
            name=sub_site.name,
            slug=sub_site.slug,
            address=sub_site.get_absolute_url(),
            host=sub_site.host or "",
            old_host=old_host,
            answered=bool(sub_site.host) and bare_host(sub_site.host) == old_host,
            picks=len(self.publication_ids),
            picks_added=len(new),
        )

    def remember_media(self):
        """Record every copy this run stored or reused (one per source, publication and use):
        new records in batches, changed names updated. A file is often copied for many
        posts, so this is thousands of rows on a large site."""
        known = {
            (source, publication_id, use): (pk, name)
            for pk, source, publication_id, use, name in ImportedMedia.objects.filter(
                site_url=self.site_url
            ).values_list("pk", "source", "publication_id", "use", "stored_name")
        }
        new, changed = [], []
        for stored in self.library.stored.values():
            owner = stored.owner
            if owner is not None and owner.pk is None:
                continue  # a publication this run did not make after all
            pk, name = known.get((stored.source, owner.pk if owner else None, stored.use), (0, ""))
            if not pk:
                new.append(
                    ImportedMedia(
                        site_url=self.site_url,
                        source=stored.source,
                        publication=owner,
                        use=stored.use,
                        stored_name=stored.name,
                    )
                )
            elif name != stored.name:
                changed.append(ImportedMedia(pk=pk, stored_name=stored.name))
        ImportedMedia.objects.bulk_create(new, batch_size=FLUSH_EVERY)
        ImportedMedia.objects.bulk_update(changed, ["stored_name"], batch_size=FLUSH_EVERY)

    def term_target(self, taxonomy, slug, name):
        category = wxr.Category(domain=taxonomy, slug=slug, name=name)
        if taxonomy == "category":
            type_value = self.type_map.category_type(category)
            if type_value:
                return TYPE_PAGES[type_value]
            code = self.country_index.code_for(category)
            if code:
                return f"{PUBLICATION_LIST}?country={code.lower()}"
        tag = Tag.objects.filter(name=name).only("slug").first()
        return f"{PUBLICATION_LIST}?tag={tag.slug}" if tag else PUBLICATION_LIST


def wxr_int(value):
    try:
        return int(str(value or "").strip())
    except ValueError:
        return 0


def _terms_seen(item, seen):
    for category in item.categories:
        if category.domain in ("category", "post_tag") and category.slug:
            seen.setdefault((category.domain, category.slug), category.name or category.slug)


def import_export(
    path,
    *,
    media_dir=None,
    dry_run=False,
    type_map=None,
    storage=None,
    csv_stream=None,
    progress=None,
    now=None,
    sub_site=None,
) -> Report:
    """Import the WordPress export at `path` (see the module docstring); return the report.
    With `sub_site` (a SubSite), into that sub-site.

    `path` may also be a seekable binary file object (an export in private storage).
    Raises `wxr.WXRError` (nothing written) for a file that is not a complete export.
    `progress`, when given, is called with a `Progress` after each item.
    """
    storage = storage or default_storage
    now = now or timezone.now()
    opened = open(path, "rb") if isinstance(path, str | Path) else contextlib.nullcontext(path)  # noqa: SIM115
    with opened as source:
        scan = wxr.scan(source)
        source.seek(0)
        report = Report(site_url=scan.site.url, version=scan.site.version, dry_run=dry_run)
        if csv_stream is not None:
            report.attach_csv(csv_stream)
        report.ignored.update(scan.ignored)
        site = scan.site
        library = MediaLibrary(
            media_dir,
            site_url=site.url,
            site_hosts=site_hosts_of(site.url, site.link, site.base_site_url, site.base_blog_url),
            storage=storage,
            dry_run=dry_run,
        )
        importer = _Importer(
            scan,
            library=library,
            report=report,
            type_map=type_map or TypeMap(),
            now=now,
            dry_run=dry_run,
            sub_site=sub_site,
        )
        state = Progress(total=scan.item_count)
        terms = {}
        try:
            # One change event for the whole import, not one per saved row.
            with transaction.atomic():
                for item in wxr.iter_items(source):
                    if item.post_type == "post" and item.status in STATUS_MAP:
                        _terms_seen(item, terms)
                    importer.item(item)
                    state.done += 1
                    if progress is not None:
                        progress(state)
                for term in scan.terms:
                    if term.taxonomy in ("category", "post_tag") and term.slug:
                        terms.setdefault((term.taxonomy, term.slug), term.name or term.slug)
                importer.flush()
                importer.finish(terms)
                if dry_run:
                    transaction.set_rollback(True)
        except BaseException:
            for written_to, name in library.written:
                written_to.delete(name)
            raise
    return report


# --- Imports started in the admin -------------------------------------------------------------
# Each step takes the run's id and nothing else: the task queue's "bulk" queue runs the dry run
# and the import, which take minutes for a large site, far longer than a request may. They are
# not retried: a failed step is recorded on its ImportRun (state and error) for the superuser to
# read, and the same export can be uploaded again.


def upload_export(*, upload, type_map_text="", user=None) -> ImportRun:
    """Keep an uploaded export in private storage and queue its dry run."""
    stored_name = export_storage().save(f"{EXPORTS_FOLDER}/export.xml", upload)
    run = ImportRun.objects.create(
        original_name=Path(upload.name).name[:255],
        stored_name=stored_name,
        type_map=type_map_text,
        uploaded_by=user,
    )
    check_run.enqueue(run.pk)
    run.refresh_from_db()
    return run


def start_import(run_id: int) -> bool:
    """Queue the import of a checked export; False when it is not (or no longer) importable,
    e.g. a second click while the first import is already queued."""
    started = ImportRun.objects.filter(
        pk=run_id, state=ImportRun.State.CHECKED, stored_name__gt=""
    ).update(state=ImportRun.State.IMPORTING)
    if started:
        import_run.enqueue(run_id)
    return bool(started)


def _run_import(run, *, dry_run):
    csv_stream = io.StringIO()
    media_dir = settings.WORDPRESS_MEDIA_DIR or None
    with export_storage().open(run.stored_name, "rb") as source:
        report = import_export(
            source,
            media_dir=media_dir if media_dir and Path(media_dir).is_dir() else None,
            dry_run=dry_run,
            type_map=TypeMap.from_csv(run.type_map) if run.type_map else None,
            csv_stream=csv_stream,
        )
    return report, csv_stream.getvalue()


def _forget_export(run):
    if run.stored_name:
        export_storage().delete(run.stored_name)
    run.stored_name = ""


@task(queue_name="bulk")
def check_run(run_id: int) -> None:
    """The dry run of an uploaded export: its report, or the one-line reason it cannot be
    imported (the upload is then deleted at once)."""
    run = ImportRun.objects.get(pk=run_id)
    if run.state != ImportRun.State.CHECKING:
        return
    try:
        report, report_csv = _run_import(run, dry_run=True)
    except wxr.WXRError as exc:
        _forget_export(run)
        run.state, run.error = ImportRun.State.FAILED, str(exc)
    except Exception as exc:
        # Recorded on the run, or the admin page would wait for it for ever.
        logger.exception("WordPress dry run %s failed", run.pk)
        _forget_export(run)
        run.state, run.error = ImportRun.State.FAILED, f"The check failed: {exc}"
    else:
        run.state = ImportRun.State.CHECKED
        run.report, run.report_csv = report.as_dict(), report_csv
    run.save()


@task(queue_name="bulk")
def import_run(run_id: int) -> None:
    """Import a checked export for real, then delete the uploaded file."""
    run = ImportRun.objects.get(pk=run_id)
    if run.state != ImportRun.State.IMPORTING or not run.stored_name:
        return
    try:
        report, report_csv = _run_import(run, dry_run=False)
    except wxr.WXRError as exc:
        run.state, run.error = ImportRun.State.FAILED, str(exc)
    except Exception as exc:
        # Rolled back as a whole (one transaction); the editor sees why, the log the trace.
        logger.exception("WordPress import %s failed", run.pk)
        run.state = ImportRun.State.FAILED
        run.error = f"The import failed and nothing was imported: {exc}"
    else:
        run.state = ImportRun.State.IMPORTED
        run.report, run.report_csv = report.as_dict(), report_csv
        run.imported_at = timezone.now()
    _forget_export(run)
    run.save()


def discard_run(run_id: int) -> None:
    run = ImportRun.objects.get(pk=run_id)
    _forget_export(run)
    if run.state == ImportRun.State.CHECKED:
        run.state = ImportRun.State.DISCARDED
    run.save()
