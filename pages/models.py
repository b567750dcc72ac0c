"""Editorial pages (About us, Our approach, Who we work with...): written in the admin with the
publications' editor and image pipeline, and reviewed like publications.

A page has the publications' workflow (forumasia/workflow.py: Draft, In review, Scheduled,
Published, Unpublished; History, compare and restore); `Page.objects.published()` is the one
definition of a public page. Its address (`path`) is checked on every save (pages/paths.py):
never another site's, never an application's.

A page belongs to the main site or to one sub-site (`sub_site`, `Page.objects.on_site()`): its
path is unique on its site and stored without the sub-site's /sites/<slug>/, which its
`get_absolute_url()` adds. A sub-site's editors open only its pages (`run_by()`).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from forumasia.files import owned_files_storage, owned_name
from forumasia.images import strip_uploaded_image, validate_image_file
from forumasia.sanitise import clean_html
from forumasia.text import clean_text
from forumasia.workflow import Publishable, WorkflowQuerySet
from subsites.editors import sub_sites_run_by

from .paths import MAX_LENGTH, validate_page_path

PLAIN_TEXT_FIELDS = ("title", "introduction", "hero_image_alt", "hero_image_credit")
# The folder of pages' files in the private storage (forumasia/files.py): each page's image and
# its renditions under FILES_FOLDER/<files_key>/, served while the page is public.
FILES_FOLDER = "pages"


def page_file_name(instance, filename):
    """Where a page's new image is stored: its own folder, under a random name."""
    return owned_name(FILES_FOLDER, instance.files_key, filename)


class PageQuerySet(WorkflowQuerySet):
    """The workflow's states (`published()`, `released()`, `in_review()`...): WorkflowQuerySet."""

    def on_site(self, sub_site):
        """The pages of `sub_site`, or of the main site when it is None."""
        if sub_site is None:
            return self.filter(sub_site__isnull=True)
        return self.filter(sub_site=sub_site)

    def run_by(self, user):
        """The pages `user` may open in the admin: those of the sub-sites they run when they are
        limited to some (subsites/editors.py), else all."""
        scope = sub_sites_run_by(user)
        return self if scope is None else self.filter(sub_site__in=scope)


class Page(Publishable):
    title = models.CharField(max_length=200)
    path = models.CharField(
        "address",
        max_length=MAX_LENGTH,
        validators=[validate_page_path],
        help_text=(
            "Where the page lives on its site, starting and ending with “/”, e.g. "
            "/about/our-history/ (on a sub-site: after its address, without /sites/<slug>/). "
            "Changing it once a main-site page is public leaves a permanent redirect from the "
            "old address."
        ),
    )
    # PROTECT: a sub-site's pages are written and reviewed work with their own history; deleting
    # the sub-site must not take them along unseen. A finished campaign is archived instead, and
    # whoever really deletes one first moves or deletes its pages (the admin lists them).
    sub_site = models.ForeignKey(
        "subsites.SubSite",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pages",
        verbose_name="site",
        help_text="The sub-site it belongs to; none: the main site.",
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        help_text="The page this one belongs under (About us › Who we work with), named above "
        "its title while both are public.",
    )
    introduction = models.TextField(
        max_length=600,
        blank=True,
        help_text="A plain-text summary of one or two sentences, under the title and in search "
        "results.",
    )
    body = models.TextField(
        blank=True,
        help_text="Cleaned on save: scripts, styles, embeds and unsafe links are removed.",
    )
    hero_image = models.ImageField(
        "image",
        upload_to=page_file_name,
        storage=owned_files_storage,
        blank=True,
        validators=[validate_image_file],
        help_text="Optional, shown across the top. JPEG, PNG, WebP or GIF; location and camera "
        "data are removed on upload.",
    )
    hero_image_alt = models.CharField(
        "alt text",
        max_length=255,
        blank=True,
        help_text="Required with an image: what the image shows, for people who cannot see it.",
    )
    hero_image_credit = models.CharField("credit", max_length=200, blank=True)
    hero_image_renditions = models.JSONField(default=list, blank=True, editable=False)
    # Names the folder of its files (FILES_FOLDER/<files_key>/): random, and set when the row
    # is made, before its image is named.
    files_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = PageQuerySet.as_manager()

    class Meta(Publishable.Meta):
        ordering = ["path"]
        verbose_name = "editorial page"
        permissions = [("publish_page", "Can publish, schedule and unpublish")]
        constraints = [
            *Publishable.Meta.constraints,
            # What the validator checks first, kept by the database too (rows written without
            # a save: fixtures, SQL).
            models.CheckConstraint(
                condition=Q(path__startswith="/", path__endswith="/") & ~Q(path__contains="//"),
                name="page_path_shape",
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="page_not_its_own_parent"),
            # One page per address on each site: the main site's, and each sub-site's.
            models.UniqueConstraint(
                fields=["path"],
                condition=Q(sub_site__isnull=True),
                name="page_path_unique_on_main_site",
                violation_error_message="The main site has a page at this address already.",
            ),
            models.UniqueConstraint(
                fields=["sub_site", "path"],
                name="page_path_unique_per_sub_site",
                violation_error_message="This sub-site has a page at this address already.",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """A main-site page's path; a sub-site page's whole address on the sub-site's origin
        (its own host, or /sites/<slug>/ on the main one), right wherever it is shown: the
        admin, another site, a sitemap."""
        if self.sub_site_id is None:
            return self.path
        return self.sub_site.get_absolute_url() + self.path[1:]

    def save(self, *args, **kwargs):
        # The model's own invariants, so the admin, commands, imports and the ORM are covered.
        validate_page_path(self.path)
        self.body = clean_html(self.body)
        for name in PLAIN_TEXT_FIELDS:
            setattr(self, name, clean_text(getattr(self, name)))
        strip_uploaded_image(self.hero_image)
        if not self.hero_image:
            self.hero_image_renditions = []
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = self.publishing_errors()
        if self.hero_image and not self.hero_image_alt.strip():
            errors["hero_image_alt"] = "Describe the image for people who cannot see it."
        if self.parent_id and self.pk and self.pk in self.ancestor_ids():
            errors["parent"] = "A page cannot belong under itself or under a page below it."
        elif self.parent_id and self.parent.sub_site_id != self.sub_site_id:
            errors["parent"] = "A page belongs under a page of its own site."
        if errors:
            raise ValidationError(errors)

    def ancestor_ids(self):
        """The ids of its parent, the parent's parent... (a loop stops the walk)."""
        found, parent_id = [], self.parent_id
        while parent_id and parent_id not in found:
            found.append(parent_id)
            parent_id = (
                Page.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
            )
        return found

    def public_parent(self, now):
        """The parent to name above the title: only a public one (a draft's title is not the
        public's to read)."""
        parent = self.parent
        return parent if parent is not None and parent.is_public_at(now) else None
