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
rows around are read on every request (three small queries; the Related section needs the
countries and themes anyway), the attachments and the gallery only when the article is
rendered. Writes that bypass save() (`queryset.update()` in a shell) show after at most
ARTICLE_TIMEOUT, the bound whole pages have (forumasia/cache.py). A staff preview is rendered,
never kept. The page's own query still decides whether the publication is shown at all
(`published()`): a kept article of a withdrawn publication is never asked for.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import translation

from forumasia.cache import PAGE_TIMEOUT

from .models import Signature

ARTICLE_TIMEOUT = PAGE_TIMEOUT


def article_context(publication, *, is_preview):
    """What the article's fragments show and the key they are kept on."""
    prefetch_related_objects(
        [publication],
        Prefetch("signatures", queryset=Signature.objects.select_related("member", "partner")),
        "countries",
        "tags",
    )
    signatures = list(publication.signatures.all())
    tags, countries = list(publication.tags.all()), list(publication.countries.all())
    return {
        "signatures": signatures,
        "member_signatures": [signature for signature in signatures if signature.member_id],
        "partner_signatures": [signature for signature in signatures if signature.partner_id],
        "tags": tags,
        "countries": countries,
        "article_shows": (
            publication.cache_key,
            tuple(signature_shows(signature) for signature in signatures),
            tuple((country.code, country.name) for country in countries),
            tuple((tag.slug, tag.name) for tag in tags),
            translation.get_language(),
        ),
        "article_timeout": 0 if is_preview else ARTICLE_TIMEOUT,
    }


def signature_shows(signature):
    if signature.member_id:
        return ("member", signature.member_id, signature.member.updated_at.timestamp())
    partner = signature.partner
    return ("partner", partner.pk, partner.name, partner.website)
