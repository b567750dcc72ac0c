"""The interface's language is the address's: /th/… and /id/… (English unprefixed, so every
address the site ever had still answers), through `i18n_patterns(prefix_default_language=False)`
in forumasia/urls.py.

No language cookie, no redirect on Accept-Language: a page's address alone says what it holds,
so the page cache (forumasia/cache.py), nginx's and a CDN's can key on the address, and an
anonymous page sets no cookie at all.
"""

from dataclasses import dataclass

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.sitemaps import Sitemap
from django.middleware.locale import LocaleMiddleware
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri

from .sites import site_origin

# How each interface language names itself, as publications' LANGUAGE_AUTONYMS do (Django's
# own name for Thai is "ภาษาไทย", "the Thai language").
AUTONYMS = {"th": "ไทย"}


class AddressLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware without `Vary: Accept-Language`. With the default language
    unprefixed, Django takes the language from the address alone (an unprefixed address is
    always LANGUAGE_CODE: `LocaleMiddleware.process_request`) and never redirects (that needs a
    prefixed default language), yet marks every unprefixed response as varying on the header:
    nginx's cache (deploy/nginx) and a CDN would keep one identical copy per browser
    language."""

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def autonym(code):
    return AUTONYMS.get(code) or LANG_INFO[code]["name_local"]


@dataclass(frozen=True)
class LanguageVersion:
    """A page in one interface language: its code, its name in itself, its address (a path)
    and whether it is the page being shown."""

    code: str
    name: str
    path: str
    is_current: bool
    origin: str = settings.SITE_URL

    @property
    def url(self):
        return self.origin + iri_to_uri(self.path)


def path_in(request, code):
    """The address of the page `request` asked for, in the language `code`: the route reversed
    in it (an unprefixed route, such as a feed, stays as it is). No query string: a cached page
    is shared by every visitor, and links built from a raw query would pass one visitor's
    parameters to all."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return request.path
    with translation.override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return request.path


def language_versions(request, suffix=""):
    """[LanguageVersion] of the page `request` asked for, one per interface language
    (settings.LANGUAGES, in that order), on its site (a sub-site's addresses are on its
    origin); `suffix` ("?page=2") is added to each address."""
    current = translation.get_language()
    origin = site_origin(request)
    return [
        LanguageVersion(
            code, autonym(code), path_in(request, code) + suffix, code == current, origin
        )
        for code, _name in settings.LANGUAGES
    ]


class LanguagesSitemap(Sitemap):
    """A sitemap section that lists each address once per interface language, each entry with
    every language's address and the English one as x-default (`xhtml:link hreflang`): Django's
    own i18n sitemap."""

    i18n = True
    alternates = True
    x_default = True
