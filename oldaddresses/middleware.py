from django.urls import set_urlconf

from forumasia.redirects import local_redirect

from .redirects import find_new_url, sites_answered, url_for_wordpress_id

WORDPRESS_QUERY = ("p", "page_id")


class WordPressRedirectMiddleware:
    """301s for the old WordPress site's addresses (oldaddresses/redirects.py).

    Acts only on `/?p=ID` / `/?page_id=ID` — before the view, so the home page's cache (keyed
    without `p`) never answers them — and on responses that are a 404. Every other request
    passes through untouched, without a query. Listed above Django's redirects middleware, so
    a redirect an editor made in the admin wins over an automatic one.

    A sub-site's own host answers the old addresses of the WordPress site imported into it
    (on its old host, now the sub-site's), the main site those of every other import
    (redirects.py, `sites_answered()`).

    Targets are stored addresses (an imported page's, a term's): only a path on this site (or a
    file in the media storage) is answered; anything else leaves the request as it was (the
    home page, the 404), logged (forumasia/redirects.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        urlconf = getattr(request, "urlconf", None)
        if urlconf is not None:
            # New addresses are the request's site's (a sub-site's URLconf): Django sets it
            # only when it resolves the view, after the `?p=` answer below.
            set_urlconf(urlconf)
        if request.method in ("GET", "HEAD") and request.path == "/":
            for name in WORDPRESS_QUERY:
                if name in request.GET:
                    target = url_for_wordpress_id(
                        request.GET[name], host=request.get_host(), sites=sites_answered(request)
                    )
                    redirect = target and self.redirect(request, target)
                    if redirect:
                        return redirect
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            target = find_new_url(
                request.path, host=request.get_host(), sites=sites_answered(request)
            )
            redirect = target and self.redirect(request, target)
            if redirect:
                return redirect
        return response

    @staticmethod
    def redirect(request, target):
        return local_redirect(request, target, source="old WordPress address", media=True)
