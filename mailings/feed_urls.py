"""/feeds/newsletter/ and /feeds/newsletter/atom/ in English, /feeds/newsletter/<language>/
and /feeds/newsletter/<language>/atom/ in the other interface languages (English stays
unprefixed, as pages do). Named `newsletter-rss` and `newsletter-atom` without a namespace
(the `mailings` namespace is the pages'), reversed with `language=` for any language:
`{% url 'newsletter-rss' language=LANGUAGE_CODE %}`."""

from django.conf import settings
from django.urls import path, register_converter

from forumasia.cache import cache_anonymous_page

from .feeds import IssuesAtomFeed, IssuesFeed


class PrefixedLanguageConverter:
    """An interface language other than the default one (which has no prefix), checked against
    the settings when used rather than when imported."""

    regex = "[a-z]{2,3}(?:-[a-z0-9]+)*"

    def to_python(self, value):
        # DEFAULT, not settings.LANGUAGE_CODE: the unprefixed feed's language is fixed when the
        # URLconf is built, and a language other than it must reverse to its own address.
        if value == DEFAULT["language"] or value not in dict(settings.LANGUAGES):
            raise ValueError(value)
        return value

    to_url = to_python


register_converter(PrefixedLanguageConverter, "prefixed_language")

# Read by feed readers every few minutes: the same page for everyone.
rss = cache_anonymous_page()(IssuesFeed())
atom = cache_anonymous_page()(IssuesAtomFeed())
DEFAULT = {"language": settings.LANGUAGE_CODE}

urlpatterns = [
    path("", rss, DEFAULT, name="newsletter-rss"),
    path("atom/", atom, DEFAULT, name="newsletter-atom"),
    path("<prefixed_language:language>/", rss, name="newsletter-rss"),
    path("<prefixed_language:language>/atom/", atom, name="newsletter-atom"),
]
