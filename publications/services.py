"""Writes that span several rows or files: publishing, unpublishing, renditions.

The admin and the management commands call these; views never write.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from forumasia.images import make_renditions

from .models import GalleryImage, Publication


@transaction.atomic
def publish(publications: Iterable[Publication], *, user=None, now=None) -> int:
    """Make each publication public now; return how many changed.

    Drafts and scheduled items get status Published and publish time `now`; items that are
    already public keep their original date (re-publishing must not move them up the list).
    """
    now = now or timezone.now()
    changed = 0
    for publication in publications:
        if publication.is_public_at(now):
            continue
        publication.status = Publication.Status.PUBLISHED
        publication.publish_at = now
        publication.updated_by = user
        publication.save(update_fields=["status", "publish_at", "updated_by", "updated_at"])
        changed += 1
    return changed


@transaction.atomic
def unpublish(publications: Iterable[Publication], *, user=None) -> int:
    """Take each publication off the public site (back to draft); return how many changed."""
    changed = 0
    for publication in publications:
        if publication.status == Publication.Status.DRAFT:
            continue
        publication.status = Publication.Status.DRAFT
        publication.updated_by = user
        publication.save(update_fields=["status", "updated_by", "updated_at"])
        changed += 1
    return changed


def refresh_featured_renditions(publication: Publication) -> None:
    """Write the responsive sizes of the featured image (or forget them when it is gone)."""
    renditions = make_renditions(publication.featured_image) if publication.featured_image else []
    publication.featured_image_renditions = renditions
    Publication.objects.filter(pk=publication.pk).update(featured_image_renditions=renditions)


def refresh_gallery_renditions(image: GalleryImage) -> None:
    image.renditions = make_renditions(image.image)
    GalleryImage.objects.filter(pk=image.pk).update(renditions=image.renditions)
