"""The public archive of sent issues: each issue's web version, the archive page, and the
newsletter's sign-up page with the latest issues.

Only `Issue.objects.sent()` is ever shown (any other status is a 404), in the page's language
(`issue.variant()`: else English), with the items whose publications are still public now.
Nothing about who received an issue, or how many, is read: no delivery, no list, no count.
Pages are cached for anonymous visitors like every public page (forumasia/cache.py); the
sign-up page carries a CSRF-protected form and so is never cached: a newly sent issue is on
it at once.
"""

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from forumasia.cache import cache_anonymous_page
from newsletter.views import SubscribeView
from publications.models import Publication, attach_other_languages

from .models import Issue, IssueItem


def in_page_language(issues):
    """[(issue, its variant in the page's language, else English)] of `issues` (whose variants
    are prefetched: `Issue.objects.archive()`); an issue without any variant is left out."""
    language = translation.get_language()
    pairs = ((issue, issue.variant(language)) for issue in issues)
    return [(issue, variant) for issue, variant in pairs if variant is not None]


def public_items(issue):
    """The publications of `issue` in its order, as cards show them, leaving out those that
    are not public now (unpublished since it was sent); each with its other languages. Two
    queries, whatever the number of items."""
    position = IssueItem.objects.filter(issue=issue, publication=OuterRef("pk"))
    publications = (
        Publication.objects.published()
        .for_cards()
        .annotate(
            issue_position=Subquery(position.values("position")[:1]),
            issue_item=Subquery(position.values("pk")[:1]),
        )
        .filter(issue_item__isnull=False)
        .order_by("issue_position", "issue_item")
    )
    return attach_other_languages(publications)


@cache_anonymous_page()
def issue(request, slug):
    """A sent issue's web version ("view in your browser" in every message): its subject,
    when it was sent, its introduction and its items as cards."""
    found = get_object_or_404(Issue.objects.archive(), slug=slug)
    variant = found.variant(translation.get_language())
    if variant is None:
        raise Http404("This issue has no text.")
    context = {"issue": found, "variant": variant, "publications": public_items(found)}
    return render(request, "mailings/issue.html", context)


@cache_anonymous_page()
def archive(request):
    """Every sent issue, newest first (about twelve a year: one page)."""
    entries = in_page_language(Issue.objects.archive())
    return render(request, "mailings/archive.html", {"entries": entries})


class NewsletterPageView(SubscribeView):
    """/newsletter/: the newsletter app's sign-up page, GET and POST, with the latest sent
    issues in its `archive` block (`{% latest_issues %}` in mailings/newsletter.html).

    Routed here, before the newsletter's own URLs, because the newsletter app must not know
    about issues (it is below mailings); subclassing keeps its behaviour, its form and its
    name (`newsletter:subscribe` still reverses to this address)."""

    template_name = "mailings/newsletter.html"
