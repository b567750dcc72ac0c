"""Writes that span several rows or files: the editorial workflow, renditions.

Every change of a publication's state goes through `save_publication()`: the admin's buttons,
its list actions (`publish()`, `unpublish()`) and restoring a version (`restore_version()`).
Each is one revision (who, when, what: forumasia/history.py), checks who may do it, and keeps
old addresses working when a public publication's slug changes (forumasia/redirects.py).

Who may do what:
- everyone with the change permission ("Editors"): save drafts and submit them for review;
- with `publications.publish_publication` ("Publishers", superusers): also publish, schedule,
  unpublish, and change publications whose status is Published (live, scheduled or expired).

The admin and the management commands call these; views never write.
"""

import enum
from collections.abc import Iterable
from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from forumasia import history, redirects
from forumasia.cache import bump_stamp
from forumasia.files import owned_files, owned_name
from forumasia.images import make_renditions

from .article import ARTICLE_STAMP
from .co_signers import move_co_signers_to_partners
from .files import rendition_names
from .models import FILES_FOLDER, GalleryImage, PartnerOrganisation, Publication, Signature

PUBLISH_PERMISSION = "publications.publish_publication"


class Transition(enum.StrEnum):
    """What a save does to the status; the admin's buttons, by value."""

    SAVE = "save"  # keep the status
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISH = "publish"
    SCHEDULE = "schedule"
    UNPUBLISH = "unpublish"


EDITOR_TRANSITIONS = (Transition.SAVE, Transition.DRAFT, Transition.REVIEW)
COMMENTS = {
    Transition.SAVE: "Changed",
    Transition.DRAFT: "Saved as draft",
    Transition.REVIEW: "Submitted for review",
    Transition.PUBLISH: "Published",
    Transition.SCHEDULE: "Scheduled",
    Transition.UNPUBLISH: "Unpublished",
}


def may_publish(user) -> bool:
    return bool(user and user.has_perm(PUBLISH_PERMISSION))


def may_change(user, publication: Publication) -> bool:
    """Whether `user` (who may change publications) may change this one: a publication whose
    status is Published is the publishers' alone, or an editor could change what is public."""
    return publication.status != Publication.Status.PUBLISHED or may_publish(user)


def transitions_for(publication: Publication, user, *, now: datetime) -> list[Transition]:
    """The buttons `user` gets on `publication`'s form, in order (none: read only)."""
    if not may_change(user, publication):
        return []
    if not may_publish(user):
        return [Transition.DRAFT, Transition.REVIEW]
    if publication.status == Publication.Status.PUBLISHED:
        choices = [Transition.SAVE]
        if not publication.is_public_at(now):
            choices += [Transition.PUBLISH, Transition.SCHEDULE]
        return [*choices, Transition.UNPUBLISH]
    return [Transition.DRAFT, Transition.REVIEW, Transition.PUBLISH, Transition.SCHEDULE]


def publish_date_for(publication: Publication, now: datetime) -> datetime:
    """The publish date "Publish now" gives: now, except for a publication that was public and
    was taken down (by hand or by its unpublish date), which comes back with its own past date
    (its place in lists and feeds). A draft is never published with an old date."""
    if publication.is_public_at(now):
        return publication.publish_at
    was_taken_down = publication.status == Publication.Status.UNPUBLISHED or (
        publication.status == Publication.Status.PUBLISHED and publication.publish_at <= now
    )
    if was_taken_down and publication.publish_at <= now:
        return publication.publish_at
    return now


def describe_publish_date(publication: Publication, now: datetime) -> str:
    """What the "Publish now" button tells before anyone clicks it."""
    date = publish_date_for(publication, now)
    if date == now:
        return "Publish now: public at once, dated the moment you click."
    shown = date_format(timezone.localtime(date), "DATETIME_FORMAT")
    return f"Publish now: public at once, keeping its original date ({shown})."


def _apply(publication: Publication, transition: Transition, *, now: datetime) -> None:
    """Set the status and dates `transition` asks for on `publication` (not saved)."""
    status = Publication.Status
    if transition == Transition.DRAFT:
        publication.status = status.DRAFT
    elif transition == Transition.REVIEW:
        publication.status = status.REVIEW
    elif transition == Transition.PUBLISH:
        publication.publish_at = publish_date_for(publication, now)
        if publication.unpublish_at and publication.unpublish_at <= now:
            publication.unpublish_at = None
        publication.status = status.PUBLISHED
    elif transition == Transition.SCHEDULE:
        if publication.publish_at <= now:
            raise ValidationError({"publish_at": "To schedule, set a publish date in the future."})
        publication.status = status.PUBLISHED
    elif transition == Transition.UNPUBLISH and publication.status == status.PUBLISHED:
        # A scheduled one was never public: it goes back to draft.
        publication.status = status.DRAFT if publication.publish_at > now else status.UNPUBLISHED


