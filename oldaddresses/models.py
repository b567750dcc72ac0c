"""What the WordPress import remembers: which item of the old site became which object, its
categories and tags, and its files; the old addresses are answered from these rows
(oldaddresses/redirects.py) and always lead to the object's *current* address: an editor may
rename a slug after the import and old links still arrive.

Every row is keyed on the WordPress site's address and the WordPress id, so a second import of
the same site updates instead of duplicating, and two sites never mix. The import
(wordpress/services.py) writes them; they live here so that the redirects stay when the
importer goes. The tables keep the names they had in the `wordpress` app (oldaddresses 0001).
"""

from django.db import models
from django.db.models import Q
from django.http.request import split_domain_port

from pages.models import Page
from publications.models import Publication


class ImportedItem(models.Model):
    site_url = models.CharField("WordPress site", max_length=255)
    wp_id = models.PositiveBigIntegerField("WordPress ID")
    post_type = models.CharField(max_length=20)
    # The decoded `post_name`: /<name>/, /YYYY/MM/<name>/ and /YYYY/MM/DD/<name>/ lead here.
    name = models.CharField(max_length=400, blank=True, db_index=True)
    post_date = models.DateField(null=True, blank=True)
    # Null once an editor deletes the object: a later import then leaves it deleted.
    publication = models.ForeignKey(
        Publication, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    page = models.ForeignKey(
        Page, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Hash of what the import wrote (mapped from WordPress), and of the object as it was
    # right after: a different hash of the object now means an editor changed it.
    source_hash = models.CharField(max_length=64)
    target_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField()

    class Meta:
        db_table = "wordpress_importeditem"
        constraints = [
            models.UniqueConstraint(fields=["site_url", "wp_id"], name="imported_item_unique"),
            models.CheckConstraint(
                condition=Q(publication__isnull=True) | Q(page__isnull=True),
                name="imported_item_one_target",
            ),
        ]

    def __str__(self):
        return f"{self.site_url} #{self.wp_id}"

    @property
    def target(self):
        return self.publication or self.page

    def new_url(self):
        """Where the old item lives now, or None (deleted on the new site)."""
        if self.publication is not None:
            return self.publication.get_absolute_url()
        if self.page is not None:
            return self.page.get_absolute_url()
        return None


class ImportedTerm(models.Model):
    """A category or tag of the old site and the filtered list it now leads to."""

    site_url = models.CharField("WordPress site", max_length=255)
    taxonomy = models.CharField(max_length=40)
    slug = models.CharField(max_length=400)
    redirect_to = models.CharField(max_length=500)

    class Meta:
        db_table = "wordpress_importedterm"
        constraints = [
            models.UniqueConstraint(
                fields=["site_url", "taxonomy", "slug"], name="imported_term_unique"
            )
        ]

    def __str__(self):
        return f"{self.taxonomy} {self.slug}"


class ImportedMedia(models.Model):
    """A file from the old site's `wp-content/uploads` and a copy of it: a public upload (no
    publication), or a publication's own file for one use (wordpress/media.py)."""

    class Use(models.TextChoices):
        PUBLIC = "", "Public upload"
        FEATURED = "featured", "Featured image"
        GALLERY = "gallery", "Gallery image"
        DOCUMENT = "document", "Attachment"

    site_url = models.CharField("WordPress site", max_length=255)
    source = models.CharField(max_length=500)
    stored_name = models.CharField(max_length=500)
    publication = models.ForeignKey(
        Publication,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    use = models.CharField(max_length=20, choices=Use.choices, blank=True, default=Use.PUBLIC)

    class Meta:
        db_table = "wordpress_importedmedia"
        verbose_name_plural = "imported media"
        constraints = [
            models.UniqueConstraint(
                fields=["site_url", "source"],
                condition=models.Q(publication__isnull=True),
                name="imported_media_public_unique",
            ),
            models.UniqueConstraint(
                fields=["site_url", "source", "publication", "use"],
                condition=models.Q(publication__isnull=False),
                name="imported_media_copy_unique",
            ),
        ]

    def __str__(self):
        return self.source


class SubSiteSource(models.Model):
    """A WordPress site imported into a sub-site (`import_wordpress --sub-site`). Its old
    addresses are answered on its old host only — once the sub-site's host is set to it, a
    request there is the sub-site's — and never on the main site's host, where the same paths
    (`/?p=12`, `/about/`) are the main site's old addresses."""

    site_url = models.CharField("WordPress site", max_length=255, unique=True)
    # Lower case, without "www." (`bare_host()`): www.example.org and example.org are one site.
    old_host = models.CharField(max_length=253, db_index=True)

    class Meta:
        verbose_name = "sub-site's old WordPress site"

    def __str__(self):
        return self.site_url


def bare_host(host):
    """`host` as SubSiteSource.old_host keeps it: lower case, without port or "www."."""
    domain, _port = split_domain_port(host or "")
    return domain.removeprefix("www.")
