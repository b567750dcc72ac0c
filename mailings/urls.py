"""The newsletter's pages that show issues, in every language (forumasia/urls.py mounts them
under /newsletter/, before the newsletter app's own addresses):

- /newsletter/: the sign-up page (newsletter.views.SubscribeView, GET and POST) with the
  latest sent issues under the form;
- /newsletter/archive/: every sent issue;
- /newsletter/<slug>/: a sent issue's web version.

An issue whose slug is the first part of one of the newsletter's own addresses ("start",
"confirm"...) or of this app's ("archive") would hide it, so the issue route does not take
those words (`ISSUE_SLUGS_TAKEN`): the request falls through to the route that owns it.
"""

from django.urls import path, register_converter

from newsletter import urls as newsletter_urls

from . import views

app_name = "mailings"

ISSUE_SLUGS_TAKEN = frozenset(
    {str(pattern.pattern).split("/")[0] for pattern in newsletter_urls.urlpatterns} - {""}
) | {"archive"}


class IssueSlugConverter:
    """Django's `slug`, but not one of ISSUE_SLUGS_TAKEN (a ValueError makes the resolver try
    the next route)."""

    regex = "[-a-zA-Z0-9_]+"

    def to_python(self, value):
        if value in ISSUE_SLUGS_TAKEN:
            raise ValueError(value)
        return value

    def to_url(self, value):
        return value


register_converter(IssueSlugConverter, "issue_slug")

urlpatterns = [
    path("", views.NewsletterPageView.as_view(), name="newsletter"),
    path("archive/", views.archive, name="archive"),
    path("<issue_slug:slug>/", views.issue, name="issue"),
]
