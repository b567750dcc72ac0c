"""Signed links in newsletter emails.

Tokens are signed with the site's SECRET_KEY (django.core.signing), so they cannot be forged
or altered; they carry only a subscriber id and a keyed digest, never the address itself
(signed payloads are readable base64).
"""

from datetime import timedelta

from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "newsletter.confirm"
MANAGE_SALT = "newsletter.manage"
CONFIRMATION_MAX_AGE = timedelta(days=7)


class TokenInvalid(Exception):
    """Tampered, unknown, or no longer applicable."""


class TokenExpired(TokenInvalid):
    """Genuine but older than it may be."""


def _address_digest(email):
    return salted_hmac(MANAGE_SALT, email.lower()).hexdigest()[:16]


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
    """No expiry: manage and unsubscribe links in old emails must keep working."""
    return signing.dumps(
        {"s": subscriber.pk, "h": _address_digest(subscriber.email)}, salt=MANAGE_SALT
    )


def read_manage_token(token):
    """Return (subscriber id, address digest); raises TokenInvalid."""
    try:
        data = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature as error:
        raise TokenInvalid from error
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenInvalid
    return data["s"], str(data.get("h", ""))


def digest_matches(subscriber, digest):
    return constant_time_compare(_address_digest(subscriber.email), digest)
