"""The project's addresses with the language in front (/th/…, /id/…; English unprefixed), as
issue 22 routes them, for tests of the newsletter in a language. Once forumasia.urls routes by
language itself, its own patterns are used as they are (i18n_patterns cannot be nested)."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import LocalePrefixPattern

from forumasia import urls

if any(isinstance(getattr(p, "pattern", None), LocalePrefixPattern) for p in urls.urlpatterns):
    urlpatterns = urls.urlpatterns
else:
    urlpatterns = i18n_patterns(*urls.urlpatterns, prefix_default_language=False)
