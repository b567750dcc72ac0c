from django.conf import settings
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _

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
    """The page's absolute address on SITE_URL (a sub-site's page: on the sub-site's origin),
    without query parameters: filters and tracking are variations of the same page. Paginated
    pages add the page they show (base.html, `with_page`), as their view read it: nothing here
    reads the query string. A publication's copy on a sub-site names the main site's address
    (publications/views.py)."""
    sub_site = getattr(request, "sub_site", None)
    origin = settings.SITE_URL if sub_site is None else sub_site.origin
    return origin + iri_to_uri(request.path)
