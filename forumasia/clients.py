"""Who is asking: the client's address, as far as our own proxies vouch for it."""

import ipaddress

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or with TRUSTED_PROXIES = n the address the n-th proxy from us saw.

    Each proxy appends the address it saw to X-Forwarded-For, so only the last n entries were
    written by our own proxies; a client can put anything before them. An entry that is not an
    address (a miscounted chain) is not trusted either: REMOTE_ADDR is used instead.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [part.strip() for part in forwarded if part.strip()]
        if len(forwarded) >= proxies:
            try:
                return str(ipaddress.ip_address(forwarded[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")
