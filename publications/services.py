"""Writes that span several rows or files: the editorial workflow, renditions.

Every change of a publication's state goes through `save_publication()`: the admin's buttons,
its list actions (`publish()`, `unpublish()`) and restoring a version (`restore_version()`).
They are the shared workflow (forumasia/workflow.py): one revision each, who may do what, and
the old address of a public publication whose slug changed keeps working.

Who may do what (forumasia/workflow.py):
- everyone with the change permission ("Editors"): save drafts and submit them for review;
- with `publications.publish_publication` ("Publishers", superusers): also publish, schedule,
  unpublish, and change publications whose status is Published (live, scheduled or expired),
  and the themes and partners those show.

The admin and the management commands call these; views never write. Each action is one
change event, sent when it commits (forumasia/events.py): the search vectors and the cached
pages react to it once, whatever the action wrote (the row, its inlines and links).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from forumasia import events, history, workflow
from forumasia.files import owned_files, owned_name
from forumasia.images import make_renditions, rendition_names
from forumasia.text import clean_text
from forumasia.workflow import Transition

from .co_signers import matching_key, move_co_signers_to_partners
from .models import FILES_FOLDER, GalleryImage, PartnerOrganisation, Publication, Signature


def may_publish(user) -> bool:
    return workflow.may_publish(user, Publication)


def save_publication(
    *,
    publication: Publication,
    user,
    transition: Transition = Transition.SAVE,
    now: datetime | None = None,
    comment: str = "",
) -> Publication:
    """Save `publication` (its fields as the editor left them) and make `transition`, as one
    revision. PermissionDenied when `user` may not; ValidationError when the transition cannot
    be made (scheduling without a future date)."""
    return workflow.save(
        obj=publication, user=user, transition=transition, now=now, comment=comment
    )


def publish(*, publications: Iterable[Publication], user, now=None) -> int:
    """Make each publication public now ("Publish now", workflow.publish_date_for); return how
    many changed. Items that are already public keep their date."""
    return workflow.transition_each(publications, user=user, transition=Transition.PUBLISH, now=now)


def unpublish(*, publications: Iterable[Publication], user, now=None) -> int:
    """Take each publication off the public site; return how many changed."""
    return workflow.transition_each(
        publications, user=user, transition=Transition.UNPUBLISH, now=now
    )


def restore_version(*, version, user, now=None) -> history.Restored:
    """Write an older version of a publication back as a new revision: its text, fields,
    signatories (in their order), countries, themes, attachments and gallery; the current
    status and dates stay. Returns what was restored and what could not be (rows deleted
    since)."""
    return workflow.restore(version=version, user=user, now=now)


def refresh_featured_renditions(publication: Publication) -> None:
    """Write the responsive sizes of the featured image (or forget them when it is gone)."""
    renditions = make_renditions(publication.featured_image) if publication.featured_image else []
    publication.featured_image_renditions = renditions
    # updated_at too: cards and articles are kept on it (publications/article.py).
    Publication.objects.filter(pk=publication.pk).update(
        featured_image_renditions=renditions, updated_at=timezone.now()
    )


def refresh_gallery_renditions(image: GalleryImage) -> None:
    image.renditions = make_renditions(image.image)
    GalleryImage.objects.filter(pk=image.pk).update(renditions=image.renditions)
    # The article kept with the image's earlier sizes is stale (publications/article.py).
    Publication.objects.filter(pk=image.publication_id).touch()


@dataclass(frozen=True)
class LinkedCoSigners:
    """What `link_co_signers()` did: publications whose line became a partner signature, and
    released ones whose line it left as text for a publisher."""

    linked: int
    left_for_publishers: int


@transaction.atomic
def link_co_signers(*, partner: PartnerOrganisation, user) -> LinkedCoSigners:
    """Turn every "Other co-signers" line that names `partner` (exactly, ignoring case) into a
    partner signature (publications/co_signers.py), as a revision of each publication changed.
    Called when a partner is added, renamed or (by a publisher) saved.

    For a user who may not publish, only publications that are not released: a released
    publication's line becoming a link to the partner's site changes a public page, which is
    a publisher's to do (saving the partner links them)."""
    key = matching_key(partner.name)
    naming = Publication.objects.filter(co_signers__icontains=partner.name.strip())
    left = 0
    if not may_publish(user):
        left = sum(
            1
            for co_signers in naming.released().values_list("co_signers", flat=True)
            if any(matching_key(line) == key for line in co_signers.splitlines())
        )
        naming = naming.exclude(pk__in=naming.released().values("pk"))
    before = dict(naming.values_list("pk", "co_signers"))
    move_co_signers_to_partners(partners=[partner], publications=naming, signature_model=Signature)
    changed = [
        pk
        for pk, co_signers in Publication.objects.filter(pk__in=before).values_list(
            "pk", "co_signers"
        )
        if co_signers != before[pk]
    ]
    events.changed(partner)
    if changed:
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(
                f"Linked the partner “{partner.name}” named under Other co-signers"
            )
            for publication in Publication.objects.filter(pk__in=changed):
                reversion.add_to_revision(publication)
    return LinkedCoSigners(linked=len(changed), left_for_publishers=left)


