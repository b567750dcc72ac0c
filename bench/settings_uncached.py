"""Production settings with every cache turned into a no-op: the "uncached" column.

Identical to forumasia.settings (debug off, whitenoise, the same middleware) except that
`cache.get()` always misses, so each request does all of its work, as the first visitor after
a deploy or a purge would. Used only by bench/run.py.
"""

from forumasia.settings import *  # noqa: F403

CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    for alias in ("default", "template_fragments")
}
