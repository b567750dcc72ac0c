"""Publications: statements, open letters, reports and multimedia stories.

`Publication.objects.published()` is the single definition of "public": status published,
`publish_at <= now` and, when set, `now < unpublish_at`. Every public surface (lists, detail,
related, feeds, sitemap, search, member and country pages, home) reaches publications through
it.
"""

import contextlib
import re
from urllib.parse import parse_qs, quote, urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag, TaggedItem

from forumasia.images import strip_uploaded_image, validate_image_file
from forumasia.sanitise import clean_html
from forumasia.text import clean_text

from .documents import is_pdf, strip_pdf_metadata, strip_uploaded_document

LANGUAGES = [
    ("en", "English"),
    ("bn", "Bengali"),
    ("my", "Burmese"),
    ("zh-hans", "Chinese (simplified)"),
    ("zh-hant", "Chinese (traditional)"),
    ("fil", "Filipino"),
    ("fr", "French"),
    ("hi", "Hindi"),
    ("id", "Indonesian"),
    ("ja", "Japanese"),
    ("km", "Khmer"),
    ("ko", "Korean"),
    ("ky", "Kyrgyz"),
    ("lo", "Lao"),
    ("ms", "Malay"),
    ("mn", "Mongolian"),
    ("ne", "Nepali"),
    ("ps", "Pashto"),
    ("fa", "Persian (Dari)"),
    ("si", "Sinhala"),
    ("ta", "Tamil"),
    ("tet", "Tetum"),
    ("th", "Thai"),
    ("ur", "Urdu"),
    ("vi", "Vietnamese"),
]

ATTACHMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "odt",
    "rtf",
    "txt",
    "xls",
    "xlsx",
    "ods",
    "csv",
    "epub",
]

# --- Video and audio links ---------------------------------------------------------------------

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_SOUNDCLOUD_HOSTS = {"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")


def media_embed(url):
    """{'provider', 'kind', 'embed_url'} for a YouTube, Vimeo or SoundCloud link, else None.

    YouTube plays from the no-cookie host; Vimeo with `dnt=1`. Nothing is fetched here: the
    page only builds the iframe when the visitor clicks.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    path = parts.path.strip("/").split("/") if parts.path.strip("/") else []
    if host in _YOUTUBE_HOSTS:
        video_id = None
        if host == "youtu.be" and path:
            video_id = path[0]
        elif path[:1] == ["watch"]:
            video_id = (parse_qs(parts.query).get("v") or [None])[0]
        elif len(path) >= 2 and path[0] in ("embed", "shorts", "live", "v"):
            video_id = path[1]
        if video_id and _YOUTUBE_ID.match(video_id):
            return {
                "provider": "YouTube",
                "kind": "video",
                "embed_url": f"https://www.youtube-nocookie.com/embed/{video_id}",
            }
        return None
    if host in _VIMEO_HOSTS:
        numeric = [segment for segment in path if segment.isdigit()]
        if numeric:
            return {
                "provider": "Vimeo",
                "kind": "video",
                "embed_url": f"https://player.vimeo.com/video/{numeric[0]}?dnt=1",
            }
        return None
    if host in _SOUNDCLOUD_HOSTS and len(path) >= 2:
        canonical = f"https://soundcloud.com/{'/'.join(path)}"
        return {
            "provider": "SoundCloud",
            "kind": "audio",
            "embed_url": "https://w.soundcloud.com/player/?url=" + quote(canonical, safe=""),
        }
    return None


def validate_media_url(value):
    if value and media_embed(value) is None:
        raise ValidationError(
            "Use a YouTube, Vimeo or SoundCloud link to a single video or track, "
            "e.g. https://www.youtube.com/watch?v=… or https://vimeo.com/123456."
        )


# --- Themes (tags) -----------------------------------------------------------------------------


class CleanTagManager(_TaggableManager):
    """Tag names are cleaned (forumasia/text.py) before taggit looks them up or creates them,
    so "Land\x0brights" pasted from Word is the existing "Land rights", not a new tag."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        names = [clean_text(tag).strip() if isinstance(tag, str) else tag for tag in tags]
        return super()._to_tag_model_instances([tag for tag in names if tag != ""], tag_kwargs)


@receiver(pre_save, sender=Tag, dispatch_uid="clean-tag-name")
def clean_tag_name(sender, instance, **kwargs):
    # Tags renamed in the admin or created directly: the same invariant as through the manager.
    instance.name = clean_text(instance.name)


# --- Publications ------------------------------------------------------------------------------

# Plain-text fields shown on pages and in feeds: cleaned of control characters on every save.
PLAIN_TEXT_FIELDS = (
    "title",
    "standfirst",
    "featured_image_alt",
    "featured_image_caption",
    "featured_image_credit",
    "co_signers",
    "media_contact",
)


def publication_content_type_id():
    """The content type of publications, as a one-row subquery (an InitPlan in PostgreSQL):
    tag links are filtered by plain ids, without a join on django_content_type, and without
    relying on a per-process cache of the id."""
    return Subquery(
        ContentType.objects.filter(app_label="publications", model="publication").values("pk")[:1]
    )


def primary_keys(objects):
    return [getattr(item, "pk", item) for item in objects]


def editor_field():
    """An account that wrote a publication, set by the admin; kept as NULL when the account is
    deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )


class PublicationQuerySet(models.QuerySet):
    """Every rule about which publications a page, a feed or the admin shows is a method here,
    named in the editors' words; views, feeds, the admin and other apps combine them.

    Filters through a link table (themes, countries, signatories) take objects or ids, never a
    slug or a code, and are EXISTS over those plain ids: PostgreSQL estimates them from the
    column statistics and probes the link's index (BENCHMARKS.md, "Filters by id"), and a
    publication is never repeated, so counts and pages need no DISTINCT.
    """

    def published(self, now=None):
        """The public ones: status published, publish time reached and unpublish time (when
        set) not reached. The one definition."""
        now = now or timezone.now()
        return self.filter(
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            status=Publication.Status.PUBLISHED,
            publish_at__lte=now,
        )

    def scheduled(self, now=None):
        """Published by an editor for a later time: they go public by the clock alone."""
        return self.filter(
            status=Publication.Status.PUBLISHED, publish_at__gt=now or timezone.now()
        )

    def released(self):
        """Status Published, whatever the clock says (live, scheduled or expired): what only
        publishers may change."""
        return self.filter(status=Publication.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Publication.Status.DRAFT)

    def in_review(self):
        """Submitted by an editor, waiting for a publisher."""
        return self.filter(status=Publication.Status.REVIEW)

    def unpublished(self, now=None):
        """Taken down: by a publisher (status Unpublished) or by the clock (unpublish time
        passed)."""
        return self.filter(
            Q(status=Publication.Status.UNPUBLISHED)
            | Q(status=Publication.Status.PUBLISHED, unpublish_at__lte=now or timezone.now())
        )

    def next_publish_at(self, now=None):
        """The publish time of the next scheduled publication (None if nothing is scheduled):
        a moment public pages change by the clock alone."""
        return (
            self.scheduled(now).order_by("publish_at").values_list("publish_at", flat=True).first()
        )

    def next_unpublish_at(self, now=None):
        """The next unpublish time still to come of a published publication (None if none): the
        other moment public pages change by the clock alone."""
        now = now or timezone.now()
        return (
            self.filter(status=Publication.Status.PUBLISHED, unpublish_at__gt=now)
            .order_by("unpublish_at")
            .values_list("unpublish_at", flat=True)
            .first()
        )

    def of_type(self, type_value):
        return self.filter(type=type_value)

    def in_year(self, year):
        """Published (publish time) in `year`, in the Secretariat's time zone."""
        return self.filter(publish_at__year=year)

    def tagged(self, *tags):
        """Carrying any of `tags` (Tag objects or ids)."""
        return self.filter(
            Exists(
                TaggedItem.objects.filter(
                    content_type_id=publication_content_type_id(),
                    object_id=OuterRef("pk"),
                    tag_id__in=primary_keys(tags),
                )
            )
        )

    def about_country(self, *countries):
        """About any of `countries` (Country objects or ids)."""
        return self.filter(
            Exists(
                Publication.countries.through.objects.filter(
                    publication_id=OuterRef("pk"), country_id__in=primary_keys(countries)
                )
            )
        )

    def signed_by(self, member):
        """Signed by the member organisation `member` (an object or an id)."""
        return self.filter(
            Exists(
                Signature.objects.filter(
                    publication_id=OuterRef("pk"), member_id=getattr(member, "pk", member)
                )
            )
        )

    def search(self, query):
        """Publications matching the visitor's `q`, best match first. The one place `q` is
        interpreted (publications/search.py): full text on PostgreSQL, with `search_title`
        and `search_snippet` headlines and typo correction (`search_correction` is set on the
        result when the words were corrected); a plain contains search on SQLite. A query
        with nothing to search for leaves the queryset as it is."""
        from .search import apply_search

        return apply_search(self, query)

    search_correction = None

    def _clone(self):
        clone = super()._clone()
        clone.search_correction = self.search_correction
        return clone

    def for_cards(self):
        """What `publications/includes/card.html` needs: the row itself, nothing related."""
        return self.defer("body", "co_signers", "media_contact")


class Publication(models.Model):
    class Type(models.TextChoices):
        STATEMENT = "statement", "Statement"
        LETTER = "letter", "Open letter"
        REPORT = "report", "Report"
        STORY = "story", "Story"

        @property
        def plural_label(self):
            """What a list of this type is called (page titles, feeds)."""
            return {
                "statement": "Statements",
                "letter": "Open letters",
                "report": "Reports",
                "story": "Stories",
            }[self.value]

    class Status(models.TextChoices):
        """What an editor or publisher last decided. What a visitor sees also depends on the
        clock: `state_at()` (Scheduled, and Unpublished once `unpublish_at` has passed)."""

        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    type = models.CharField(max_length=20, choices=Type.choices, default=Type.STATEMENT)
    title = models.CharField(max_length=255)
    slug = models.SlugField(
        max_length=255,
        unique=True,
        help_text=(
            "The last part of the address. Changing it once public leaves a permanent "
            "redirect from the old address."
        ),
    )
    standfirst = models.TextField(
        max_length=600,
        blank=True,
        help_text="A plain-text summary of one or two sentences, shown on cards and in feeds.",
    )
    body = models.TextField(
        blank=True,
        help_text="Cleaned on save: scripts, styles, embeds and unsafe links are removed.",
    )

    featured_image = models.ImageField(
        upload_to="publications/images/%Y/%m/",
        blank=True,
        validators=[validate_image_file],
        help_text="JPEG, PNG, WebP or GIF; location and camera data are removed on upload.",
    )
    featured_image_alt = models.CharField(
        "alt text",
        max_length=255,
        blank=True,
        help_text="Required with an image: what the image shows, for people who cannot see it.",
    )
    featured_image_caption = models.CharField("caption", max_length=300, blank=True)
    featured_image_credit = models.CharField("credit", max_length=200, blank=True)
    featured_image_renditions = models.JSONField(default=list, blank=True, editable=False)

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    publish_at = models.DateTimeField(
        "publish date",
        default=timezone.now,
        help_text=(
            "Time zone Asia/Bangkok (UTC+7). A published publication is public from this time "
            "on; a future time schedules it."
        ),
    )
    unpublish_at = models.DateTimeField(
        "unpublish date",
        null=True,
        blank=True,
        help_text=(
            "Optional, Asia/Bangkok (UTC+7): the publication leaves the public site at this "
            "time by itself (the end of an embargo, an appeal with a deadline)."
        ),
    )
    is_featured = models.BooleanField(
        "featured", default=False, help_text="Featured publications lead the home page."
    )

    countries = models.ManyToManyField("members.Country", related_name="publications", blank=True)
    signatories = models.ManyToManyField(
        "members.MemberOrganisation",
        through="Signature",
        related_name="signed_publications",
        blank=True,
    )
    co_signers = models.TextField(
        "other co-signers",
        blank=True,
        help_text="Organisations outside the network, one per line.",
    )
    media_contact = models.TextField(
        blank=True, help_text="Plain text, e.g. name, email and phone, one per line."
    )
    video_url = models.URLField(
        "video or audio link",
        max_length=500,
        blank=True,
        validators=[validate_media_url],
        help_text="YouTube, Vimeo or SoundCloud. It loads only when a visitor clicks play.",
    )
    tags = TaggableManager(
        blank=True, help_text="Themes, separated by commas.", manager=CleanTagManager
    )

    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    # The links to its themes, so its revisions carry them (publications/history.py).
    tag_links = GenericRelation(TaggedItem)
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        help_text="For a translation: the original publication it translates.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = editor_field()
    updated_by = editor_field()
    # Written by publications/search.py after each save (PostgreSQL only; empty on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at", "-pk"]
        # The list order is (-publish_at, -pk): with the id in the index PostgreSQL reads a
        # page, a deep OFFSET or the newest N ids from the index alone, without sorting.
        indexes = [
            models.Index(fields=["status", "-publish_at", "-id"], name="pub_status_publish_id"),
            models.Index(
                fields=["type", "status", "-publish_at", "-id"], name="pub_type_status_publish_id"
            ),
            # The admin changelist (all statuses, newest first) and its date hierarchy.
            models.Index(fields=["-publish_at", "-id"], name="pub_publish_at_id"),
            # The home page's lead: newest featured first, else newest (status, then its order).
            models.Index(
                fields=["status", "-is_featured", "-publish_at", "-id"],
                name="pub_status_featured_publish",
            ),
            GinIndex(fields=["search_vector"], name="pub_search_vector"),
            # The page cache's next unpublish time: the few rows that have one.
            models.Index(
                fields=["unpublish_at"],
                condition=Q(unpublish_at__isnull=False),
                name="pub_unpublish_at",
            ),
        ]
        permissions = [("publish_publication", "Can publish, schedule and unpublish")]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=["statement", "letter", "report", "story"]),
                name="publication_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "review", "published", "unpublished"]),
                name="publication_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=models.F("publish_at")),
                name="publication_unpublished_after_published",
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=models.F("pk")),
                name="publication_not_translation_of_itself",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The model's own invariant, so the admin, commands and the ORM are all covered.
        self.body = clean_html(self.body)
        for name in PLAIN_TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        strip_uploaded_image(self.featured_image)
        if not self.featured_image:
            self.featured_image_renditions = []
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "standfirst", "body"} & set(update_fields):
            # Countries and tags are written after this save; they refresh it again
            # (publications/apps.py). One UPDATE, PostgreSQL only.
            from .search import refresh_search_vectors

            refresh_search_vectors(Publication.objects.filter(pk=self.pk))

    def get_absolute_url(self):
        return reverse("publications:publication-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if self.featured_image and not self.featured_image_alt.strip():
            errors["featured_image_alt"] = "Describe the image for people who cannot see it."
        if self.unpublish_at and self.publish_at and self.unpublish_at <= self.publish_at:
            errors["unpublish_at"] = "The unpublish date must be after the publish date."
        if self.translation_of_id:
            if self.pk and self.translation_of_id == self.pk:
                errors["translation_of"] = "A publication cannot be a translation of itself."
            elif self.translation_of and self.translation_of.language == self.language:
                errors["translation_of"] = (
                    "A translation must be in another language than its original."
                )
        if errors:
            raise ValidationError(errors)

    # --- state ---

    def is_public_at(self, now):
        """The same rule as `published()`, for one object already in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.publish_at <= now
            and (self.unpublish_at is None or now < self.unpublish_at)
        )

    @property
    def is_public(self):
        return self.is_public_at(timezone.now())

    def state_at(self, now):
        """Draft, In review, Scheduled, Published or Unpublished: the same words, by the same
        rules, as the queryset's drafts(), in_review(), scheduled(), published(), unpublished()."""
        if self.status != self.Status.PUBLISHED:
            return self.Status(self.status).label
        if now < self.publish_at:
            return "Scheduled"
        return "Published" if self.is_public_at(now) else self.Status.UNPUBLISHED.label

    @property
    def status_label(self):
        """What the list and the form show (see state_at)."""
        return self.state_at(timezone.now())

    # --- display helpers ---

    @property
    def co_signer_list(self):
        return [line.strip() for line in self.co_signers.splitlines() if line.strip()]

    @property
    def media_contact_lines(self):
        return [line.strip() for line in self.media_contact.splitlines() if line.strip()]

    @property
    def media_embed(self):
        return media_embed(self.video_url)


class Signature(models.Model):
    """A member organisation signing a publication, in the order the editor gives."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(
        "members.MemberOrganisation", on_delete=models.CASCADE, related_name="signatures"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "member"], name="signature_unique_per_publication"
            )
        ]

    def __str__(self):
        return f"{self.member} signed {self.publication}"


def attachment_upload_to(instance, filename):
    return f"publications/files/{timezone.now():%Y/%m}/{filename}"


class Attachment(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(max_length=255)
    file = models.FileField(
        upload_to=attachment_upload_to,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
        help_text="PDF or another document (Word, OpenDocument, spreadsheet, EPUB).",
    )
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        strip_uploaded_document(self.file)
        if self.file:
            with contextlib.suppress(OSError, ValueError):
                self.file_size = self.file.size
        super().save(*args, **kwargs)

    def clean(self):
        # The same rewrite save() makes, so a PDF it cannot make is a form error, not a 500.
        super().clean()
        if self.file and not self.file._committed and is_pdf(self.file.file):
            try:
                strip_pdf_metadata(self.file.file)
            except ValidationError as exc:
                raise ValidationError({"file": exc.messages}) from exc

    @property
    def extension(self):
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""


class GalleryImage(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="gallery_images"
    )
    image = models.ImageField(
        upload_to="publications/gallery/%Y/%m/",
        validators=[validate_image_file],
        help_text="JPEG, PNG, WebP or GIF; location and camera data are removed on upload.",
    )
    alt_text = models.CharField(
        max_length=255, help_text="What the image shows, for people who cannot see it."
    )
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    renditions = models.JSONField(default=list, blank=True, editable=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "gallery image"

    def __str__(self):
        return self.alt_text

    def save(self, *args, **kwargs):
        strip_uploaded_image(self.image)
        super().save(*args, **kwargs)
