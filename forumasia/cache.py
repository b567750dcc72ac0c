"""Whole-page caching for anonymous visitors, kept fresh by a "content version".

How it works
------------
- A page is stored with the content version it was rendered under (`content_version()`, a
  token in the shared cache) and is a hit while that version is current. Each editorial action
  calls `bump_content_version()` once, which moves the token, through the action's change
  event (forumasia/events.py); this module imports no app.
- Stale while revalidate: after an editor's change the page rendered before it is still served
  for at most PAGE_STALE_SECONDS after the change, while the one request that takes the page's
  render lock (`cache.add()`, atomic on Redis and in the database cache) renders the new one;
  past that bound every request renders its own. A takedown (`takedown=True`: unpublished,
  deleted, an end brought within the bound) also moves a second token: no page rendered before
  it is served again.
- A page is fresh until the earliest of now + PAGE_TIMEOUT, the start of the Secretariat's next
  day (the year in the footer, this year's figures) and the next moment content changes by the
  clock alone (`next_scheduled_change()`, from the sources apps register with
  `register_next_change()`: a scheduled publication or end). Past it the page is rendered
  again, never served stale: scheduled publishing is right to the second.
- The key is the page's language, scheme, host and path (feeds and sitemaps build absolute
  links from them) and the query parameters the view reads, as the view reads them: validated and
  canonical (forumasia/forms.py), never the raw query string, so parameters the view ignores
  (`?utm_source=...`) can neither fill the cache with copies nor make one request's page be
  served for another.
- Decorate a view with `@cache_anonymous_page()`, passing `query=` a function of the request
  returning those parameters (or None: do not cache this request) when it reads any.
  Class-based views use `AnonymousPageCacheMixin` and return them from `page_cache_query()`
  (built from the same form instance the view then reads).
- A hit costs one cache round trip: the version token and the page are read together with
  `get_many()` (one MGET on Redis); the page is stored under a key without the version and
  carries the tokens it was rendered under. No database query, no template, no session.
- The page is stored as rendered and gzip-compressed once, so a hit never compresses again
  (the compressed copy is sent when the visitor accepts gzip). It carries a weak ETag computed
  once on store, so a browser or CDN revalidating gets a 304 (ConditionalGetMiddleware).
- A hit, a stale copy and a miss answer with the same headers: whether someone else asked for
  the same page a moment ago (searched the same words) is nobody's business. What the cache
  did is kept in the process only (`response.page_cache`: "hit", "stale" or "miss", for
  tests), and `max-age` counts down to the next change of content by the clock, never from
  when the copy was stored.

HTTP caching (browsers and a CDN)
---------------------------------
A page served or stored here is sent with `Cache-Control: public, max-age=PUBLIC_MAX_AGE,
stale-while-revalidate=...` (never past the next scheduled publication), so a CDN in front can
absorb a surge. That is the only place that says "public": `CacheControlDefaultMiddleware`
marks every other response without its own Cache-Control `private, no-cache` (pages for
logged-in users, pages with a CSRF token, previews, errors). The price of `max-age` is that a
CDN may show an unpublished page for up to PUBLIC_MAX_AGE + the stale window (90 s); purge the
CDN for an urgent takedown. The CDN must pass requests with the session cookie through (the
site's own cache already does: staff previews are never read from or written to it). A page's
language is its address's, so no response varies on Accept-Language (forumasia/locale.py): a
CDN or nginx keeps one copy per address, not one per browser language.

Why this is safe
----------------
A cached page is shared by every anonymous visitor, so it must hold nothing per visitor:
- It is only read or written for requests without a session cookie and without the messages
  cookie, i.e. never for logged-in users (staff previews, admin links) and never while a
  one-time message waits to be shown. Nothing about the user is loaded to decide that.
- A response is only stored when it is a plain 200 that sets no cookie, did not ask for a CSRF
  token (a token is per visitor: pages with CSRF-protected forms must not use this decorator;
  the footer newsletter form posts to a token-free start step that changes nothing, for this
  reason) and did not read the session.
- Headers added later by middleware (Content-Security-Policy, security headers) are added again
  on every hit; the stored copy keeps only the view's own headers.
- Everything lives in Django's cache (Redis when several hosts run), never in process memory.

The Redis backend
-----------------
django-redis's, which keeps one redis-py client per server (Django's own builds a client, and
its table of about 170 reply parsers, for every call: a cache hit measured 3 times as long).
Its `clear()` deletes the site's own keys (KEY_PREFIX) instead of FLUSHDB, which empties the
whole Redis database, other applications' keys included (deploy/restore clears the cache).
"""

