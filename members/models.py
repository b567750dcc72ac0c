from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse

from forumasia.sanitise import clean_html


class SubRegion(models.TextChoices):
    SOUTH = "south", "South Asia"
    SOUTHEAST = "southeast", "Southeast Asia"
    EAST = "east", "East Asia"
    CENTRAL = "central", "Central Asia"
    WEST = "west", "West Asia"
    OTHER = "other", "Other"


class CountryQuerySet(models.QuerySet):
    def with_members(self):
        """Countries that have at least one active member, with `member_count` annotated."""
        return (
            self.annotate(
                member_count=Count("members", filter=Q(members__is_active=True), distinct=True)
            )
            .filter(member_count__gt=0)
            .order_by("name")
        )


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

    def network_figures(self):
        """{'members': n, 'countries': m} for current members, in one query."""
        return self.active().aggregate(
            members=Count("pk"), countries=Count("country", distinct=True)
        )


def logo_upload_to(instance, filename):
    return f"members/logos/{instance.slug or 'member'}-{filename}"


class MemberOrganisation(models.Model):
    name = models.CharField(max_length=255)
    acronym = models.CharField(max_length=30, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="members")
    city = models.CharField(max_length=100, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="Sanitised on save.")
    logo = models.ImageField(upload_to=logo_upload_to, blank=True)
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
    facebook_url = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter) URL", blank=True)
    linkedin_url = models.URLField(blank=True)
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
            models.UniqueConstraint(Lower("name"), name="member_name_unique_ci"),
            models.CheckConstraint(
                condition=Q(year_joined__isnull=True) | Q(year_joined__gte=1991),
                name="member_year_joined_after_founding",
            ),
        ]
        indexes = [models.Index(fields=["country", "is_active"])]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        self.description = clean_html(self.description)
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
