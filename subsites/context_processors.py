"""What every page of a sub-site shows around its content (base.html, includes/sub_site_*.html):
the sub-site itself, its lists in the navigation, its accent stylesheet and the way back to the
main site. Nothing is looked up: the sub-site comes from the routing's directory, its mailing
list with it (subsites/routing.py)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from publications.models import Publication

# The lists in a sub-site's navigation, in the main site's order: (type or None for all, route).
LISTS = [
    (None, "publications:publication-list"),
    ("statement", "publications:statement-list"),
    ("letter", "publications:letter-list"),
    ("report", "publications:report-list"),
    ("story", "publications:story-list"),
]


def sub_site(request):
    current = getattr(request, "sub_site", None)
    if current is None:
        return {"sub_site": None}
    return {
        "sub_site": current,
        "sub_site_lists": lists_of(current),
        # The main site's home in the page's language, from the main site's own URLconf.
        "main_site_url": settings.SITE_URL + reverse("home", urlconf=settings.ROOT_URLCONF),
        # The accent colour as a stylesheet of the sub-site's own (subsites/stylesheet.py): the
        # CSP (style-src 'self') allows no inline style. Its address changes with every save,
        # so browsers may keep it for a year.
        "accent_stylesheet_url": f"{reverse('sub-site-accent')}?v={saved_at(current)}",
    }


def saved_at(current):
    return int(current.updated_at.timestamp())


def lists_of(current):
    """[{"label", "url"}] of the lists a sub-site links to: all its publications, then one per
    type it shows (every type when it chose none), each on the sub-site (its URLconf)."""
    types = current.publication_types
    return [
        {
            "label": gettext("Publications")
            if kind is None
            else Publication.Type(kind).plural_label,
            "url": reverse(route),
            "type": kind,
        }
        for kind, route in LISTS
        if kind is None or not types or kind in types
    ]
