"""Editorial pages' background work (django-tasks): the responsive sizes of a page's image, so
the editor's save does not wait for Pillow; retried when storage could not be reached."""

from forumasia import events
from forumasia.retries import retried_task

from . import services
from .models import Page


@retried_task(retry_on=(OSError,), attempts=4)
def make_hero_renditions(page_id: int) -> None:
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return  # deleted meanwhile
    services.refresh_hero_renditions(page)
    # Written after the editor's action: pages kept without the image are stale.
    events.changed(page)
