"""Which files of a publication a request may fetch (the owner of `publications/` for
forumasia/files.py's view).

A file is public when the publication is (`Publication.objects.published()`, at this
second: a scheduled item's files appear at its publish time and leave at its unpublish time
with no task) and the publication uses it now: its featured image or one of its renditions,
a gallery image or one of its renditions, an attachment. A file it no longer uses (an image
replaced because it showed someone who must not be seen) is not public any more, though it is
kept for the history's older versions. Staff who may see publications in the admin see every
file of every publication, privately.
"""

from django.db.models import Exists, OuterRef

from forumasia.files import owners_answer
from forumasia.images import rendition_names

from .models import Publication

STAFF_PERMISSIONS = ("publications.view_publication", "publications.change_publication")


def download_name(publication, name):
    """How `publication` uses the file `name`: "" for an image shown in its page, its
    attachment's readable name for a document, None when it does not use it."""
    if name == publication.featured_image.name or name in rendition_names(
        publication.featured_image_renditions
    ):
        return ""
    for image, renditions in publication.gallery_images.values_list("image", "renditions"):
        if name == image or name in rendition_names(renditions):
            return ""
    attachment = publication.attachments.filter(file=name).only("title", "file").first()
    return attachment.download_name if attachment else None


def file_access(request, *, key, name):
    publication = (
        Publication.objects.filter(files_key=key)
        .annotate(public=Exists(Publication.objects.published().filter(pk=OuterRef("pk"))))
        .only("pk", "featured_image", "featured_image_renditions", "unpublish_at")
        .first()
    )
    if publication is None:
        return None
    return owners_answer(
        request,
        public=publication.public,
        used_as=download_name(publication, name),
        public_until=publication.unpublish_at,
        staff_permissions=STAFF_PERMISSIONS,
    )
