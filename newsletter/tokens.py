"""Signed links in newsletter emails.

Tokens are signed with the site's SECRET_KEY (django.core.signing), so they cannot be forged
or altered; they carry only a subscriber id and a keyed digest, never the address itself
(signed payloads are readable base64).
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "newsletter.confirm"
MANAGE_SALT = "newsletter.manage"
CONFIRMATION_MAX_AGE = timedelta(days=7)


class TokenInvalid(Exception):
    """Tampered, unknown, or no longer applicable."""


class TestLinkToken(TokenInvalid):
    """Genuine, but signed for no subscriber: the manage and unsubscribe links of a test message
    (mailings' test sends), which must open a page and change nobody's subscription."""


class TokenExpired(TokenInvalid):
    """Genuine but older than it may be. For a manage token, whose it was: the subscriber id
    and address digest it carries (its signature is good, so they are ours)."""

    def __init__(self, subscriber_id=None, digest=""):
        super().__init__()
        self.subscriber_id = subscriber_id
        self.digest = digest


def _address_digest(email, secret=None):
    return salted_hmac(MANAGE_SALT, email.lower(), secret=secret).hexdigest()[:16]


def confirmation_token(signup_request):
    return signing.dumps(
        {"s": signup_request.subscriber_id, "r": signup_request.round}, salt=CONFIRM_SALT
    )


def read_confirmation_token(token):
    """Return (subscriber id, round); raises TokenExpired or TokenInvalid."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise TokenExpired from error
    except signing.BadSignature as error:
        raise TokenInvalid from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenInvalid
    return data["s"], data.get("r")


def manage_token(subscriber):
    """For the manage and unsubscribe links: the views give each its own lifetime."""
    return signing.dumps(
        {"s": subscriber.pk, "h": _address_digest(subscriber.email)}, salt=MANAGE_SALT
    )


def _manage_data(data):
    if isinstance(data, dict) and "s" in data and data["s"] is None:
        raise TestLinkToken
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenInvalid
    return data["s"], str(data.get("h", ""))


def read_manage_token(token, *, max_age):
    """Return (subscriber id, address digest); raises TokenExpired when older than `max_age`
    (carrying both), TokenInvalid when not genuine."""
    try:
        return _manage_data(signing.loads(token, salt=MANAGE_SALT, max_age=max_age))
    except signing.SignatureExpired:
        subscriber_id, digest = _manage_data(signing.loads(token, salt=MANAGE_SALT))
        raise TokenExpired(subscriber_id, digest) from None
    except signing.BadSignature as error:
        raise TokenInvalid from error


def digest_matches(subscriber, digest):
    # A link mailed before a key rotation carries a digest made with a key now among the
    # fallbacks, as its signature is (django.core.signing reads those too).
    return any(
        constant_time_compare(_address_digest(subscriber.email, key), digest)
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )
