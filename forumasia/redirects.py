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

Every redirect stays on the site. A stored address (a redirect row, an imported page's or
term's address) is checked when it is saved (`validate_local_path()`: the admin form,
`moved()`, a pre_save receiver for every other writer) and again when the site answers with it
(`local_redirect()`), because rows also arrive by SQL, fixtures and restored backups. What
other code answers (views, Django's own redirects) passes `OnSiteRedirectsMiddleware`, which
turns a redirect to anywhere else into a 404 and logs it. The one address outside the site a
redirect may lead to is the media storage's own origin (MEDIA_URL, set by whoever deploys the
site), for old links to uploaded files; there is no list of other outside targets.
"""

import copy
import logging
import posixpath
import unicodedata
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.handlers.exception import response_for_exception
from django.db import transaction
from django.http import Http404, HttpResponseGone, HttpResponsePermanentRedirect
from django.utils.deprecation import MiddlewareMixin
from django.utils.html import escape, format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# A percent-escape decoded this many times and still changing is not an address anyone typed.
UNQUOTE_ROUNDS = 4
LOCAL_PATH_MESSAGE = (
    "Enter a path on this site, starting with a single “/”, e.g. /publications/new-name/ "
    "(no other site, no “//”, backslash, space or control character)."
)


def _readings(value):
    """`value` as a browser, a proxy or a server further on might read it: percent-escapes
    decoded (repeatedly) and compatibility characters folded (a fullwidth solidus is "/")."""
    readings = {value}
    decoded = value
    for _ in range(UNQUOTE_ROUNDS):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
        readings.add(decoded)
    else:
        return None
    return readings | {unicodedata.normalize("NFKC", reading) for reading in readings}


def _is_plain(text):
    """No backslash and no character a browser drops or reads as a separator (controls,
    spaces, format characters)."""
    return "\\" not in text and not any(unicodedata.category(char)[0] in "CZ" for char in text)


def _is_plain_path(text):
    """One "/", then no second slash: a path, not a host."""
    return text.startswith("/") and not text.startswith("//") and _is_plain(text)


def is_local_path(value) -> bool:
    """True when `value` is a path on this site: a single leading "/", however it is decoded.
    `//host`, `/\\host`, `%2F%2Fhost`, `/%2F/host`, `http:x`, ` //host` and addresses with
    control characters are not."""
    if not isinstance(value, str) or not value:
        return False
    readings = _readings(value)
    return (
        readings is not None
        and all(_is_plain_path(reading) for reading in readings)
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    )


def validate_local_path(value):
    """A form and model validator: `value` must be a path on this site."""
    if not is_local_path(value):
        raise ValidationError(LOCAL_PATH_MESSAGE, code="not_local_path")


def is_media_url(value) -> bool:
    """True when `value` is a file under the media storage's own absolute address (MEDIA_URL
    with object storage or a CDN), without dot segments that would climb out of it."""
    media_url = settings.MEDIA_URL
    if not isinstance(value, str) or "//" not in media_url or not value.startswith(media_url):
        return False
    rest = value[len(media_url) :]
    readings = _readings(rest)
    if readings is None:
        return False
    return all(
        _is_plain(reading)
        and "//" not in reading
        and posixpath.normpath("/" + reading) == "/" + reading.rstrip("/")
        for reading in readings
    )


def site_hosts(request):
    """The hosts an absolute redirect may name: the one asked for and SITE_URL's."""
    return {request.get_host(), urlsplit(settings.SITE_URL).netloc} - {""}


def is_on_site(target, *, request) -> bool:
    """May the site answer `request` with a redirect to `target`? A local path, an absolute
    address on this host (Django's HTTPS redirect, the admin's "View on site"), or a file in
    the media storage."""
    if _is_local_for(request, target) or is_media_url(target):
        return True
    try:
        has_host = bool(urlsplit(target).netloc)
    except ValueError:  # e.g. "//[::1": no address a browser could follow either
        return False
    return has_host and url_has_allowed_host_and_scheme(target, allowed_hosts=site_hosts(request))


def _is_local_for(request, target):
    return is_local_path(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    )


def local_redirect(request, target, *, source, media=False):
    """A 301 to `target`, a stored address, when it is a path on this site (or, with `media`,
    a file in the media storage); otherwise None, and the refusal is logged with `source`."""
    if _is_local_for(request, target) or (media and is_media_url(target)):
        return HttpResponsePermanentRedirect(target)
    logger.warning("Refused a redirect off the site: %s to %r (%s)", request.path, target, source)
    return None


@transaction.atomic
def moved(*, old_path: str, new_path: str) -> None:
    """`old_path` now answers with a 301 to `new_path`."""
    if old_path == new_path:
        return
    validate_local_path(old_path)
    validate_local_path(new_path)
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


def refuse_off_site_redirect(sender, instance, raw=False, **kwargs):
    """pre_save of Redirect: whoever saves a row (a shell, fixtures), both addresses are paths
    on this site; an empty "redirect to" stays allowed (Django answers 410 Gone)."""
    validate_local_path(instance.old_path)
    if instance.new_path:
        validate_local_path(instance.new_path)


class LocalRedirectFallbackMiddleware(MiddlewareMixin):
    """Django's RedirectFallbackMiddleware (a 404 looks up the editors' redirects: the path as
    asked, then with a slash appended), answering only with redirects to paths on this site: a
    stored row leading elsewhere (written by SQL, restored from an old backup) leaves the 404 as
    it was, and is logged. One query for both paths."""

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        paths = [request.get_full_path()]
        if settings.APPEND_SLASH and not request.path.endswith("/"):
            paths.append(request.get_full_path(force_append_slash=True))
        found = dict(
            Redirect.objects.filter(site=get_current_site(request), old_path__in=paths).values_list(
                "old_path", "new_path"
            )
        )
        for path in paths:
            if path in found:
                if not found[path]:
                    return HttpResponseGone()
                return local_redirect(request, found[path], source="redirect row") or response
        return response


class OnSiteRedirectsMiddleware:
    """The net under every other redirect: a 3xx response whose Location is not on this site
    (`is_on_site()`) becomes a 404 and is logged, whatever view or middleware below made it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            target = response["Location"]
            if not is_on_site(target, request=request):
                logger.warning("Refused a redirect off the site: %s to %r", request.path, target)
                return response_for_exception(request, Http404("No such page."))
        return response
