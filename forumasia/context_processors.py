from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _

from .sites import site_origin

SITE_DESCRIPTION = _(
    "A network of human rights organisations across Asia: joint statements, open letters, "
    "reports and stories."
)


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "SITE_DESCRIPTION": SITE_DESCRIPTION,
        "canonical_url": canonical_url(request),
    }


def canonical_url(request):
    """The page's absolute address on its site (SITE_URL, or the sub-site's origin), without
    query parameters: filters and tracking are variations of the same page. Paginated pages
    add the page they show (base.html, `with_page`), as their view read it: nothing here reads
    the query string. A page that is a copy of the main site's (a publication's, a member's
    on a sub-site) names the main site's instead (`main_site_url()`, from its view)."""
    return site_origin(request) + iri_to_uri(request.path)
