"""Every public section registers its sitemap here; all of them are built from the public
querysets (`published()`, `active()`), never from `objects.all()`.

A section page lists up to 5,000 addresses. Django's sitemap.xml template spends about a
millisecond per address (a variable lookup, an escape and a localised date filter for each
field); `section_response()` writes the same bytes with plain string operations instead
(tests/pages/test_sitemaps.py compares the two), so a cold section costs its one query.

A sub-site's sitemap.xml lists its own few addresses (`SubSiteSitemap`) in one urlset, on its
own origin; the main site's sections are the main site's (a sub-site has none of them: its
copies of publications name the main site's address as canonical)."""

import datetime
import html

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
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
from publications.models import Publication
from publications.sitemaps import PublicationSitemap
from subsites.routing import urlconf_for

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
    """The main site's public editorial pages (`Page.objects.published()`; a sub-site's are in
    its own sitemap), at their addresses (written in
    letters of any script: encoded as a URI), with the language prefix."""

    def items(self):
        return Page.objects.on_site(None).published().order_by("path").only("path", "updated_at")

    def location(self, page):
        return reverse(PAGE_ROUTE, kwargs={"url": page.path[1:]})

    def lastmod(self, page):
        return page.updated_at


class SubSiteSitemap(LanguagesSitemap):
    """A sub-site's own addresses: its home, its list of publications and the list of each type
    its stream holds, and its public editorial pages, in the languages it offers, on its origin.
    No publication: each has one address, the main site's, listed in the main sitemap."""

    changefreq = "daily"
    priority = 0.6
    type_lists = {
        Publication.Type.STATEMENT: "publications:statement-list",
        Publication.Type.LETTER: "publications:letter-list",
        Publication.Type.REPORT: "publications:report-list",
        Publication.Type.STORY: "publications:story-list",
    }

    def __init__(self, sub_site):
        self.sub_site = sub_site
        self.languages = [code for code, _name in settings.LANGUAGES if sub_site.offers(code)]

    def items(self):
        stream = self.sub_site.stream(Publication.objects.published())
        types = set(stream.order_by().values_list("type", flat=True).distinct())
        lists = [name for value, name in self.type_lists.items() if value in types]
        pages = self.sub_site.pages.published().order_by("path").only("path", "updated_at")
        return ["home", "publications:publication-list", *lists, *pages]

    def location(self, item):
        urlconf = urlconf_for(self.sub_site)
        if isinstance(item, Page):
            return reverse(PAGE_ROUTE, kwargs={"url": item.path[1:]}, urlconf=urlconf)
        return reverse(item, urlconf=urlconf)

    def lastmod(self, item):
        return item.updated_at if isinstance(item, Page) else None

    def get_domain(self, site=None):
        # Its own host, else the main site's (its addresses then start with /sites/<slug>/).
        return self.sub_site.host or super().get_domain(site)


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


def index_response(request, sitemaps, sitemap_url_name):
    """/sitemap.xml: the main site's index of its sections (Django's view); a sub-site's own
    addresses, a few dozen at most, in one urlset."""
    if request.sub_site is not None:
        return urlset_response(request, SubSiteSitemap(request.sub_site), page=1)
    return sitemap_views.index(request, sitemaps, sitemap_url_name=sitemap_url_name)


def section_response(request, sitemaps, section):
    """django.contrib.sitemaps.views.sitemap for one section (same 404s, headers and bytes),
    written by `render_urlset()`."""
    if section not in sitemaps:
        raise Http404(f"No sitemap available for section: {section!r}")
    site = sitemaps[section]
    if callable(site):
        site = site()
    return urlset_response(request, site, page=request.GET.get("p", 1))


@x_robots_tag
def urlset_response(request, site, page):
    """The urlset of page `page` of the sitemap `site`, with Django's Last-Modified."""
    try:
        urls = site.get_urls(page=page, site=get_current_site(request), protocol=request.scheme)
    except EmptyPage as error:
        raise Http404(f"Page {page} empty") from error
    except PageNotAnInteger as error:
        raise Http404(f"No page '{page}'") from error
    response = HttpResponse(render_urlset(urls), content_type="application/xml")
    lastmod = getattr(site, "latest_lastmod", None)
    if lastmod is not None:
        if not isinstance(lastmod, datetime.datetime):
            lastmod = datetime.datetime.combine(lastmod, datetime.time.min)
        if timezone.is_naive(lastmod):
            lastmod = timezone.make_aware(lastmod, datetime.UTC)
        response["Last-Modified"] = http_date(lastmod.timestamp())
    return response
