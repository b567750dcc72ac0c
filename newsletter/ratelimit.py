"""Rate limit per client on requests that send email (sign-ups, fresh links), kept in
Django's cache (shared by all app servers via Redis).

The client's address is only ever used as a keyed hash inside a short-lived cache key: it is
never written to the database or logs.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from forumasia.clients import client_address

# One IPv6 client holds a whole /64 (a home line, a phone's network; RFC 4291's interface
# identifiers, privacy addresses that change every day): counting single addresses would give
# it 2^64 limits. IPv4 clients are counted per address.
IPV6_CLIENT_PREFIX = 64


def client_key(address: str) -> str:
    """What one client is counted by: its IPv4 address, or the /64 of its IPv6 address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)


def allow_mail_request(request):
    """Count this request that may send an email (a sign-up, a fresh link); False once the
    client has used up its attempts for the window."""
    limit = settings.NEWSLETTER_SIGNUP_LIMIT
    window = settings.NEWSLETTER_SIGNUP_WINDOW_SECONDS
    digest = salted_hmac("newsletter.ratelimit", client_key(client_address(request))).hexdigest()[
        :32
    ]
    key = f"newsletter:signup:{digest}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit
