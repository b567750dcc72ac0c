"""Publications: statements, open letters, reports and multimedia stories.

`Publication.objects.published()` is the single definition of "public": status published,
`publish_at <= now` and, when set, `now < unpublish_at`. Every public surface (lists, detail,
related, feeds, sitemap, search, member and country pages, home) reaches publications through
it.

A publication and its translations are one translation group: they share a stored
`translation_key`. Lists show one card per group (`one_per_group()`) and link the other
languages (`attach_other_languages`). The translations of a deleted original stay one group.
"""

import contextlib
import re
import uuid
from collections import defaultdict
from urllib.parse import parse_qs, quote, urlsplit

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import connection, models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce, Concat, Lower
from django.db.models.lookups import Exact, IsNull
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager, _TaggableManager
from taggit.models import Tag, TaggedItem

from forumasia.documents import clean_uploaded_document
from forumasia.files import owned_files_storage, owned_name
from forumasia.images import strip_uploaded_image, validate_image_file
from forumasia.sanitise import clean_html
from forumasia.text import clean_text
from forumasia.workflow import Publishable, WorkflowQuerySet
from members.models import http_url

from .slugs import unique_slug

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
# How each language names itself: a link to a translation must be recognisable to its readers.
LANGUAGE_AUTONYMS = {
    "en": "English",
    "bn": "বাংলা",
    "my": "မြန်မာ",
    "zh-hans": "简体中文",
    "zh-hant": "繁體中文",
    "fil": "Filipino",
    "fr": "Français",
    "hi": "हिन्दी",
    "id": "Bahasa Indonesia",
    "ja": "日本語",
    "km": "ខ្មែរ",
    "ko": "한국어",
    "ky": "Кыргызча",
    "lo": "ລາວ",
    "ms": "Bahasa Melayu",
    "mn": "Монгол",
    "ne": "नेपाली",
    "ps": "پښتو",
    "fa": "دری",
    "si": "සිංහල",
    "ta": "தமிழ்",
    "tet": "Tetun",
    "th": "ไทย",
    "ur": "اردو",
    "vi": "Tiếng Việt",
}
# The language a card shows when its translation group has no member in the reader's: cards
# follow the page's language, which is its address's (/th/publications/, forumasia/locale.py),
# so a cached page still holds one language. The other languages are linked on the card.
CARD_LANGUAGE = "en"


def card_language():
    """The language cards are shown in first: the page's (the active language)."""
    return translation.get_language() or CARD_LANGUAGE


# What attachments may be: new uploads are cleaned or refused by forumasia.documents (PDF,
# plain text and CSV are accepted); the other kinds are older files of the archive, still
# served.
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

# The folder of publications' files in the private storage (forumasia/files.py): each
# publication's images, their renditions and its documents under FILES_FOLDER/<files_key>/.
FILES_FOLDER = "publications"


def publication_file_name(instance, filename):
    """Where a new upload of a publication (featured image, gallery image, attachment) is
    stored: the publication's own folder, under a random name (the original name, which may
    say what is embargoed, is never published)."""
    publication = instance if isinstance(instance, Publication) else instance.publication
    return owned_name(FILES_FOLDER, publication.files_key, filename)


# The name migration 0001 gives the attachments' upload_to.
attachment_upload_to = publication_file_name

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


# Tags and character references replaced by spaces: the body as the search index and the
# search page's snippets read it (`body_text`).
HTML_TAG = re.compile(r"<[^>]*>")
HTML_REFERENCE = re.compile(r"&[#a-zA-Z0-9]+;")


def plain_text(html):
    return HTML_REFERENCE.sub(" ", HTML_TAG.sub(" ", html))


# Thai, Lao, Burmese (Myanmar and its extensions) and Khmer: scripts written without spaces
# between words, which the search vector's parser keeps as whole runs (publications/search.py).
UNSPACED_SCRIPTS = "\u0e00-\u0eff\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f\u1780-\u17ff\u19e0-\u19ff"
# What a publication's `unspaced_text` is made of.
UNSPACED_SOURCES = ("title", "standfirst", "body_text", "co_signers")
OTHER_THAN_UNSPACED = re.compile(f"[^{UNSPACED_SCRIPTS}]+")


