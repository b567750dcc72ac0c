"""Production settings (Redis cache) with the page cache off: the "after a publish" column.

Every editor's save moves the content version (forumasia/cache.py), so the next visitor of each
page meets no cached page. With PAGE_CACHE_ENABLED off every request is that visitor: the view
runs its queries and renders, while everything cached under keys that a publish does not move
stays warm: the card, filter and article fragments (`{% cache %}` in the templates), the
network map. (The list facets are kept per content version: after a real publish the first list
request recomputes them once; here they stay warm.) Used only by bench/run.py.
"""

from forumasia.settings import *  # noqa: F403

PAGE_CACHE_ENABLED = False