@transaction.atomic
def merge_themes(*, themes: Iterable[Tag], into: str, user) -> Tag:
    """Give every publication carrying one of `themes` the theme named `into` instead: an
    existing theme (its name matched ignoring case) or a new one. One revision of each
    publication changed, so History shows the merge and can undo it. The merged themes stay,
    unused.

    Publishers only: a merge changes the themes public pages show (PermissionDenied for
    anyone else); ValidationError when `into` has nothing to name a theme with."""
    if not may_publish(user):
        raise PermissionDenied("Only a publisher may merge themes: a merge changes public pages.")
    name = clean_text(into).strip()
    if not name:
        raise ValidationError("Give the name of the theme to keep.")
    target = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    links = TaggedItem.objects.filter(tag__in=[theme.pk for theme in themes if theme != target])
    publications = list(
        links.filter(content_type=ContentType.objects.get_for_model(Publication))
        .values_list("object_id", flat=True)
        .distinct()
    )
    already = set(TaggedItem.objects.filter(tag=target).values_list("content_type_id", "object_id"))
    with reversion.create_revision():
        reversion.set_user(user)
        names = ", ".join(sorted(f"“{theme.name}”" for theme in themes if theme != target))
        reversion.set_comment(f"Merged the themes {names} into “{target.name}”")
        for link in links:
            if (link.content_type_id, link.object_id) in already:
                link.delete()
            else:
                already.add((link.content_type_id, link.object_id))
                TaggedItem.objects.filter(pk=link.pk).update(tag=target)
        for publication in Publication.objects.filter(pk__in=publications):
            reversion.add_to_revision(publication)
    # Every publication that carried a merged theme now carries the kept one.
    events.changed(target)
    return target


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


def copy_image_files(name: str, renditions: list, *, to: Publication) -> tuple[str, list]:
    """Copies of the stored image `name` and its `renditions` in the folder of `to`: each
    publication owns its files alone, so one being unpublished, replaced or deleted never
    touches another's (a translation's image must not leave with its original)."""
    return copy_file(name, to=to), copy_renditions(renditions, to=to)


def copy_renditions(renditions: list, *, to: Publication) -> list:
    """Copies of stored `renditions` in the folder of `to` (no image is encoded again)."""
    copies = {name: copy_file(name, to=to) for name in sorted(rendition_names(renditions))}
    return [
        {**item, **{key: copies[item[key]] for key in ("jpeg", "webp") if item.get(key)}}
        for item in renditions
    ]


def copy_file(name: str, *, to: Publication) -> str:
    """A copy of the stored file `name` in the folder of `to`, under a new random name."""
    with owned_files.open(name, "rb") as source:
        return owned_files.save(owned_name(FILES_FOLDER, to.files_key, name), source)


def reuse_featured_image(translation: Publication, original: Publication) -> None:
    """Give the unsaved `translation` a copy of the featured image of `original` and of its
    renditions, unless an image was uploaded for it."""
    if translation.featured_image or not original.featured_image:
        return
    translation.featured_image, translation.featured_image_renditions = copy_image_files(
        original.featured_image.name, original.featured_image_renditions, to=translation
    )


def copy_gallery(*, original: Publication, translation: Publication) -> int:
    """Add copies of the gallery of `original` (the images and their renditions, alt texts,
    captions, credits and order) after the translation's own images."""
    images = []
    for image in original.gallery_images.all():
        name, renditions = copy_image_files(image.image.name, image.renditions, to=translation)
        images.append(
            GalleryImage(
                publication=translation,
                image=name,
                alt_text=image.alt_text,
                caption=image.caption,
                credit=image.credit,
                renditions=renditions,
                order=image.order,
            )
        )
    GalleryImage.objects.bulk_create(images)
    return len(images)
