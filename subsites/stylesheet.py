"""A sub-site's accent colour as a stylesheet at its own address (/sites/<slug>/accent.css, or
/accent.css on its host).

The public pages' Content-Security-Policy is `style-src 'self'`: no inline <style>, no style
attribute. A colour chosen in the admin can be any #rrggbb, which no class in a static
stylesheet can hold, and CSS cannot yet read a colour from a data attribute in every browser.
So the colour comes from this tiny stylesheet of the same origin: it sets one custom property
(`--sub-site-accent`); static/css/subsites.css applies it to links, buttons and the header.
"""

from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .models import COLOUR

# Pages link it with `?v=<time of the sub-site's last save>` (subsites/context_processors.py):
# a new colour is a new address, so the old one may be kept for a year.
YEAR = 365 * 24 * 60 * 60


@require_GET
@cache_control(public=True, max_age=YEAR, immutable=True)
def accent_stylesheet(request):
    sub_site = getattr(request, "sub_site", None)
    if sub_site is None:
        raise Http404("The main site has no accent stylesheet.")
    # Checked again here, not only by the admin's validator: whatever reaches this response is
    # CSS, and only a colour may.
    colour = sub_site.accent_colour if COLOUR.fullmatch(sub_site.accent_colour) else ""
    body = f":root {{ --sub-site-accent: {colour}; }}\n" if colour else ""
    return HttpResponse(body, content_type="text/css; charset=utf-8")
