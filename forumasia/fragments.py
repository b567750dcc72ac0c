"""Pieces of pages cached by what they show, so that they survive a publish.

The page cache (forumasia/cache.py) keeps whole pages per content version: every editor's
save moves the version and every page goes cold. Most of a page has not changed, though: the
twenty cards of a list page, the navigation, the network map. Those are cached here as
fragments whose key is built from **the data they show** (a card: the publication's id, slug,
title, standfirst, type, time, image renditions and the other languages it links), never from
the content version, so:

- a fragment can never show stale content: changing anything it shows changes its key, and the
  old entry is simply never read again (it ages out after FRAGMENT_TIMEOUT);
- a fragment never decides *what* a page shows: the page's queries still choose the
  publications (public ones only), and only their HTML comes from here. A draft's card may sit
  in the cache (rendered for an editor's preview, say) but no public query returns the draft,
  so no public page asks for it;
- right after a publish, a list page's queries run again but its cards come from one
  `get_many()` (one MGET on Redis) instead of twenty renders.

A fragment that shows rows its key cannot name cheaply (a detail page's article: its
signatories, attachments, gallery, countries, themes) is read with `render_stamped()`: it is
kept with the *stamp* it was rendered under, a token like the content version that moves when
any of those rows changes (moved by the change event: forumasia/events.py), but not when a
publication is published.

Everything lives in Django's cache (Redis when several hosts run): no process memory. With
DummyCache (bench's uncached mode) every fragment is rendered, as before.
"""

import hashlib

from django.core.cache import cache
from django.utils.safestring import mark_safe

from .cache import current_token, stamp_key

# Bump when a fragment's markup changes, so a deploy never serves the previous markup.
FRAGMENT_VERSION = 1
# An upper bound only: a key changes whenever what it shows changes.
FRAGMENT_TIMEOUT = 24 * 60 * 60


def fragment_key(kind, parts):
    """The cache key of a `kind` fragment showing `parts` (a tuple of plain values)."""
    raw = repr((FRAGMENT_VERSION, kind, parts)).encode("utf-8", "surrogatepass")
    return f"fragment:{kind}:{hashlib.blake2b(raw, digest_size=16).hexdigest()}"


def render_many(items, parts, render, *, kind, timeout=FRAGMENT_TIMEOUT):
    """The HTML of each of `items` (safe strings, in order): from the cache when a fragment
    with the same `parts(item)` is there, else `render(item)`, stored for the next page.
    One cache read and at most one write for all of them."""
    items = list(items)
    if not items:
        return []
    keys = [fragment_key(kind, parts(item)) for item in items]
    found = cache.get_many(keys)
    rendered = {}
    result = []
    for key, item in zip(keys, items, strict=True):
        html = found.get(key)
        if html is None:
            html = rendered.get(key)
        if html is None:
            html = rendered[key] = str(render(item))
        result.append(mark_safe(html))  # noqa: S308 - rendered by an autoescaping template
    if rendered:
        cache.set_many(rendered, timeout=timeout)
    return result


def render_one(kind, parts, render, *, timeout=FRAGMENT_TIMEOUT):
    """One fragment showing `parts`: from the cache, else `render()` (stored)."""
    return render_many([None], lambda _: parts, lambda _: render(), kind=kind, timeout=timeout)[0]


def render_stamped(kind, parts, render, *, stamp, timeout):
    """`render()`'s value (any picklable value: markup and what else the page needs with it)
    for a fragment that shows rows its `parts` cannot name: kept under a key built from
    `parts` and used while the stamp `stamp` (forumasia/cache.py, `bump_stamp()`) has not
    moved since it was rendered. The value and the stamp are read together (one MGET)."""
    token_key, key = stamp_key(stamp), fragment_key(kind, parts)
    found = cache.get_many([token_key, key])
    token = found.get(token_key) or current_token(token_key)
    entry = found.get(key)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = render()
    cache.set(key, (token, value), timeout=timeout)
    return value
