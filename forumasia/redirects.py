"""Permanent redirects from the addresses a page had: its old address keeps working.

Stored as Django's `Redirect` rows (django.contrib.redirects), the ones editors also make by
hand in the admin and `RedirectFallbackMiddleware` answers on a 404 with one query. The apps'
services call `moved()` when they save an address change; nothing here runs from a signal.

The rows stay a set of direct redirects with no chain and no loop:
- a chain collapses: A -> B then B -> C leaves A -> C and B -> C (every old address is one hop
  from the page);
- the new address is never redirected away: a redirect from it is removed, so renaming back
  (B -> A after A -> B) leaves B -> A only, and a page that takes an address some other page
  left wins over that page's redirect.
"""

import copy

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.db import transaction
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


@transaction.atomic
def moved(*, old_path: str, new_path: str) -> None:
    """`old_path` now answers with a 301 to `new_path`."""
    if old_path == new_path:
        return
    site = Site.objects.get_current()
    claimed(path=new_path)
    Redirect.objects.filter(site=site, new_path=old_path).update(new_path=new_path)
    Redirect.objects.update_or_create(site=site, old_path=old_path, defaults={"new_path": new_path})


def claimed(*, path: str) -> None:
    """A page now lives at `path`: no redirect leads away from it."""
    Redirect.objects.filter(site=Site.objects.get_current(), old_path=path).delete()


def show_address(form_class, *, address_of, slug=None):
    """Give the slug field of an admin form class the page's real address in its help text,
    and what changing it does. `address_of(slug)` is the page's path; `slug` the current one
    (None for a new page). The class must be a fresh one (ModelAdmin.get_form makes one a
    call)."""
    if "slug" not in form_class.base_fields:
        return form_class
    slug_field = copy.copy(form_class.base_fields["slug"])
    # The admin shows help texts as HTML: everything but the marked slug is escaped.
    address = escape(settings.SITE_URL + address_of(slug or "SLUG"))
    slug_field.help_text = format_html(
        "The address: {}. Changing the slug once the page is public leaves a permanent "
        "redirect from the old address.",
        address if slug else mark_safe(address.replace("SLUG", "<em>slug</em>")),
    )
    form_class.base_fields["slug"] = slug_field
    return form_class
