"""Sub-sites: the network's programme and campaign sites (its ASEAN advocacy site...) served
from this one system, each at its own host (aseanrights.example.org) or under /sites/<slug>/ on
the main site, with its own name, logo, colour, introduction and stream of publications.

A sub-site shows publications, it owns none: each keeps its one address on the main site, which
every copy names as canonical (subsites/routing.py). What a sub-site shows is its stream
(`SubSite.stream()`): its picks, and the publications that match every criterion it sets
(types, themes, countries), always within `Publication.objects.published()`.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from taggit.models import TaggedItem

from forumasia.files import random_upload_name
from forumasia.images import strip_uploaded_image, validate_image_file
from forumasia.sanitise import clean_html
from forumasia.text import clean_text
from publications.models import Publication, publication_content_type_id

from .colours import contrast_ratio

# WCAG 2.1 AA for normal text: the accent is used for links and buttons' backgrounds, with
# white text on it and as text on white.
MIN_CONTRAST = 4.5
PATH_PREFIX = "sites"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
HOST_PATTERN = r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


def logo_upload_to(instance, filename):
    return random_upload_name("subsites/logos", filename)


def validate_accent(value):
    if not COLOUR.fullmatch(value):
        return  # the format's own validator says what is wrong
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            "This colour has a contrast of %(ratio).1f:1 with white; WCAG AA needs "
            "%(minimum).1f:1 for text. Choose a darker colour.",
            params={"ratio": ratio, "minimum": MIN_CONTRAST},
        )


class SubSiteQuerySet(models.QuerySet):
    def listed(self):
        """The sub-sites the main site invites readers to explore: not archived ones."""
        return self.filter(is_archived=False)


class SubSite(models.Model):
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(
        max_length=40, help_text="In the navigation and the browser tab, e.g. “ASEAN”."
    )
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="Its address on the main site: /sites/<slug>/.",
    )
    host = models.CharField(
        max_length=253,
        unique=True,
        null=True,
        blank=True,
        validators=[
            RegexValidator(
                HOST_PATTERN,
                "Enter a host name such as aseanrights.example.org (no https://, no path).",
            )
        ],
        help_text="Optional: its own host, e.g. aseanrights.example.org, whose DNS points at this "
        "server. Served as soon as it is saved; without one, the sub-site lives at /sites/<slug>/.",
    )
    logo = models.ImageField(
        upload_to=logo_upload_to,
        blank=True,
        validators=[validate_image_file],
        help_text="PNG, JPEG, WebP or GIF; location and camera data are removed on upload.",
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#9b1c31",
        validators=[
            RegexValidator(COLOUR, "Enter a colour as #rrggbb."),
            validate_accent,
        ],
        help_text="Links and buttons: #rrggbb, dark enough for white text (WCAG AA, 4.5:1).",
    )
    introduction = models.TextField(
        blank=True, help_text="On its home page. Cleaned on save like a publication's body."
    )
    languages = models.JSONField(
        default=list,
        blank=True,
        help_text="The languages it offers; none chosen: all of the site's.",
    )
    mailing_list = models.ForeignKey(
        "newsletter.MailingList",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sub_sites",
        help_text="The newsletter list its sign-up form offers.",
    )
    publication_types = models.JSONField(
        "types", default=list, blank=True, help_text="Only these types; none chosen: any."
    )
    themes = models.ManyToManyField(
        "taggit.Tag", blank=True, related_name="+", help_text="Only these themes; none: any."
    )
    countries = models.ManyToManyField(
        "members.Country",
        blank=True,
        related_name="sub_sites",
        help_text="Only publications about these countries; none: any.",
    )
    picks = models.ManyToManyField(
        "publications.Publication", through="Pick", blank=True, related_name="+"
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sub_sites_run",
        help_text="The people who run it: in the admin they write its editorial pages and choose "
        "its picks, and see no other sub-site's (subsites/editors.py). Staff accounts in the "
        "“Sub-site editors” group.",
    )
    is_archived = models.BooleanField(
        "archived",
        default=False,
        help_text="A finished campaign: its pages stay at their addresses with a banner, and it "
        "leaves the main site's list of sub-sites.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubSiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "sub-site"
        constraints = [
            models.CheckConstraint(condition=~Q(host=""), name="sub_site_host_null_not_empty"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = clean_text(self.name)
        self.short_name = clean_text(self.short_name)
        self.host = (self.host or "").strip().lower() or None
        self.introduction = clean_html(self.introduction)
        strip_uploaded_image(self.logo)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.origin}/{self.url_prefix}"

    def clean(self):
        super().clean()
        if self.host and self.host in {host.lower() for host in settings.ALLOWED_HOSTS}:
            raise ValidationError(
                {"host": "This host is the main site's (DJANGO_ALLOWED_HOSTS): choose another."}
            )
        unknown = set(self.languages) - {code for code, _name in settings.LANGUAGES}
        if unknown:
            raise ValidationError({"languages": f"Unknown languages: {', '.join(sorted(unknown))}"})

    @property
    def url_prefix(self):
        """What its addresses start with after the host (and language): "sites/<slug>/" on the
        main site's host, nothing on a host of its own."""
        return "" if self.host else f"{PATH_PREFIX}/{self.slug}/"

    @property
    def origin(self):
        """Scheme and host of its addresses: its own host, with the main site's scheme."""
        main = settings.SITE_URL
        if not self.host:
            return main
        scheme = main.split("://", 1)[0]
        return f"{scheme}://{self.host}"

    def offers(self, language):
        """Whether its pages answer in `language`: all languages when it chose none; the site's
        default language always, since its unprefixed addresses (its home, the main site's link
        to it, feeds, sitemap, robots.txt) are in that language."""
        return (
            not self.languages or language in self.languages or language == settings.LANGUAGE_CODE
        )

    def stream_filter(self):
        """The publications it shows, as a filter: its picks, or those matching every criterion
        it sets; with no criterion, its picks only; and the translations of those.

        One SQL condition whatever it sets: whether it sets themes or countries is asked inside
        it (an EXISTS the database evaluates once per query), not by queries of its own, so a
        sub-site's page makes as many queries as the main site's. A theme or a country matches
        through the link table's ids (EXISTS), as the lists' filters do (PublicationQuerySet)."""
        picked = Q(pk__in=Pick.objects.filter(sub_site_id=self.pk).values("publication_id"))
        themes = SubSite.themes.through.objects.filter(subsite_id=self.pk)
        countries = SubSite.countries.through.objects.filter(subsite_id=self.pk)
        tagged = TaggedItem.objects.filter(
            content_type_id=publication_content_type_id(),
            object_id=OuterRef("pk"),
            tag_id__in=themes.values("tag_id"),
        )
        about = Publication.countries.through.objects.filter(
            publication_id=OuterRef("pk"), country_id__in=countries.values("country_id")
        )
        matches = Q(type__in=self.publication_types) if self.publication_types else Q()
        matches &= Q(~Exists(themes)) | Q(Exists(tagged))
        matches &= Q(~Exists(countries)) | Q(Exists(about))
        if not self.publication_types:
            # No type chosen: a criterion only when it sets themes or countries.
            matches &= Q(Exists(themes)) | Q(Exists(countries))
        shown = picked | matches
        # A translation goes with its original: the "Also in" links of a card lead to it.
        return shown | Q(translation_of__in=Publication.objects.filter(shown).values("pk"))

    def stream(self, publications):
        """`publications` (a queryset, already `published()`) narrowed to its stream, once each:
        its filter is subqueries only (no join), so it applies to `publications`' own rows. Not
        as `pk__in` another query of the stream: PostgreSQL joined the two, and under a list's
        LIMIT chose a nested loop that compared every pair (a sub-site's search: 362 ms where
        the main site's takes 9, at 10,000 publications)."""
        return publications.filter(self.stream_filter())


class Pick(models.Model):
    """A publication a sub-site shows whatever its criteria; pinned ones come first on its
    home page."""

    sub_site = models.ForeignKey(SubSite, on_delete=models.CASCADE)
    publication = models.ForeignKey(
        "publications.Publication", on_delete=models.CASCADE, related_name="sub_site_picks"
    )
    is_pinned = models.BooleanField("pinned", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-is_pinned", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sub_site", "publication"], name="one_pick_each"),
        ]

    def __str__(self):
        return str(self.publication)