def unspaced_text(*texts):
    """The runs of `texts` in scripts without spaces, one space between runs ("" for none)."""
    return " ".join(OTHER_THAN_UNSPACED.sub(" ", " ".join(filter(None, texts))).split())


# The text search configuration of the stored vector and of every query against it
# (publications/search.py says why 'simple').
SEARCH_CONFIG = "simple"


def search_vector():
    """What a publication's `search_vector` holds: title (weight A); standfirst, themes,
    countries, signatories' names and acronyms and other co-signers (B); the body's text (C)."""
    tag_names = (
        TaggedItem.objects.filter(
            content_type_id=publication_content_type_id(), object_id=OuterRef("pk")
        )
        .values("object_id")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    country_names = (
        Publication.countries.through.objects.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(names=StringAgg("country__name", " "))
        .values("names")
    )
    signatory_names = (
        Signature.objects.filter(publication=OuterRef("pk"))
        .values("publication")
        .annotate(
            names=StringAgg(
                Concat(
                    Coalesce("member__name", "partner__name"),
                    Value(" "),
                    Coalesce("member__acronym", Value("")),
                    output_field=TextField(),
                ),
                " ",
            )
        )
        .values("names")
    )
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(
            "standfirst",
            Subquery(tag_names, output_field=TextField()),
            Subquery(country_names, output_field=TextField()),
            Subquery(signatory_names, output_field=TextField()),
            "co_signers",
            weight="B",
            config=SEARCH_CONFIG,
        )
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


class PublicationQuerySet(WorkflowQuerySet):
    """Every rule about which publications a page, a feed or the admin shows is a method here
    or, for the workflow's states (`published()`, `released()`, `scheduled()`...), in
    WorkflowQuerySet (forumasia/workflow.py), named in the editors' words; views, feeds, the
    admin and other apps combine them.

    Filters through a link table (themes, countries, signatories) take objects or ids, never a
    slug or a code, and are EXISTS over those plain ids: PostgreSQL estimates them from the
    column statistics and probes the link's index (BENCHMARKS.md, "Filters by id"), and a
    publication is never repeated, so counts and pages need no DISTINCT.
    """

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

    def signed_by(self, *signatories):
        """Signed by any of `signatories`: member organisations (objects or ids) and partner
        organisations (PartnerOrganisation objects)."""
        partners = [item for item in signatories if isinstance(item, PartnerOrganisation)]
        members = [item for item in signatories if not isinstance(item, PartnerOrganisation)]
        return self.filter(
            Exists(
                Signature.objects.filter(publication_id=OuterRef("pk")).filter(
                    Q(member_id__in=primary_keys(members))
                    | Q(partner_id__in=primary_keys(partners))
                )
            )
        )

    def showing(self, rows):
        """The publications whose search words hold one of `rows` ((model label, pk) pairs, as
        forumasia/events.py sends them): themselves, their countries, themes, member and
        partner signatories. None when no row is of these."""
        keys = defaultdict(list)
        for label, pk in rows:
            keys[label].append(pk)
        partners = [PartnerOrganisation(pk=pk) for pk in keys["publications.partnerorganisation"]]
        signatories = [*keys["members.memberorganisation"], *partners]
        found = Q()
        if keys["publications.publication"]:
            found |= Q(pk__in=keys["publications.publication"])
        if keys["members.country"]:
            found |= Q(pk__in=self.about_country(*keys["members.country"]).values("pk"))
        if keys["taggit.tag"]:
            found |= Q(pk__in=self.tagged(*keys["taggit.tag"]).values("pk"))
        if signatories:
            found |= Q(pk__in=self.signed_by(*signatories).values("pk"))
        return self.filter(found) if found else None

    def themes(self):
        """The themes these publications carry: `released().themes()` are those only a
        publisher may change (a released publication shows them)."""
        return Tag.objects.filter(
            Exists(
                TaggedItem.objects.filter(
                    content_type_id=publication_content_type_id(),
                    tag_id=OuterRef("pk"),
                    object_id__in=self.values("pk"),
                )
            )
        )

    def partners(self):
        """The partner organisations signing these publications: `released().partners()` are
        those only a publisher may change (a released publication shows them)."""
        return PartnerOrganisation.objects.filter(
            Exists(
                Signature.objects.filter(
                    partner_id=OuterRef("pk"), publication__in=self.values("pk")
                )
            )
        )

    def one_per_group(self):
        """One publication per translation group among these: the member in the page's
        language (`card_language()`), else in CARD_LANGUAGE, else the original, else the
        earliest translation (a group has at most one member in each language, and one
        original).

        Call it last, after every filter: a member is left out only when a better member of
        its group passes the same filters (the same queryset, as NOT EXISTS), so a search in
        Thai still finds the Thai translation of an English statement. Rows in the page's
        language (on English pages, most of the archive) are kept without looking at their
        group; the others probe the translation-key index."""
        language = card_language()
        in_page_language = Q(language=language)
        original, earlier = Q(translation_of__isnull=True), Q(pk__lt=OuterRef("pk"))
        outer_is_translation = Q(IsNull(OuterRef("translation_of"), False))
        # A member better than the outer row: in the page's language; an original, for a
        # translation; an earlier translation, for a translation (the ranking above). One
        # subquery: it holds all of this queryset's filters, and building it costs more Python
        # than PostgreSQL takes to run it.
        after_language = original & earlier | outer_is_translation & (original | earlier)
        if language != CARD_LANGUAGE:
            # An outer row in CARD_LANGUAGE is beaten only by the page's language; one in any
            # other language by CARD_LANGUAGE too.
            outer_elsewhere = ~Q(Exact(OuterRef("language"), Value(CARD_LANGUAGE)))
            after_language = outer_elsewhere & (Q(language=CARD_LANGUAGE) | after_language)
        better = in_page_language | after_language
        group = self.order_by().filter(translation_key=OuterRef("translation_key"))
        return self.filter(in_page_language | ~Exists(group.filter(better)))

    def count_groups(self):
        """How many publications `one_per_group()` of these would give: the translation groups
        with a member among them."""
        return self.order_by().aggregate(groups=Count("translation_key", distinct=True))["groups"]

    def in_groups_of(self, *publications):
        """The members of the translation groups of `publications`, themselves included."""
        return self.filter(translation_key__in={item.translation_key for item in publications})

    def outside_group_of(self, publication):
        """All but `publication` and the other members of its translation group."""
        return self.exclude(translation_key=publication.translation_key)

    def refresh_search_vectors(self):
        """Rewrite the stored `search_vector` of these rows in one UPDATE (PostgreSQL; SQLite
        has no vectors and searches the text itself); returns how many."""
        if connection.vendor != "postgresql":
            return 0
        return self.update(search_vector=search_vector())

    def touch(self):
        """Move `updated_at` (so `cache_key`) of these publications: for writes that change
        what their pages show without saving them."""
        return self.update(updated_at=timezone.now())

    def for_cards(self):
        """What `publications/includes/card.html` needs: the row itself, nothing related."""
        return self.defer(
            "body", "body_text", "search_vector", "unspaced_text", "co_signers", "media_contact"
        )


class Publication(Publishable):
    class Type(models.TextChoices):
        STATEMENT = "statement", _("Statement")
        LETTER = "letter", _("Open letter")
        REPORT = "report", _("Report")
        STORY = "story", _("Story")

        @property
        def plural_label(self):
            """What a list of this type is called (page titles, feeds)."""
            return {
                "statement": gettext("Statements"),
                "letter": gettext("Open letters"),
                "report": gettext("Reports"),
                "story": gettext("Stories"),
            }[self.value]

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
        upload_to=publication_file_name,
        storage=owned_files_storage,
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
    # Shared by a publication and its translations (an original's own, copied to each
    # translation on save): "one card per translation group" and "the other languages" are
    # plain filters on it, as Wagtail's TranslatableMixin.translation_key.
    translation_key = models.UUIDField(default=uuid.uuid4, editable=False)

    # Names the folder of its files (FILES_FOLDER/<files_key>/): random, so a file's address
    # says nothing guessable, and set when the row is made, before any upload is named.
    files_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The body's text, written on save from the sanitised body: what the search vector and
    # the search page's snippets read, and what the SQLite fallback searches.
    body_text = models.TextField(blank=True, editable=False)
    # search_vector(), written after each save (PostgreSQL only; empty on SQLite).
    search_vector = SearchVectorField(null=True, editable=False)
    # unspaced_text() of the title, standfirst, body text and co-signers, written on save:
    # a word of these scripts is searched as a substring of it, through a trigram index.
    unspaced_text = models.TextField(blank=True, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["-publish_at", "-pk"]
        # The list order is (-publish_at, -pk): with the id in the index PostgreSQL reads a
        # page, a deep OFFSET or the newest N ids from the index alone, without sorting. The
        # translation key, language and original ride along (INCLUDE), so one_per_group()
        # keeps those index-only reads (capped counts, deep pages); SQLite ignores INCLUDE.
        indexes = [
            models.Index(
                fields=["status", "-publish_at", "-id"],
                include=["translation_of", "language", "translation_key"],
                name="pub_status_publish_id",
            ),
            models.Index(
                fields=["type", "status", "-publish_at", "-id"],
                include=["translation_of", "language", "translation_key"],
                name="pub_type_status_publish_id",
            ),
            # The admin changelist (all statuses, newest first) and its date hierarchy.
            models.Index(fields=["-publish_at", "-id"], name="pub_publish_at_id"),
            # The home page's lead: newest featured first, else newest (status, then its order).
            models.Index(
                fields=["status", "-is_featured", "-publish_at", "-id"],
                name="pub_status_featured_publish",
            ),
            GinIndex(fields=["search_vector"], name="pub_search_vector"),
            GinIndex(
                fields=["unspaced_text"], opclasses=["gin_trgm_ops"], name="pub_unspaced_text_trgm"
            ),
            # The sitemap: a section page (public ones, newest first, OFFSET by 5,000) and its
            # count read this index alone (what the filter and the address need ride along);
            # the index's lastmod is the newest public updated_at, read from the next one.
            models.Index(
                fields=["status", "-publish_at", "-id"],
                include=["unpublish_at", "slug", "updated_at"],
                name="pub_sitemap",
            ),
            models.Index(fields=["-updated_at"], name="pub_updated_at"),
            # The page cache's next unpublish time: the few rows that have one.
            models.Index(
                fields=["unpublish_at"],
                condition=Q(unpublish_at__isnull=False),
                name="pub_unpublish_at",
            ),
            # One card per translation group (one_per_group, in_groups_of): a probe per row not
            # in CARD_LANGUAGE, answered from the index alone (what the probe compares is
            # included).
            models.Index(
                fields=["translation_key"],
                include=[
                    "id",
                    "status",
                    "publish_at",
                    "unpublish_at",
                    "language",
                    "translation_of",
                ],
                name="pub_translation_key",
            ),
        ]
        permissions = [("publish_publication", "Can publish, schedule and unpublish")]
        constraints = [
            *Publishable.Meta.constraints,
            models.CheckConstraint(
                condition=Q(type__in=["statement", "letter", "report", "story"]),
                name="publication_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=models.F("pk")),
                name="publication_not_translation_of_itself",
            ),
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="publication_one_translation_per_language",
                violation_error_message="The original already has a translation in this language.",
            ),
        ]

    # The other public languages of its translation group, set by attach_other_languages().
    other_languages = ()

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The model's own invariant, so the admin, commands and the ORM are all covered.
        self.body = clean_html(self.body)
        self.body_text = plain_text(self.body)
        for name in PLAIN_TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        strip_uploaded_image(self.featured_image)
        if not self.featured_image:
            self.featured_image_renditions = []
        if not self.slug:
            self.slug = self.made_slug()
        self.translation_key = self.group_key()
        self.unspaced_text = unspaced_text(*(getattr(self, name) for name in UNSPACED_SOURCES))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # What is derived from a field is saved with it.
            derived = {"body": "body_text", "translation_of": "translation_key"}
            derived_fields = {derived[name] for name in derived.keys() & set(update_fields)}
            if {*update_fields, *derived_fields} & set(UNSPACED_SOURCES):
                derived_fields.add("unspaced_text")
            kwargs["update_fields"] = {*update_fields, *derived_fields}
        # The search vector is written after the whole action (countries, themes, signatories
        # included), once: forumasia/events.py.
        super().save(*args, **kwargs)

    def group_key(self):
        """The translation key this publication is saved with: its original's for a
        translation; for an original, its own, or a new one when it has just stopped being a
        translation (it would otherwise stay in its former original's group)."""
        if self.translation_of_id:
            return (
                Publication.objects.filter(pk=self.translation_of_id)
                .values_list("translation_key", flat=True)
                .get()
            )
        was_translation = (
            self.pk is not None
            and Publication.objects.filter(pk=self.pk, translation_of__isnull=False).exists()
        )
        return uuid.uuid4() if was_translation else self.translation_key

    def get_absolute_url(self):
        return reverse("publications:publication-detail", kwargs={"slug": self.slug})

    @property
    def cache_key(self):
        """The publication in its current state, for template fragments (`{% cache %}`, as
        Wagtail's `Page.cache_key`): every save moves `updated_at`, so an edit is a new key and
        nothing is purged. Writes without a save (`update()`) set `updated_at` themselves."""
        return f"{self.pk}-{self.updated_at.timestamp()}"

    def made_slug(self):
        """A free slug for this publication: a translation's is its original's with the
        language code, any other's its title in Latin letters (publications/slugs.py)."""
        taken = Publication.objects.exclude(pk=self.pk).values_list("slug", flat=True)
        if self.translation_of_id:
            original_slug = (
                Publication.objects.filter(pk=self.translation_of_id)
                .values_list("slug", flat=True)
                .first()
            )
            return unique_slug(f"{original_slug}-{self.language}", taken=taken)
        return unique_slug(self.title, taken=taken, fallback=self.type)

    @property
    def language_autonym(self):
        return LANGUAGE_AUTONYMS.get(self.language, self.get_language_display())

    def clean(self):
        super().clean()
        errors = self.publishing_errors()
        if self.featured_image and not self.featured_image_alt.strip():
            errors["featured_image_alt"] = "Describe the image for people who cannot see it."
        if self.translation_of_id:
            if self.pk and self.translation_of_id == self.pk:
                errors["translation_of"] = "A publication cannot be a translation of itself."
            elif self.translation_of.translation_of_id:
                errors["translation_of"] = (
                    "Choose the original: this publication is itself a translation of "
                    f"“{self.translation_of.translation_of}”."
                )
            elif self.translation_of.language == self.language:
                errors["translation_of"] = (
                    "A translation must be in another language than its original."
                )
            elif self.pk and self.translations.exists():
                errors["translation_of"] = (
                    "This publication has translations of its own: it stays their original."
                )
        if errors:
            raise ValidationError(errors)

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

    @property
    def text_direction(self):
        """ "rtl" or "ltr" (None for a code no table knows): its content's `dir`, beside `lang`."""
        return language_direction(self.language)


# Directions Django's table of languages (django.conf.locale.LANG_INFO) lacks or has wrong for
# the people we publish for: Pashto, Dari (prs) and Hazaragi, Dhivehi (Thaana), Sindhi,
# Kashmiri, Balochi and Western Punjabi (Arabic script), Rohingya (Hanifi or Arabic script),
# Yiddish, Syriac; Filipino, Tetum, Lao, Sinhala, Dzongkha and Tibetan, which Django lacks;
# Azerbaijani, which Django marks right-to-left (its Arabic-script past), is written in Latin
# letters in Azerbaijan. tests/publications/test_models.py checks every offered language.
DIRECTIONS = {
    **dict.fromkeys(
        ["ps", "prs", "haz", "dv", "sd", "ks", "bal", "pnb", "rhg", "yi", "syr"], "rtl"
    ),
    **dict.fromkeys(["fil", "tet", "lo", "si", "dz", "bo", "az"], "ltr"),
}
# A script subtag settles the direction whatever the language ("pa-Arab", "sd-Deva").
RTL_SCRIPTS = {"arab", "hebr", "thaa", "syrc", "rohg", "nkoo", "adlm", "mand", "samr"}


def language_direction(code):
    """ "rtl" or "ltr" for a language code ("ur", "fa-AF", "pa-Arab"); None when unknown, for
    which a template says dir="auto"."""
    subtags = code.lower().replace("_", "-").split("-")
    scripts = [tag for tag in subtags[1:] if len(tag) == 4 and tag.isalpha()]
    if scripts:
        return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
    known = DIRECTIONS.get(subtags[0])
    if known:
        return known
    try:
        return "rtl" if get_language_info(code)["bidi"] else "ltr"
    except KeyError:
        return None


def attach_other_languages(publications, *, now=None):
    """Set `other_languages` on each of `publications`: the other public members of its
    translation group, in the order of LANGUAGES. One query for all of them."""
    publications = list(publications)
    if not publications:
        return publications
    members = defaultdict(list)
    found = (
        Publication.objects.published(now)
        .in_groups_of(*publications)
        .only("pk", "slug", "title", "language", "translation_key")
    )
    for member in found:
        members[member.translation_key].append(member)
    order = {code: index for index, (code, _) in enumerate(LANGUAGES)}
    for publication in publications:
        publication.other_languages = sorted(
            (
                member
                for member in members[publication.translation_key]
                if member.pk != publication.pk
            ),
            key=lambda member: order.get(member.language, len(order)),
        )
    return publications


class PartnerOrganisation(models.Model):
    """An organisation outside the network that co-signs publications."""

    name = models.CharField(max_length=255, help_text="As it signs, e.g. CIVICUS.")
    website = models.URLField(
        blank=True, validators=[http_url], help_text="Linked from the publications it signs."
    )
    country = models.ForeignKey(
        "members.Country",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where it is based; empty for international organisations.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "partner organisation"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="partner_name_unique_ignoring_case",
                violation_error_message="A partner organisation with this name exists already.",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name).strip()
        super().save(*args, **kwargs)


class Signature(models.Model):
    """An organisation signing a publication: a member of the network or a partner outside
    it, in the order the editor gives. Pages list the members first, then the partners."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(
        "members.MemberOrganisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signatures",
    )
    partner = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signatures",
        verbose_name="or partner",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "member"], name="signature_unique_per_publication"
            ),
            models.UniqueConstraint(
                fields=["publication", "partner"], name="signature_unique_partner_per_publication"
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True, partner__isnull=False)
                | Q(member__isnull=False, partner__isnull=True),
                name="signature_member_or_partner",
                violation_error_message="Choose a member organisation or a partner, not both.",
            ),
        ]

    def __str__(self):
        # Short: inline rows and history list signatures by it.
        return str(self.signatory or "")

    @property
    def signatory(self):
        return self.member or self.partner

    def clean(self):
        super().clean()
        if not self.member_id and not self.partner_id:
            raise ValidationError("Choose a member organisation or a partner.")


# Characters a saved file's name may not hold on some system: turned into "-".
DOWNLOAD_NAME_UNSAFE = str.maketrans(dict.fromkeys('/\\:*?"<>|', "-"))


class SavedWithPublication:
    """A row the detail page's article shows as part of its publication: saving or deleting it
    on its own moves the publication's `updated_at`, so the article's key changes
    (publications/article.py)."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        Publication.objects.filter(pk=self.publication_id).touch()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        Publication.objects.filter(pk=self.publication_id).touch()
        return deleted


class Attachment(SavedWithPublication, models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(max_length=255)
    file = models.FileField(
        upload_to=publication_file_name,
        storage=owned_files_storage,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
        help_text="PDF, plain text or CSV; PDFs are rebuilt without their hidden data.",
    )
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    file_size = models.PositiveBigIntegerField(default=0, editable=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        clean_uploaded_document(self.file)
        if self.file:
            with contextlib.suppress(OSError, ValueError):
                self.file_size = self.file.size
        super().save(*args, **kwargs)

    def clean(self):
        # The cleaning save() would do, done here once (save() keeps the cleaned copy), so a
        # document it refuses is a form error, not a 500.
        super().clean()
        try:
            clean_uploaded_document(self.file)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc

    @property
    def extension(self):
        return self.file.name.rsplit(".", 1)[-1].upper() if "." in self.file.name else ""

    @property
    def download_name(self):
        """The name a download is saved under: the title and the file's extension (the stored
        name is random), without path separators or control characters."""
        title = " ".join(clean_text(self.title).translate(DOWNLOAD_NAME_UNSAFE).split())
        title = title.strip(" .")[:150]
        return f"{title or 'attachment'}.{self.extension.lower()}".rstrip(".")


class GalleryImage(SavedWithPublication, models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="gallery_images"
    )
    image = models.ImageField(
        upload_to=publication_file_name,
        storage=owned_files_storage,
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
