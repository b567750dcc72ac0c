"""The client's address is taken from X-Forwarded-For only as far as our own proxies wrote it."""

import pytest
from django.test import RequestFactory

from forumasia.clients import client_address


def request(remote="10.0.0.2", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.5", "10.0.0.2"),  # no proxy of ours: the header is the client's own
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "192.0.2.99, 203.0.113.5", "203.0.113.5"),  # a forged first entry is ignored
        (2, "192.0.2.99, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, None, "10.0.0.2"),  # the proxy sent nothing
        (2, "203.0.113.5", "10.0.0.2"),  # fewer entries than proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, "203.0.113.5\x00", "10.0.0.2"),
        (1, ", ,", "10.0.0.2"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies

    assert client_address(request(forwarded=forwarded)) == expected