import functools
import hashlib
import math
import uuid
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.text import compress_string
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.client.default import glob_escape

VERSION_KEY = "content-version"
# Moved by takedowns only: a page rendered before the last one is never served stale.
TAKEDOWN_KEY = "content-takedown"
# When a token stopped being current: how long pages rendered under it have been stale.
REPLACED_KEY = "content-replaced:{token}"
NEXT_CHANGE_KEY = "content-next-change:{version}"
# The shape of a stored entry is part of the key: entries an older release stored are never read.
PAGE_KEY = "anon-page-3:{digest}"
# Held by the one request that renders a stale page again (single flight).
RENDER_LOCK_KEY = "{page}:render"
# Upper bound for a cached page; writes that bypass the change event (forumasia/events.py: a
# `.save()` in a shell) are visible after at most this long.
PAGE_TIMEOUT = 10 * 60
MESSAGES_COOKIE = "messages"
# What browsers and a CDN may keep a public page for, and serve stale while refetching.
PUBLIC_MAX_AGE = 60
STALE_WHILE_REVALIDATE = 30
# Shorter bodies are not worth compressing (GZipMiddleware's own threshold).
GZIP_MIN_LENGTH = 200
# What apps registered in their ready(): the functions that say when public content next
# changes by the clock alone. Filled once at start-up, the same in every process.
NEXT_CHANGE_SOURCES = []
# Keys asked for per SCAN and deleted per UNLINK when the Redis cache is cleared.
CLEAR_BATCH = 500


class RedisCache(DjangoRedisCache):
    """django-redis's cache (settings.CACHES when REDIS_URL), whose `clear()` deletes the
    site's own keys only."""

    def clear(self):
        """Delete every key this cache made (KEY_PREFIX, in Django's `prefix:version:key`
        form, any version), and nothing else, UNLINKed in batches so that Redis is never held
        by one long command."""
        client = self.client.get_client(write=True)
        keys = list(client.scan_iter(match=glob_escape(self.key_prefix) + ":*", count=CLEAR_BATCH))
        for start in range(0, len(keys), CLEAR_BATCH):
            client.unlink(*keys[start : start + CLEAR_BATCH])
        return True


def current_token(key):
    """The token under `key` (made on first use): the content version."""
    token = cache.get(key)
    if token is None:
        token = uuid.uuid4().hex
        # add(), not set(): two processes starting at once agree on one token.
        if not cache.add(key, token, timeout=None):
            token = cache.get(key) or token
    return token


def move_token(key):
    """Replace the token under `key`, now and again after the current transaction commits, so
    that something rendered by another request while the transaction was still open cannot
    be kept under the new token."""
    replace_token(key)
    transaction.on_commit(lambda: replace_token(key))


def replace_token(key):
    """Set a new token under `key`, noting for PAGE_STALE_SECONDS when the old one was replaced
    (REPLACED_KEY). Two writers at once may both replace the same token: the time of the first
    is kept, and a page rendered under the token that was lost is rendered again."""
    old = cache.get(key)
    cache.set(key, uuid.uuid4().hex, timeout=None)
    if old is not None and settings.PAGE_STALE_SECONDS > 0:
        cache.add(
            REPLACED_KEY.format(token=old),
            timezone.now().timestamp(),
            timeout=math.ceil(settings.PAGE_STALE_SECONDS) + 1,
        )


