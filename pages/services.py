"""Writes of editorial pages: the shared workflow (forumasia/workflow.py) for pages, and the
responsive sizes of their images.

Every change of a page's state is `save_page()`: the admin's buttons, its list actions
(`publish()`, `unpublish()`), restoring a version (`restore_version()`), the WordPress import and
the demo content. Each save is one revision (who, when, what); only a publisher (with
`pages.publish_page`) publishes, schedules, unpublishes or changes a page whose status is
Published; a public page whose address changed leaves a permanent redirect from the old one.
Each action is one change event (forumasia/events.py): the cached pages are forgotten once.
"""

from collections.abc import Iterable
from datetime import datetime

from forumasia import history, workflow
from forumasia.images import make_renditions
from forumasia.workflow import Transition

from .models import Page


def may_publish(user) -> bool:
    return workflow.may_publish(user, Page)


def save_page(
    *,
    page: Page,
    user,
    transition: Transition = Transition.SAVE,
    now: datetime | None = None,
    comment: str = "",
) -> Page:
    """Save `page` (its fields as the editor left them) and make `transition`, as one revision.
    PermissionDenied when `user` may not; ValidationError when the transition cannot be made
    (scheduling without a future date) or the address cannot be a page's."""
    return workflow.save(obj=page, user=user, transition=transition, now=now, comment=comment)


def publish(*, pages: Iterable[Page], user, now=None) -> int:
    """Make each page public now; return how many changed."""
    return workflow.transition_each(pages, user=user, transition=Transition.PUBLISH, now=now)


def unpublish(*, pages: Iterable[Page], user, now=None) -> int:
    """Take each page off the public site; return how many changed."""
    return workflow.transition_each(pages, user=user, transition=Transition.UNPUBLISH, now=now)


def restore_version(*, version, user, now=None) -> history.Restored:
    """Write an older version of a page back as a new revision; its status and dates stay."""
    return workflow.restore(version=version, user=user, now=now)


def refresh_hero_renditions(page: Page) -> None:
    """Write the responsive sizes of the page's image (or forget them when it is gone)."""
    renditions = make_renditions(page.hero_image) if page.hero_image else []
    page.hero_image_renditions = renditions
    Page.objects.filter(pk=page.pk).update(hero_image_renditions=renditions)
