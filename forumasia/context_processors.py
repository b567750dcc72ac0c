from django.conf import settings
from django.utils.encoding import iri_to_uri

SITE_DESCRIPTION = (
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
    """The page's absolute address on SITE_URL: the path, plus `page` beyond the first page.
    Other query parameters (filters, tracking) are variations of the same page."""
    url = settings.SITE_URL + iri_to_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and page.isascii() and int(page) > 1:
        url += f"?page={int(page)}"
    return url