def check_transition(publication: Publication, stored: Publication | None, user, transition):
    """PermissionDenied unless `user` may make `transition` on `publication` (`stored`: the row
    as it is in the database, None for a new one)."""
    if stored is not None and not may_change(user, stored):
        raise PermissionDenied("Only a publisher may change a published publication.")
    if transition not in EDITOR_TRANSITIONS and not may_publish(user):
        raise PermissionDenied("Only a publisher may publish, schedule or unpublish.")


def stored_row(publication: Publication) -> Publication | None:
    if publication.pk is None:
        return None
    return Publication.objects.filter(pk=publication.pk).first()


@transaction.atomic
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
    now = now or timezone.now()
    stored = stored_row(publication)
    check_transition(publication, stored, user, transition)
    _apply(publication, transition, now=now)
    if stored is None:
        publication.created_by = user
    publication.updated_by = user
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or COMMENTS[transition])
        publication.save()
        keep_address(publication, stored, now=now)
        reversion.add_to_revision(publication)
    return publication


def keep_address(publication: Publication, stored: Publication | None, *, now: datetime) -> None:
    """A public publication whose slug changed: its old address redirects to the new one; a
    publication taking an address wins over a redirect from it."""
    if stored is not None and stored.slug == publication.slug:
        return
    new_path = publication.get_absolute_url()
    if stored is not None and stored.is_public_at(now):
        redirects.moved(old_path=stored.get_absolute_url(), new_path=new_path)
    else:
        redirects.claimed(path=new_path)


def _transition_each(publications, *, user, transition, now) -> int:
    changed = 0
    for publication in publications:
        before = (publication.status, publication.publish_at, publication.unpublish_at)
        check_transition(publication, publication, user, transition)
        _apply(publication, transition, now=now)
        if (publication.status, publication.publish_at, publication.unpublish_at) == before:
            continue
        save_publication(publication=publication, user=user, now=now, comment=COMMENTS[transition])
        changed += 1
    return changed


@transaction.atomic
def publish(*, publications: Iterable[Publication], user, now=None) -> int:
    """Make each publication public now ("Publish now", publish_date_for); return how many
    changed. Items that are already public keep their date."""
    now = now or timezone.now()
    return _transition_each(publications, user=user, transition=Transition.PUBLISH, now=now)


@transaction.atomic
def unpublish(*, publications: Iterable[Publication], user, now=None) -> int:
    """Take each publication off the public site; return how many changed."""
    now = now or timezone.now()
    return _transition_each(publications, user=user, transition=Transition.UNPUBLISH, now=now)


# The publishing state is changed by the buttons only: restoring a version brings back what it
# said, never whether or when it is public.
PUBLISHING_STATE = ("status", "publish_at", "unpublish_at")


@transaction.atomic
def restore_version(*, version, user, now=None) -> history.Restored:
    """Write an older version of a publication back as a new revision: its text, fields,
    signatories (in their order), countries, themes, attachments and gallery; the current
    status and dates stay. Returns what was restored and what could not be (rows deleted
    since)."""
    now = now or timezone.now()
    stored = Publication.objects.get(pk=version.object_id)
    check_transition(stored, stored, user, Transition.SAVE)
    shown = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version of {shown}")
        restored = history.restore(
            version=version, keep=(*PUBLISHING_STATE, "created_at", "created_by_id")
        )
        publication = restored.obj
        publication.updated_by = user
        # Another publication may have taken its old address since: a form error, not a 500.
        publication.validate_unique()
        publication.save()
        keep_address(publication, stored, now=now)
        reversion.add_to_revision(publication)
    return restored


def refresh_featured_renditions(publication: Publication) -> None:
    """Write the responsive sizes of the featured image (or forget them when it is gone)."""
    renditions = make_renditions(publication.featured_image) if publication.featured_image else []
    publication.featured_image_renditions = renditions
    Publication.objects.filter(pk=publication.pk).update(featured_image_renditions=renditions)


def refresh_gallery_renditions(image: GalleryImage) -> None:
    image.renditions = make_renditions(image.image)
    GalleryImage.objects.filter(pk=image.pk).update(renditions=image.renditions)
    # update() sends no signal: the articles kept with the image's earlier sizes are stale.
    bump_stamp(ARTICLE_STAMP)


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
