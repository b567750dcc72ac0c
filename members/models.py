from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import connection, models
from django.db.models import Count, Q
from django.db.models.functions import Greatest, Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forumasia.files import random_upload_name
from forumasia.images import strip_uploaded_image, validate_image_file
from forumasia.sanitise import clean_html
from forumasia.text import is_searchable, search_terms


class SubRegion(models.TextChoices):
    SOUTH = "south", _("South Asia")
    SOUTHEAST = "southeast", _("Southeast Asia")
    EAST = "east", _("East Asia")
    CENTRAL = "central", _("Central Asia")
    WEST = "west", _("West Asia")
    OTHER = "other", _("Other")


class CountryQuerySet(models.QuerySet):
    def with_member_counts(self):
        """Every country, with `member_count` (its current members) annotated."""
        return self.annotate(
            member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
        ).order_by("name")

    def with_members(self):
        """Countries that have at least one active member, with `member_count` annotated."""
        return self.with_member_counts().filter(member_count__gt=0)


class Country(models.Model):
    code = models.CharField(
        "ISO code",
        max_length=2,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use the two capital letters of ISO 3166-1.")],
        help_text="ISO 3166-1 alpha-2, e.g. TH for Thailand.",
    )
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    sub_region = models.CharField(max_length=20, choices=SubRegion.choices, default=SubRegion.OTHER)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="country_code_is_iso_alpha2"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:country-detail", kwargs={"code": self.code.lower()})


class MemberOrganisationQuerySet(models.QuerySet):
    def active(self):
        """Current members: the only ones listed as members on the public site."""
        return self.filter(is_active=True)

    def search(self, query):
        """Members whose name, acronym, city or country matches `query`, best match first: the
        one matcher of site search and the member directory.

        Every word (forumasia/text.py) must match one of those fields. On PostgreSQL a word may
        also be a typo of them (pg_trgm word similarity: "Cambodja" finds members in Cambodia),
        ranked by how close the best field is; on SQLite a plain contains search. The member
        table is small (about 85 rows), so this needs no index. A query with nothing to search
        for leaves the queryset as it is.
        """
        if not is_searchable(query):
            return self
        fields = ["name", "acronym", "city", "country__name"]
        words = search_terms(query)
        results = self
        if connection.vendor != "postgresql":
            for word in words:
                results = results.filter(
                    Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)
                )
            return results.order_by("name")

        score = None
        for word in words:
            matches = Q.create([(f"{field}__icontains", word) for field in fields], connector=Q.OR)
            if len(word) >= 4:
                matches |= Q.create(
                    [(f"{field}__trigram_word_similar", word) for field in fields],
                    connector=Q.OR,
                )
            results = results.filter(matches)
            similarity = Greatest(*[TrigramWordSimilarity(word, field) for field in fields])
            score = similarity if score is None else score + similarity
        return results.annotate(search_score=score).order_by("-search_score", "name")


# Links visitors follow: web addresses only (URLField would also accept ftp://).
http_url = URLValidator(
    schemes=["http", "https"], message="Enter a web address starting with https://."
)


def logo_upload_to(instance, filename):
    """A random name keeping the extension: no two logos share a name, and the uploaded file's
    name (a designer's draft, a date) is not published."""
    return random_upload_name("members/logos", filename)


class MemberOrganisation(models.Model):
    name = models.CharField(max_length=255)
    acronym = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="members")
    city = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True, validators=[http_url])
    description = models.TextField(blank=True, help_text="Sanitised on save.")
    logo = models.ImageField(
        upload_to=logo_upload_to,
        blank=True,
        validators=[validate_image_file],
        help_text="JPEG, PNG, WebP or GIF; square works best. Metadata is removed on upload.",
    )
    focus_areas = models.CharField(
        max_length=255, blank=True, help_text="Comma-separated, e.g. “Freedom of expression”."
    )
    year_joined = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1991), MaxValueValidator(2100)],
        help_text="The network was founded in 1991.",
    )
    contact_email = models.EmailField("public contact email", blank=True)
    facebook_url = models.URLField(blank=True, validators=[http_url])
    x_url = models.URLField("X (Twitter) URL", blank=True, validators=[http_url])
    linkedin_url = models.URLField(blank=True, validators=[http_url])
    is_active = models.BooleanField(
        "current member",
        default=True,
        help_text="Former members are kept for the record but not listed as members.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberOrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "member organisation"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="member_name_unique_ci",
                violation_error_message="A member organisation with this name already exists.",
            ),
            models.CheckConstraint(
                condition=Q(year_joined__isnull=True) | Q(year_joined__gte=1991),
                name="member_year_joined_after_founding",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="member_slug_not_empty"),
            models.CheckConstraint(condition=~Q(name=""), name="member_name_not_empty"),
            # URLField validates in forms; this keeps javascript: and other schemes out of the
            # table even when rows arrive another way (shell, bulk update).
            models.CheckConstraint(
                condition=Q(website="")
                | Q(website__startswith="http://")
                | Q(website__startswith="https://"),
                name="member_website_is_http",
            ),
        ]
        indexes = [models.Index(fields=["country", "is_active"])]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        self.description = clean_html(self.description)
        strip_uploaded_image(self.logo)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("members:member-detail", kwargs={"slug": self.slug})

    @property
    def initials(self):
        """Placeholder text for a missing logo: the acronym, or the name's initials."""
        if self.acronym:
            return self.acronym[:4].upper()
        return "".join(word[0] for word in self.name.split()[:3]).upper()

    @property
    def focus_area_list(self):
        return [area.strip() for area in self.focus_areas.split(",") if area.strip()]
