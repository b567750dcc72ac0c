"""DKIM signatures on newsletter issues sent over SMTP (dkimpy), and the check that the key
configured can be read.

Gmail and Yahoo require bulk mail to be DKIM-signed by a domain aligned with From, and RFC 8058
requires the signature to cover both unsubscribe headers (so that no one on the way can point
the one-click unsubscribe elsewhere). The key is read once per process; the DNS records that go
with it are in the README ("Sending the newsletter: DNS records").
"""

import binascii
import functools

import dkim
from django.conf import settings
from django.core import checks
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

# relaxed/relaxed: a relay that re-folds a header or changes trailing white space does not break
# the signature.
CANONICALIZATION = (b"relaxed", b"relaxed")
SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
    b"mime-version",
    b"content-type",
)
# Listed once more than they occur ("over-signed", RFC 6376 section 8.15): a second header of
# one of these names added on the way (another From, another unsubscribe address) breaks the
# signature instead of being shown or followed by the mail client.
OVERSIGNED = (b"from", b"subject", b"list-id", b"list-unsubscribe", b"list-unsubscribe-post")


@functools.cache
def _private_key(path):
    with open(path, "rb") as key_file:
        return key_file.read()


def signing_domain():
    """The d= of the signatures: NEWSLETTER_DKIM_DOMAIN, else the domain of the From."""
    return settings.NEWSLETTER_DKIM_DOMAIN or settings.NEWSLETTER_FROM_EMAIL.rpartition("@")[
        2
    ].strip(" >")


def signature(message: bytes) -> bytes:
    """The DKIM-Signature header (CRLF-terminated) for `message`, b"" when no key is set."""
    if not settings.NEWSLETTER_DKIM_KEY_FILE:
        return b""
    return dkim.sign(
        message,
        settings.NEWSLETTER_DKIM_SELECTOR.encode(),
        signing_domain().encode(),
        _private_key(settings.NEWSLETTER_DKIM_KEY_FILE),
        canonicalize=CANONICALIZATION,
        include_headers=[*SIGNED_HEADERS, *OVERSIGNED],
    )


@checks.register()
def check_signing_key(app_configs, **kwargs):
    """A key named but not usable stops every command (the worker included) at start, rather
    than failing on the first message or, worse, sending unsigned mail that providers reject."""
    path = settings.NEWSLETTER_DKIM_KEY_FILE
    if not path:
        return []
    try:
        with open(path, "rb") as key_file:
            parse_pem_private_key(key_file.read())
    except OSError as error:
        return [
            checks.Error(
                f"NEWSLETTER_DKIM_KEY_FILE cannot be read: {error.strerror} ({path}).",
                hint="Give the worker's user read access, or unset it to send unsigned.",
                id="mailings.E001",
            )
        ]
    except (UnparsableKeyError, binascii.Error, ValueError):
        return [
            checks.Error(
                f"NEWSLETTER_DKIM_KEY_FILE is not an RSA private key in PEM form ({path}).",
                hint="Make one with `openssl genrsa -out newsletter.pem 2048` (README).",
                id="mailings.E002",
            )
        ]
    if not signing_domain():
        return [
            checks.Error(
                "DKIM signing needs a domain: set NEWSLETTER_DKIM_DOMAIN or give "
                "NEWSLETTER_FROM_EMAIL an address.",
                id="mailings.E003",
            )
        ]
    return []