def content_version():
    return current_token(VERSION_KEY)


def bump_content_version(*, takedown=False):
    """Public content changed: every cached page is rendered again. A page rendered before the
    change is still served for at most PAGE_STALE_SECONDS while one request renders it again,
    unless `takedown` (something left the public site: unpublished, deleted, its scheduled end
    brought forward): then no page rendered before is served again. Cheap: a few cache writes
    (and again after the commit: `move_token()`)."""
    if takedown:
        move_token(TAKEDOWN_KEY)
    move_token(VERSION_KEY)


def register_next_change(source):
    """`source(now)` returns the next moment after `now` at which public content changes by the
    clock alone (an aware datetime), or None. Called from an app's `ready()`."""
    if source not in NEXT_CHANGE_SOURCES:
        NEXT_CHANGE_SOURCES.append(source)


def next_scheduled_change(now, version):
    """When public content next changes by the clock alone (the earliest of the registered
    sources), as a timestamp, or None. Asked once per content version, shared by every page."""
    key = NEXT_CHANGE_KEY.format(version=version)
    stored = cache.get(key)
    if stored is not None and (stored == 0 or stored > now.timestamp()):
        return None if stored == 0 else stored
    upcoming = [moment for moment in (source(now) for source in NEXT_CHANGE_SOURCES) if moment]
    value = min(upcoming).timestamp() if upcoming else 0
    cache.set(key, value, timeout=PAGE_TIMEOUT)
    return value or None


def start_of_next_day(now):
    """Midnight after `now` in the Secretariat's time zone (TIME_ZONE), when "this year" and
    the date on every page may change."""
    zone = timezone.get_default_timezone()
    tomorrow = timezone.localtime(now, zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time.min, tzinfo=zone)


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


def page_key(request, query):
    """The key of the page `request` asks for, `query` being the parameters the view reads."""
    canonical = urlencode(sorted((name, str(value)) for name, value in query.items()))
    # The path says the language already (/th/..., forumasia/locale.py); it is in the key as
    # well, so that no way of choosing a language can ever serve a page in another.
    language = translation.get_language()
    raw = f"{language} {request.scheme}://{request.get_host()}{request.path}?{canonical}"
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return PAGE_KEY.format(digest=digest)


def make_entry(response, version, takedown, fresh_until, changes_at):
    content = response.content
    return {
        # The content version and the takedown token the page was rendered under.
        "version": version,
        "takedown": takedown,
        "fresh_until": fresh_until,
        # When public content next changes by the clock: what max-age counts down to.
        "changes_at": changes_at,
        "content": content,
        # Compressed once here, not on every hit. A stored page holds nothing secret or
        # per-visitor (no CSRF token, no session), so BREACH has nothing to recover from it;
        # random padding (GZipMiddleware's mitigation) is not needed here.
        "gzip": compress_string(content) if len(content) >= GZIP_MIN_LENGTH else None,
        "etag": f'W/"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"',
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() not in ("set-cookie", "cache-control", "etag")
        ],
    }


def response_from_entry(request, entry, now, state):
    compressed = entry["gzip"]
    accepts_gzip = compressed is not None and re_accepts_gzip.search(
        request.META.get("HTTP_ACCEPT_ENCODING", "")
    )
    response = HttpResponse(compressed if accepts_gzip else entry["content"], status=200)
    for name, value in entry["headers"]:
        response[name] = value
    if accepts_gzip:
        response["Content-Encoding"] = "gzip"
    if compressed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = entry["etag"]
    patch_cache_control(
        response,
        public=True,
        max_age=max(0, min(PUBLIC_MAX_AGE, math.floor(entry["changes_at"] - now))),
        stale_while_revalidate=STALE_WHILE_REVALIDATE,
    )
    response.page_cache = state
    return response


