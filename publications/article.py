"""The detail page's article: body, signatories, gallery, downloads, countries, themes, media
contact and share links, with the page's `article:tag` lines and its JSON-LD. Rendered once per
content and kept as a fragment (forumasia/fragments.py), so that a detail page rendered again
after a publish reads it with one cache read instead of five queries and most of its template.

What the article shows comes from two places:
- the publication's own row: the key holds all of it (so an edit is a new key even when the
  clock stands still, and so are image renditions written by a task without a save), and
  where pages and media are served from;
- the rows around it (signatures with their members or partners, attachments, gallery images,
  countries, themes): ARTICLE_STAMP moves when an editorial action writes such a row without
  saving the publication (a member, a country, a theme or a partner renamed, a gallery image's
  renditions: publications/apps.py, on the change event), and every article is then rendered
  again once; an action that saves the publication changes its row, hence its key. Publishing
  moves no stamp: every other article stays warm.
Writes that bypass both (`queryset.update()` in a shell) show after at most ARTICLE_TIMEOUT, the
bound whole pages have too (forumasia/cache.py). A staff preview is rendered, never kept.

The page's own query still decides whether the publication is shown at all (`published()`):
a kept article of a withdrawn publication is never asked for.
"""

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe

from forumasia.cache import PAGE_TIMEOUT
from forumasia.fragments import render_stamped

from .models import Signature

ARTICLE_STAMP = "publication-article"
ARTICLE_TEMPLATE = "publications/includes/article.html"
ARTICLE_TAGS_TEMPLATE = "publications/includes/article_tags.html"
ARTICLE_JSON_LD_TEMPLATE = "publications/includes/article_json_ld.html"
ARTICLE_TIMEOUT = PAGE_TIMEOUT
# Columns of the publication the article does not show (large, or the index's).
UNSHOWN_FIELDS = {"search_vector"}


def article_parts(publication):
    return (
        # The whole row (body, image renditions written without a save, updated_at...).
        tuple(
            (field.attname, repr(getattr(publication, field.attname)))
            for field in publication._meta.concrete_fields
            if field.attname not in UNSHOWN_FIELDS
        ),
        settings.SITE_URL,
        settings.MEDIA_URL,
        # The JSON-LD names the site and its logo (a hashed static name: new with a deploy).
        settings.SITE_NAME,
        static("img/favicon.svg"),
        settings.TIME_ZONE,
        translation.get_language(),
    )


MARKUP = ("grid", "tag_lines", "json_ld")


def article(publication, *, share_links, is_preview):
    """The article's parts: {"grid", "tag_lines", "json_ld": markup; "tag_ids",
    "country_ids": what the page's Related section needs}, from the fragment cache unless
    `is_preview`."""
    if is_preview:
        parts = render_article(publication, share_links=share_links)
    else:
        parts = render_stamped(
            "article",
            article_parts(publication),
            lambda: render_article(publication, share_links=share_links),
            stamp=ARTICLE_STAMP,
            timeout=ARTICLE_TIMEOUT,
        )
    # Rendered by autoescaping templates.
    return {**parts, **{name: mark_safe(parts[name]) for name in MARKUP}}  # noqa: S308


def render_article(publication, *, share_links):
    """The article's parts (see `article()`) from the database, markup as plain strings."""
    prefetch_related_objects(
        [publication],
        Prefetch("signatures", queryset=Signature.objects.select_related("member", "partner")),
        "countries",
        "tags",
        "attachments",
        "gallery_images",
    )
    signatures = list(publication.signatures.all())
    tags, countries = list(publication.tags.all()), list(publication.countries.all())
    grid = get_template(ARTICLE_TEMPLATE).render(
        {
            "publication": publication,
            "signatures": signatures,
            "member_signatures": [signature for signature in signatures if signature.member_id],
            "partner_signatures": [signature for signature in signatures if signature.partner_id],
            "share_links": share_links,
        }
    )
    return {
        "grid": str(grid),
        "tag_lines": str(get_template(ARTICLE_TAGS_TEMPLATE).render({"tags": tags})),
        "json_ld": str(
            get_template(ARTICLE_JSON_LD_TEMPLATE).render(
                {"publication": publication, "signatures": signatures}
            )
        ),
        "tag_ids": [tag.pk for tag in tags],
        "country_ids": [country.pk for country in countries],
    }
