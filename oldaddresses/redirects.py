"""Old WordPress addresses, answered with a 301 to where the content lives now.

`parse_old_address()` says what an address of the old site was (a pure function);
`find_new_url()` looks it up among the imported items, categories, tags and files (a date
archive leads to the year's list). The middleware (oldaddresses/middleware.py) asks only for
`/` with `?p=`/`?page_id=` and for addresses that would otherwise be a 404, so current pages
never pay for this and never change: an old address that is also a page of the new site
stays that page.

Targets are the objects' current addresses (an editor may rename a slug after the import);
a publication or page that is not public is not redirected to (its address would be a 404
anyway), and a target equal to the address asked for is never returned, so there is no loop.

Each request is answered from the rows of the sites it may speak for (`sites_answered()`): a
sub-site's own host from the WordPress sites imported into a sub-site whose old host it is,
the main site from every other import. Addresses are those of the site the request is for:
objects' addresses are reversed with the request's URLconf (a sub-site's, subsites/routing.py),
and the stored and fixed ones (a term's list, feeds, a year) are the main site's paths, read
back as the same page of the request's site (`on_this_site()`).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.urls import NoReverseMatch, Resolver404, get_urlconf, resolve, reverse

from forumasia.files import owned_files
from publications.models import Publication

from .models import ImportedItem, ImportedMedia, ImportedTerm, SubSiteSource, bare_host

POST_PATH = re.compile(r"^/(?:(\d{4})/(\d{2})/(?:(\d{2})/)?)?([^/]+)/?$")
TERM_PATH = re.compile(r"^/(category|tag)/(?:[^/]+/)*?([^/]+)/?(feed/?)?$")
YEAR_PATH = re.compile(r"^/(\d{4})(?:/\d{2}){0,2}/?$")
FEED_PATH = re.compile(r"^/feed(?:/(rss|rss2|atom|rdf))?/?$")
UPLOADS_PATH = re.compile(r"^/wp-content/uploads/(.+)$")
WP_ID = re.compile(r"^\d{1,18}$")
FEEDS = {"atom": "/feeds/atom/"}
RSS_FEED = "/feeds/rss/"
PUBLICATION_LIST = "/publications/"
TYPE_FEEDS = {
    "/statements/": "statement",
    "/letters/": "letter",
    "/reports/": "report",
    "/stories/": "story",
}
# WordPress's resized copies: photo-300x200.jpg, and since 5.3 photo-scaled.jpg.
RESIZED = re.compile(r"-(?:\d+x\d+|scaled)(?=\.[A-Za-z0-9]+$)")


@dataclass(frozen=True)
class OldAddress:
    kind: str  # "post", "term", "feed", "media" or "year"
    name: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    taxonomy: str = ""
    feed: bool = False


def parse_old_address(path):
    """What `path` was on a WordPress site, or None for nothing we know."""
    if not path.startswith("/") or "\x00" in path:
        return None
    found = FEED_PATH.match(path)
    if found:
        return OldAddress("feed", name=found.group(1) or "rss")
    found = YEAR_PATH.match(path)
    if found:
        return OldAddress("year", year=int(found.group(1)))
    found = UPLOADS_PATH.match(path)
    if found:
        relative = clean_relative(found.group(1))
        return OldAddress("media", name=relative) if relative else None
    found = TERM_PATH.match(path)
    if found:
        taxonomy = "category" if found.group(1) == "category" else "post_tag"
        return OldAddress(
            "term", name=found.group(2).lower(), taxonomy=taxonomy, feed=bool(found.group(3))
        )
    found = POST_PATH.match(path)
    if found:
        year, month, day, name = found.groups()
        return OldAddress(
            "post",
            name=name.lower(),
            year=int(year) if year else None,
            month=int(month) if month else None,
            day=int(day) if day else None,
        )
    return None


def clean_relative(path):
    """A safe relative path ('2019/05/a.pdf') or None: no '..', no hidden or empty parts."""
    segments = (path or "").replace("\\", "/").split("/")
    if not segments or any(s in ("", ".", "..") or s.startswith(".") for s in segments):
        return None
    if any("\x00" in segment for segment in segments):
        return None
    return "/".join(segments)


def feed_for(list_url):
    """The feed that follows the same filter as a list address."""
    parts = urlsplit(list_url)
    if parts.path in TYPE_FEEDS:
        return f"{RSS_FEED}?{urlencode({'type': TYPE_FEEDS[parts.path]})}"
    query = [(k, v) for k, v in parse_qsl(parts.query) if k in ("type", "country", "tag")]
    return RSS_FEED + (f"?{urlencode(query)}" if query else "")


def sites_answered(request):
    """A filter on `site_url`: the imported sites whose old addresses `request` is answered
    from. On a sub-site's own host (`request.sub_site`, set by the sub-sites' routing), the
    sites imported into a sub-site with that old host; anywhere else, every site but those: a
    sub-site's `/?p=12` is not the main site's."""
    sub_site_sources = SubSiteSource.objects.values("site_url")
    host = bare_host(request.get_host())
    sub_site = getattr(request, "sub_site", None)
    if sub_site is not None and sub_site.host and bare_host(sub_site.host) == host:
        return Q(site_url__in=sub_site_sources.filter(old_host=host))
    return ~Q(site_url__in=sub_site_sources)


def on_this_site(target, *, urlconf=None):
    """`target`, a path of the main site's (stored, or one of the fixed ones above), as the
    same page's path on the site of `urlconf` (default: the one being answered; a sub-site's
    during its requests). Anything that is not one of the main site's pages (a file) is
    returned as it is."""
    urlconf = urlconf or get_urlconf()
    if urlconf is None or urlconf == settings.ROOT_URLCONF:
        return target
    parts = urlsplit(target)
    try:
        match = resolve(parts.path, urlconf=settings.ROOT_URLCONF)
        path = reverse(match.view_name, args=match.args, kwargs=match.kwargs, urlconf=urlconf)
    except (Resolver404, NoReverseMatch):
        return target
    return urlunsplit(("", "", path, parts.query, ""))


def _public_url(record):
    if record.publication is not None:
        return record.publication.get_absolute_url() if record.publication.is_public else None
    if record.page is not None:
        return on_this_site(record.page.get_absolute_url()) if record.page.is_public else None
    return None


def _best(records, host):
    """Of items with the same id or name from several imported sites, the one of this host."""
    for record in records:
        if host and host in record.site_url:
            return record
    return records[0] if records else None


def url_for_wordpress_id(wp_id, *, host="", sites=None):
    """`/?p=ID` or `/?page_id=ID`: the new address, or None. `sites` (`sites_answered()`)
    narrows the imported sites looked in."""
    if not WP_ID.match(wp_id or ""):
        return None
    found = ImportedItem.objects.filter(sites or Q(), wp_id=int(wp_id))
    records = list(found.select_related("publication", "page")[:5])
    record = _best(records, host)
    return _public_url(record) if record else None


def _post_url(address, host, sites):
    found = ImportedItem.objects.filter(sites, name=address.name)
    records = list(found.select_related("publication", "page")[:20])
    if address.year is not None:
        dated = [
            record
            for record in records
            if record.post_date
            and record.post_date.year == address.year
            and record.post_date.month == address.month
            and (address.day is None or record.post_date.day == address.day)
        ]
        records = dated or records
    record = _best(records, host)
    return _public_url(record) if record else None


def _media_url(sources, sites):
    """Where a copy of the old file anyone may fetch is: its public upload, else a copy of a
    publication that is public now (a copy of a draft's file is not named to anyone)."""
    copies = ImportedMedia.objects.filter(sites, source__in=sources).order_by("pk")
    public = copies.filter(publication__isnull=True).values_list("stored_name", flat=True).first()
    if public:
        return default_storage.url(public)
    owned = copies.filter(publication__in=Publication.objects.published())
    name = owned.values_list("stored_name", flat=True).first()
    return owned_files.url(name) if name else None


def find_new_url(path, *, host="", sites=None):
    """The new address for an old one that is a 404 here, or None. `sites`
    (`sites_answered()`) narrows the imported sites looked in."""
    address = parse_old_address(path)
    if address is None:
        return None
    sites = sites or Q()
    if address.kind == "feed":
        target = on_this_site(FEEDS.get(address.name, RSS_FEED))
    elif address.kind == "year":
        target = on_this_site(f"{PUBLICATION_LIST}?{urlencode({'year': address.year})}")
    elif address.kind == "media":
        sources = list(dict.fromkeys((address.name, RESIZED.sub("", address.name))))
        target = _media_url(sources, sites)
    elif address.kind == "term":
        term = ImportedTerm.objects.filter(
            sites, taxonomy=address.taxonomy, slug=address.name
        ).first()
        target = None
        if term is not None:
            target = on_this_site(feed_for(term.redirect_to) if address.feed else term.redirect_to)
    else:
        target = _post_url(address, host, sites)
    if target is None or urlsplit(target).path == path:
        return None
    return target
