"""The hosts the site answers: DJANGO_ALLOWED_HOSTS, and the host of a sub-site, saved in the
admin, which the current request asked for (subsites/routing.py).

Django checks every request's Host header against settings.ALLOWED_HOSTS (`get_host()`, from
the first middleware on). Sub-sites' hosts are rows, added without a restart, so the setting is
an `AllowedHosts` list: the configured hosts, then the one host the routing middleware, first
of all, found to be a sub-site's for this request (`serving_sub_site_host`). The check stays
Django's and as strict: a host that is neither configured nor a sub-site's is refused with 400.
Outside a request (checks, commands, the test runner's set-up) it is the configured list.
"""

from contextvars import ContextVar

serving_sub_site_host = ContextVar("serving_sub_site_host", default=None)


class AllowedHosts(list):
    def __iter__(self):
        yield from super().__iter__()
        host = serving_sub_site_host.get()
        if host is not None:
            yield host
