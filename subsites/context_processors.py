"""What every page of a sub-site shows around its content (base.html, includes/sub_site_*.html):
the sub-site itself and its lists in the navigation. Nothing is looked up: the sub-site comes
from the routing's directory, its mailing list with it (subsites/routing.py)."""

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
    return {"sub_site": current, "sub_site_lists": lists_of(current)}


def lists_of(current):
    """[{"label", "route"}] of the lists a sub-site links to: all its publications, then one per
    type it shows (every type when it chose none). Templates reverse the routes with the
    sub-site's URLconf, so the links stay on it."""
    types = current.publication_types
    return [
        {
            "label": gettext("Publications")
            if kind is None
            else Publication.Type(kind).plural_label,
            "route": route,
        }
        for kind, route in LISTS
        if kind is None or not types or kind in types
    ]
