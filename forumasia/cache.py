"""Whole-page caching for anonymous visitors, invalidated by a "content version".

How it works
------------
- `content_version()` is a token in the shared cache. Saving or deleting anything a public page
  shows (publications and what hangs off them, members, countries, editorial pages) calls
  `bump_content_version()` (signals wired in forumasia/apps.py), which replaces the token: every
  cached page keyed on the old token is then simply never read again and ages out.
- A page is stored with a "fresh until" time: the earlier of now + PAGE_TIMEOUT and the publish
  time of the next scheduled publication (`next_scheduled_change()`). A scheduled item goes
  public by the clock alone (no save, so no bump); the cached page stops being served at that
  moment and the next visitor gets a freshly rendered page that includes it.
- Decorate a view with `@cache_anonymous_page()` (or pass `vary_on_query=("p",)` for the query
  parameters the view reads; all other parameters are ignored so `?utm_source=...` cannot fill
  the cache with copies).

Why this is safe
----------------
A cached page is shared by every anonymous visitor, so it must hold nothing per visitor:
- It is only read or written for requests without a session cookie and without the messages
  cookie, i.e. never for logged-in users (staff previews, admin links) and never while a
  one-time message waits to be shown. Nothing about the user is loaded to decide that.
- A response is only stored when it is a plain 200 that sets no cookie, did not ask for a CSRF
  token (a token is per visitor: pages with POST forms must not use this decorator — the
  footer newsletter form is a GET form for this reason) and did not read the session.
- Headers added later by middleware (Content-Security-Policy, security headers) are added again
  on every hit; the stored copy keeps only the view's own headers.
- Everything lives in Django's cache (Redis when several hosts run), never in process memory.
"""

import functools
import hashlib
import math
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

VERSION_KEY = "content-version"
NEXT_CHANGE_KEY = "content-next-change:{version}"
PAGE_KEY = "anon-page:{version}:{digest}"
# Upper bound for a cached page; writes that bypass the signals (queryset.update() in a shell)
# are visible after at most this long.
PAGE_TIMEOUT = 10 * 60
MESSAGES_COOKIE = "messages"


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        # add(), not set(): two processes starting at once agree on one token.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_content_version(**kwargs):
    """Forget every cached page (by moving to a new version). Cheap: one cache write.

    Runs now and again after the current transaction commits, so a page rendered by another
    request while the transaction was still open cannot keep the old content.
    Accepts and ignores signal arguments so it can be connected to signals directly.
    """
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None))


def next_scheduled_change(now, version):
    """When public content next changes by the clock alone (a scheduled publication's time),
    or None. One query per content version, shared by every page."""
    key = NEXT_CHANGE_KEY.format(version=version)
    stored = cache.get(key)
    if stored is not None and (stored == 0 or stored > now.timestamp()):
        return None if stored == 0 else stored
    from publications.models import Publication

    upcoming = Publication.objects.next_publish_at(now)
    value = upcoming.timestamp() if upcoming else 0
    cache.set(key, value, timeout=PAGE_TIMEOUT)
    return value or None


def is_cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    # Logged-in users (session authentication) always have a session cookie; without one the
    # visitor is anonymous, known without loading the session or the user.
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


def is_storable_response(request, response):
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
        and "private" not in response.get("Cache-Control", "")
        and "no-cache" not in response.get("Cache-Control", "")
    )


def page_key(request, version, vary_on_query):
    query = "&".join(
        f"{name}={value}" for name in vary_on_query for value in request.GET.getlist(name)[:1]
    )
    raw = f"{request.get_host()}|{request.path}|{query}"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return PAGE_KEY.format(version=version, digest=digest)


def cache_anonymous_page(vary_on_query=()):
    """Serve the view's page from the cache to anonymous visitors (see the module docstring)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_cacheable_request(request):
                return view(request, *args, **kwargs)
            now = timezone.now()
            version = content_version()
            key = page_key(request, version, vary_on_query)
            entry = cache.get(key)
            if entry is not None and entry["fresh_until"] > now.timestamp():
                response = HttpResponse(entry["content"], status=200)
                for name, value in entry["headers"]:
                    response[name] = value
                response["X-Page-Cache"] = "hit"
                return response

            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if is_storable_response(request, response):
                fresh_until = now.timestamp() + PAGE_TIMEOUT
                upcoming = next_scheduled_change(now, version)
                if upcoming is not None:
                    fresh_until = min(fresh_until, upcoming)
                seconds = math.ceil(fresh_until - now.timestamp())
                if seconds > 0:
                    headers = [
                        (name, value)
                        for name, value in response.items()
                        if name.lower() not in ("set-cookie", "x-page-cache")
                    ]
                    cache.set(
                        key,
                        {
                            "content": response.content,
                            "headers": headers,
                            "fresh_until": fresh_until,
                        },
                        timeout=seconds + 1,
                    )
                response["X-Page-Cache"] = "miss"
            return response

        return wrapped

    return decorator