def is_servable_stale(entry, now):
    """Whether `entry`, rendered under a content version since replaced, may still be served
    while it is rendered again: no takedown since, and replaced less than PAGE_STALE_SECONDS
    ago. (Its freshness by the clock is checked first: a scheduled change is never late.) One
    cache round trip, on this path only: a hit reads no more than before."""
    if settings.PAGE_STALE_SECONDS <= 0:
        return False
    replaced_key = REPLACED_KEY.format(token=entry["version"])
    found = cache.get_many([TAKEDOWN_KEY, replaced_key])
    replaced = found.get(replaced_key)
    return (
        found.get(TAKEDOWN_KEY) == entry["takedown"]
        and replaced is not None
        and now - replaced < settings.PAGE_STALE_SECONDS
    )


def serve_anonymous_page(request, query, render):
    """The page from the cache for an anonymous visitor, else `render()` (stored when it may
    be). `query`: the parameters the view reads (see the module docstring); None: bypass."""
    if query is None or not settings.PAGE_CACHE_ENABLED or not is_cacheable_request(request):
        return render()
    now = timezone.now().timestamp()
    key = page_key(request, query)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY) or content_version()
    entry = found.get(key)
    if entry is not None and entry["fresh_until"] > now:
        if entry["version"] == version:
            return response_from_entry(request, entry, now, "hit")
        if is_servable_stale(entry, now):
            # Single flight: the request that takes the lock renders the page again, every
            # other one meanwhile gets the copy it replaces. add() is atomic on Redis and in
            # the database cache (the key is the table's primary key).
            lock = RENDER_LOCK_KEY.format(page=key)
            if not cache.add(lock, True, timeout=math.ceil(settings.PAGE_STALE_SECONDS)):
                return response_from_entry(request, entry, now, "stale")
            try:
                return render_and_store(request, render, key, version, now)
            finally:
                cache.delete(lock)
    return render_and_store(request, render, key, version, now)


def render_and_store(request, render, key, version, now):
    """`render()`'s response, stored under `key` when it may be, fresh until the next change of
    content by the clock."""
    # Read before the render: a takedown while it runs leaves this copy never served stale.
    takedown = current_token(TAKEDOWN_KEY)
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if not is_storable_response(request, response):
        return response
    moment = timezone.now()
    changes_at = start_of_next_day(moment).timestamp()
    upcoming = next_scheduled_change(moment, version)
    if upcoming is not None:
        changes_at = min(changes_at, upcoming)
    fresh_until = min(now + PAGE_TIMEOUT, changes_at)
    seconds = math.ceil(fresh_until - now)
    if seconds <= 0:
        return response
    entry = make_entry(response, version, takedown, fresh_until, changes_at)
    cache.set(key, entry, timeout=seconds + 1)
    return response_from_entry(request, entry, now, "miss")


def cache_anonymous_page(query=None):
    """Serve the view's page from the cache to anonymous visitors (see the module docstring).
    `query(request)` returns the validated parameters the view reads; none by default."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            return serve_anonymous_page(
                request,
                query(request) if query else {},
                lambda: view(request, *args, **kwargs),
            )

        return wrapped

    return decorator


class AnonymousPageCacheMixin:
    """For class-based views: the page is served from the cache, keyed on what
    `page_cache_query()` returns (build it from the form the view reads, in `setup()`)."""

    def page_cache_query(self):
        return {}

    def dispatch(self, request, *args, **kwargs):
        return serve_anonymous_page(
            request,
            self.page_cache_query(),
            lambda: super(AnonymousPageCacheMixin, self).dispatch(request, *args, **kwargs),
        )


class CacheControlDefaultMiddleware:
    """Private unless a view said otherwise: any response without its own Cache-Control gets
    `private, no-cache`, so no browser-shared or CDN cache ever keeps a page meant for one
    visitor (logged-in pages, CSRF tokens, previews, messages, errors). Public pages say so
    explicitly (`cache_anonymous_page`, robots.txt, whitenoise's static files)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
