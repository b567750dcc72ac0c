"""The page in each interface language: the language switcher and the `hreflang` alternates
(forumasia/locale.py)."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.encoding import iri_to_uri

from forumasia.locale import language_versions
from forumasia.sites import main_site_urls

register = template.Library()


def page_suffix(context):
    """`?page=N` beyond the first page, as the canonical address has it (site_meta's
    `canonical_page_url`): the page the view read from its form, never the raw query."""
    number = getattr(context.get("page_obj"), "number", 1)
    return f"?page={number}" if number > 1 else ""


@register.simple_tag(takes_context=True)
def page_languages(context):
    """[LanguageVersion] of this page, one per interface language; empty when the page has one
    address for all of them (it is not translated: an error page, the admin)."""
    request = context.get("request")
    if request is None:
        return []
    versions = language_versions(request, page_suffix(context))
    # A sub-site's pages exist only in the languages it offers (subsites/routing.py).
    sub_site = getattr(request, "sub_site", None)
    if sub_site is not None:
        versions = [version for version in versions if sub_site.offers(version.code)]
    return versions if len({version.path for version in versions}) > 1 else []


def absolute(path):
    return settings.SITE_URL + iri_to_uri(path)


@register.simple_tag(takes_context=True)
def publication_alternates(context, publication, translations):
    """[(hreflang, absolute URL)] of a publication's page: each translation (the publication
    itself included) under its own language, in that language's interface where the site has
    one; then the interface languages it has no translation in, as this page in that
    interface; x-default the English one, else the original. Always the main site's addresses,
    which a sub-site's copy names as canonical too (forumasia/sites.py)."""
    interface = {code for code, _name in settings.LANGUAGES}
    members = [publication, *translations]
    links = {}
    with main_site_urls():
        for member in members:
            shown_in = member.language if member.language in interface else settings.LANGUAGE_CODE
            with translation.override(shown_in):
                links[member.language] = absolute(member.get_absolute_url())
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                links.setdefault(code, absolute(publication.get_absolute_url()))
        by_language = {member.language: member for member in members}
        default = by_language.get(settings.LANGUAGE_CODE) or next(
            (member for member in members if not member.translation_of_id), publication
        )
        with translation.override(settings.LANGUAGE_CODE):
            links["x-default"] = absolute(default.get_absolute_url())
    return list(links.items())


@register.simple_tag
def language_prefix():
    """The start of every address in the page's language: "/" in English, "/th/" in Thai. For
    templates of an app that may not name the routes it links to (a newsletter page's link
    home)."""
    language = translation.get_language()
    prefix = get_script_prefix()
    return prefix if language == settings.LANGUAGE_CODE else f"{prefix}{language}/"
