"""Publications' background work (django-tasks): responsive renditions of uploaded images
(the editor's save does not wait for Pillow) and rebuilds of the full-text search index (a
large archive takes minutes). Renditions are retried when storage could not be reached."""

from django_tasks import task

from forumasia import events
from forumasia.retries import retried_task

from . import search, services
from .models import GalleryImage, Publication


@retried_task(retry_on=(OSError,), attempts=4)
def make_featured_renditions(publication_id: int) -> None:
    publication = Publication.objects.filter(pk=publication_id).first()
    if publication is None:
        return  # deleted meanwhile
    services.refresh_featured_renditions(publication)
    # Written after the editor's action: pages and articles kept without the image are stale.
    events.changed(publication)


@retried_task(retry_on=(OSError,), attempts=4)
def make_gallery_renditions(image_id: int) -> None:
    image = GalleryImage.objects.filter(pk=image_id).first()
    if image is None:
        return
    services.refresh_gallery_renditions(image)
    events.changed(image.publication, image)


@task(queue_name="bulk")
def rebuild_search_index(batch_size: int = search.REBUILD_BATCH_SIZE) -> int:
    return search.rebuild_search_index(batch_size=batch_size)
