"""Which files of an editorial page a request may fetch (the owner of `pages/` for
forumasia/files.py's view): its image and the image's renditions while the page is public
(`Page.objects.published()`, by the clock), every file of it to staff who may open that page in
the admin (a sub-site's editors: only its pages')."""

from django.db.models import Exists, OuterRef

from forumasia.files import owners_answer
from forumasia.images import rendition_names
from subsites.editors import sub_sites_run_by

from .models import Page

STAFF_PERMISSIONS = ("pages.view_page", "pages.change_page")


def file_access(request, *, key, name):
    page = (
        Page.objects.filter(files_key=key)
        .annotate(public=Exists(Page.objects.published().filter(pk=OuterRef("pk"))))
        .only("pk", "sub_site", "hero_image", "hero_image_renditions", "unpublish_at")
        .first()
    )
    if page is None:
        return None
    used = name == page.hero_image.name or name in rendition_names(page.hero_image_renditions)
    # Staff see a page's private files when they may open the page: a sub-site's editors only
    # their sub-sites' (asked only then: a public answer depends on no session).
    scope = None if page.public and used else sub_sites_run_by(request.user)
    if scope is not None and page.sub_site_id not in scope:
        return None
    return owners_answer(
        request,
        public=page.public,
        used_as="" if used else None,
        public_until=page.unpublish_at,
        staff_permissions=STAFF_PERMISSIONS,
    )
