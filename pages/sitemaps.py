"""Every public section registers its sitemap here; all of them are built from the public
querysets (`published()`, `active()`), never from `objects.all()`.

A section page lists up to 5,000 addresses. Django's sitemap.xml template spends about a
millisecond per address (a variable lookup, an escape and a localised date filter for each
field); `section_response()` writes the same bytes with plain string operations instead
(tests/pages/test_sitemaps.py compares the two), so a cold section costs its one query."""

import datetime
import html

from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.shortcuts import get_current_site
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_spaces_between_tags
from django.utils.http import http_date

from forumasia.forms import MAX_PAGE, NumberParameter, QueryForm
from forumasia.locale import LanguagesSitemap
from mailings.sitemaps import IssueSitemap
from members.sitemaps import CountrySitemap, MemberSitemap
from publications.sitemaps import PublicationSitemap

from .models import Page
from .paths import PAGE_ROUTE


class SectionSitemap(LanguagesSitemap):
    """The home page and the section pages (publication types, member directory)."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [
            "home",
            "publications:publication-list",
            "publications:statement-list",
            "publications:letter-list",
            "publications:report-list",
            "publications:story-list",
            "members:member-list",
            "mailings:archive",
        ]

    def location(self, item):
        return reverse(item)


class PageSitemap(LanguagesSitemap):
    """Public editorial pages (`Page.objects.published()`), at their addresses (written in
    letters of any script: encoded as a URI), with the language prefix."""

    def items(self):
        return Page.objects.published().order_by("path").only("path", "updated_at")

    def location(self, page):
        return reverse(PAGE_ROUTE, kwargs={"url": page.path[1:]})

    def lastmod(self, page):
        return page.updated_at


sitemaps = {
    "sections": SectionSitemap,
    "pages": PageSitemap,
    "members": MemberSitemap,
    "countries": CountrySitemap,
    "publications": PublicationSitemap,
    "newsletter": IssueSitemap,
}


class SitemapPageForm(QueryForm):
    """A sitemap section's one parameter: its page `p` (5,000 URLs each)."""

    p = NumberParameter(min_value=1, max_value=MAX_PAGE)

    def clean_p(self):
        return self.cleaned_data["p"] or 1


# --- a section's XML -----------------------------------------------------------------------------

URLSET_START = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
URLSET_END = "\n</urlset>\n"


def sitemap_date(value, zone=None):
    """`{{ value|date:"Y-m-d" }}`: an aware time as the date in the current time zone (`zone`,
    when the caller looked it up already)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = value.astimezone(zone or timezone.get_current_timezone())
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def render_urlset(urls):
    """What django/contrib/sitemaps/templates/sitemap.xml renders for `urls` (the dicts of
    `Sitemap.get_urls()`): the same escaping (`html.escape`, as Django's `escape`), dates and
    `{% spaceless %}`."""
    escape, zone = html.escape, timezone.get_current_timezone()
    # Change frequency and priority are usually the same for every address: escaped once.
    constants = {}

    def constant(value):
        if value not in constants:
            constants[value] = escape(str(value))
        return constants[value]

    parts = []
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{sitemap_date(url['lastmod'], zone)}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{constant(url['changefreq'])}</changefreq>")
        if url["priority"]:
            parts.append(f"<priority>{constant(url['priority'])}</priority>")
        for alternate in url["alternates"]:
            parts.append(
                f'<xhtml:link rel="alternate" hreflang="{escape(str(alternate["lang_code"]))}" '
                f'href="{escape(alternate["location"])}"/>'
            )
        parts.append("</url>")
    return URLSET_START + strip_spaces_between_tags("".join(parts)) + URLSET_END


@x_robots_tag
def section_response(request, sitemaps, section):
    """django.contrib.sitemaps.views.sitemap for one section (same 404s, headers and bytes),
    written by `render_urlset()`."""
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]
    if callable(site):
        site = site()
    try:
        urls = site.get_urls(
            page=request.GET.get("p", 1), site=get_current_site(request), protocol=request.scheme
        )
    except EmptyPage as error:
        raise Http404(f"Page {request.GET.get('p', 1)} empty") from error
    except PageNotAnInteger as error:
        raise Http404(f"No page '{request.GET.get('p', 1)}'") from error
    response = HttpResponse(render_urlset(urls), content_type="application/xml")
    lastmod = getattr(site, "latest_lastmod", None)
    if lastmod is not None:
        if not isinstance(lastmod, datetime.datetime):
            lastmod = datetime.datetime.combine(lastmod, datetime.time.min)
        if timezone.is_naive(lastmod):
            lastmod = timezone.make_aware(lastmod, datetime.UTC)
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response
