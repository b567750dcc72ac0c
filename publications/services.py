"""Writes that span several rows or files: publishing, unpublishing, renditions.

The admin and the management commands call these; views never write.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from forumasia.images import make_renditions

from .co_signers import move_co_signers_to_partners
from .models import GalleryImage, PartnerOrganisation, Publication, Signature


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


def link_co_signers(partner: PartnerOrganisation) -> int:
    """Turn every "Other co-signers" line that names `partner` (exactly, ignoring case) into a
    partner signature; return how many publications changed (publications/co_signers.py).
    Called when an editor adds or renames a partner."""
    with transaction.atomic():
        return move_co_signers_to_partners(
            partners=[partner],
            publications=Publication.objects.filter(co_signers__icontains=partner.name.strip()),
            signature_model=Signature,
        )


# --- Translations -------------------------------------------------------------------------------


def translation_initial(original: Publication) -> dict:
    """What the add form of a translation of `original` starts with: everything that does not
    change with the language. Title, summary and body are left to the translator. Attachments
    are not taken: each is a document in one language (Attachment.language); the translation
    gets its own, or none."""
    return {
        "translation_of": original.pk,
        "language": "",
        "type": original.type,
        "countries": [country.pk for country in original.countries.all()],
        "tags": list(original.tags.all()),
        "featured_image_alt": original.featured_image_alt,
        "featured_image_caption": original.featured_image_caption,
        "featured_image_credit": original.featured_image_credit,
        "co_signers": original.co_signers,
        "media_contact": original.media_contact,
        "video_url": original.video_url,
    }


def translation_signatures(original: Publication) -> list[dict]:
    """The signature rows of `original` (members and partners, in order) for the add form."""
    return [
        {"member": signature.member_id, "partner": signature.partner_id, "order": signature.order}
        for signature in original.signatures.all()
    ]


def reuse_featured_image(translation: Publication, original: Publication) -> None:
    """Give the unsaved `translation` the featured image of `original` (the same stored file
    and renditions), unless an image was uploaded for it."""
    if translation.featured_image or not original.featured_image:
        return
    translation.featured_image = original.featured_image.name
    translation.featured_image_renditions = original.featured_image_renditions


def copy_gallery(*, original: Publication, translation: Publication) -> int:
    """Add the gallery of `original` (the same stored files and renditions, alt texts,
    captions, credits and order) after the translation's own images."""
    images = [
        GalleryImage(
            publication=translation,
            image=image.image.name,
            alt_text=image.alt_text,
            caption=image.caption,
            credit=image.credit,
            renditions=image.renditions,
            order=image.order,
        )
        for image in original.gallery_images.all()
    ]
    GalleryImage.objects.bulk_create(images)
    return len(images)
