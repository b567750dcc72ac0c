"""One event per editorial action: `content_changed`, as Wagtail's `page_published`.

An action (saving a publication in the admin with its inlines and links, publishing a list of
them, deleting a member, a WordPress import run) notes the rows it wrote with `changed()` (and
rows it deletes with `deleting()`), as many times as it likes; the event is sent once, when the
action's transaction commits, with all of them. What reacts to it is connected here and in the
apps' `ready()`, in one place each:

- the page cache: `forumasia.cache.bump_content_version(takedown=...)`, once (this module);
- the search vectors of the publications the rows show in, once, in one UPDATE
  (publications/apps.py: `refresh_changed_vectors`);
- the members' network map (members/apps.py), drawn again from the new counts.

Arguments of `content_changed`: `rows`, a frozenset of (model label, primary key) of the rows
written ("publications.publication", "members.country", "taggit.tag"...; a deleted row keeps
the key it had); `takedown`, True when something public left the public site (unpublished,
deleted, its end date set in the past): the cache then forgets at once instead of serving the
old page while it renders the new one. An end date reached by the clock alone is no action:
cached pages end at that moment by themselves (forumasia/cache.py, `register_next_change()`).

Who sends: the services (publications/services.py, pages/services.py through
forumasia/workflow.py, members/services.py), the admin's writes of rows that have no service
(themes, partners, sub-sites: forumasia/workflow_admin.py `ChangeEventAdminMixin`), the
WordPress import (once per run), the image tasks (renditions written after the save) and
`load_demo`.

No model signal sends it. A write that bypasses these (`.save()` or `queryset.update()` in a
shell, a factory in a test) changes no search vector and no cache key: cached pages show it
after at most forumasia.cache.PAGE_TIMEOUT, and `manage.py rebuild_search_index` rewrites the
vectors. Imports no app.
"""

from django.db import router, transaction
from django.db.models.deletion import Collector
from django.dispatch import Signal

from . import cache as page_cache

content_changed = Signal()


class PendingChange:
    """The rows noted in one transaction, sent as one event when it commits (an on_commit
    callback: Django drops it, with what it holds, when the transaction rolls back)."""

    def __init__(self):
        self.rows = set()
        self.takedown = False

    def __call__(self):
        content_changed.send(
            sender=PendingChange, rows=frozenset(self.rows), takedown=self.takedown
        )


def changed(*rows, takedown=False):
    """Note that the current action wrote `rows` (model instances); `takedown`: it removed
    something from the public site. Outside a transaction the event is sent at once."""
    note({(row._meta.label_lower, row.pk) for row in rows}, takedown=takedown)


def deleting(*rows):
    """Note `rows`, about to be deleted, as a takedown, with the rows their deletion changes:
    those that rows deleted with them pointed to (a member's signatures go with it: the
    publications they were on change)."""
    if not rows:
        return
    collector = Collector(using=router.db_for_write(type(rows[0])))
    collector.collect(rows)
    # Rows without delete signals are deleted by a query (fast_deletes), not loaded: load them.
    cascaded = [
        *collector.data.items(),
        *((query.model, query) for query in collector.fast_deletes),
    ]
    gone = {(model._meta.label_lower, row.pk) for model, deleted in cascaded for row in deleted}
    parents = {
        (field.related_model._meta.label_lower, getattr(row, field.attname))
        for model, deleted in cascaded
        for field in model._meta.concrete_fields
        if field.many_to_one
        for row in deleted
    }
    note(gone | {key for key in parents if key[1] is not None}, takedown=True)


def note(keys, *, takedown):
    """`changed()` with (model label, pk) pairs."""
    connection = transaction.get_connection()
    pending = None
    if connection.in_atomic_block:
        # The callback this transaction already holds, if any (run_on_commit: Django's list
        # of (savepoint ids, callback, robust)).
        held = (call for _ids, call, _robust in connection.run_on_commit)
        pending = next((call for call in held if type(call) is PendingChange), None)
    new = pending is None
    if new:
        pending = PendingChange()
    pending.rows.update(keys)
    pending.takedown |= takedown
    if new:
        transaction.on_commit(pending)


def invalidate_pages(sender, takedown, **kwargs):
    page_cache.bump_content_version(takedown=takedown)


content_changed.connect(invalidate_pages, dispatch_uid="content-changed-pages")
