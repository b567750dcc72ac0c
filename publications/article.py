"""The detail page's article: body, signatories, gallery, downloads, countries, themes, media
contact and share links, with the page's `article:tag` lines and its JSON-LD. Each is a
template fragment (publications/publication_detail.html, `{% cache %}`) kept on what it shows
(`article_shows`), so that a detail page rendered again after a publish takes them from the
cache instead of most of its template:

- the publication and what is saved with it: its `cache_key` (an editor's save moves
  `updated_at`; attachments, gallery images and signatures saved or deleted on their own, and
  renditions written by a task, move it too: publications/models.py);
- the rows around it that change on their own: the signatory members (by their `updated_at`),
  and what the article shows of partners, countries and themes (they have no time of change);
- the language.

An edit is a new key: nothing is purged, a stale entry is never read again and ages out. The
rows around are read on every request (three small queries, the signatures as plain values;
the Related section needs the countries and themes anyway); the signatures' model instances,
the attachments and the gallery only when the article is rendered. Writes that bypass save()
(`queryset.update()` in a shell) show after at most ARTICLE_TIMEOUT, the bound whole pages
have (forumasia/cache.py). A staff preview is rendered, never kept. The page's own query still
decides whether the publication is shown at all (`published()`): a kept article of a withdrawn
publication is never asked for.
"""

from django.db.models import prefetch_related_objects
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from forumasia.cache import PAGE_TIMEOUT

ARTICLE_TIMEOUT = PAGE_TIMEOUT


def article_context(publication, *, is_preview):
    """What the article's fragments show, and the key they are kept on. The signatures are
    keyed from plain rows; their model instances (with members and partners, up to dozens)
    are read on the first use, so not when the fragments are found."""
    prefetch_related_objects([publication], "countries", "tags")
    signed = publication.signatures.values_list(
        "member_id", "member__updated_at", "partner_id", "partner__name", "partner__website"
    )
    countries, tags = list(publication.countries.all()), list(publication.tags.all())
    signatures = SimpleLazyObject(
        lambda: list(publication.signatures.select_related("member", "partner"))
    )
    return {
        "signatures": signatures,
        "member_signatures": SimpleLazyObject(
            lambda: [signature for signature in signatures if signature.member_id]
        ),
        "partner_signatures": SimpleLazyObject(
            lambda: [signature for signature in signatures if signature.partner_id]
        ),
        "tags": tags,
        "tag_ids": [tag.pk for tag in tags],
        "country_ids": [country.pk for country in countries],
        "article_shows": (
            publication.cache_key,
            # A member by its time of change; partners, countries and themes have none.
            tuple(
                (member_id, updated_at.timestamp()) if member_id else tuple(partner)
                for member_id, updated_at, *partner in signed
            ),
            tuple((country.code, country.name) for country in countries),
            tuple((tag.slug, tag.name) for tag in tags),
            translation.get_language(),
        ),
        "article_timeout": 0 if is_preview else ARTICLE_TIMEOUT,
    }
