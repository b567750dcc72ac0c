"""DKIM signatures on newsletter issues sent over SMTP, and the check that the key configured
can be read.

Gmail and Yahoo require bulk mail to be DKIM-signed by a domain aligned with From, and RFC 8058
requires the signature to cover both unsubscribe headers (so that no one on the way can point
the one-click unsubscribe elsewhere). The DNS records that go with the key are in the README
("Sending the newsletter: DNS records").

dkimpy parses, canonicalises and selects the headers, and its verify() is what the tests check
the signatures with; the signature itself is assembled here because dkimpy's sign() does every
step for every message and its RSA in Python's own arithmetic: 5 to 6 ms per message with a
2048-bit key, over a second for 200 messages, against 0.3 ms through OpenSSL. So the key is read
and parsed once per process, and RSA runs through the `cryptography` package (OpenSSL) when it
is installed, through dkimpy otherwise (system check mailings.W001 says so). The rest of the
work per message is the body's hash and the headers'.
"""

import base64
import binascii
import functools
import hashlib
import time

import dkim
from django.conf import settings
from django.core import checks
from dkim.canonicalization import (
    CanonicalizationPolicy,
    correct_empty_body,
    strip_trailing_lines,
)
from dkim.crypto import RSASSA_PKCS1_v1_5_sign, UnparsableKeyError, parse_pem_private_key

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
except ImportError:  # dkimpy's own RSA: correct, about twenty times slower
    serialization = None

# relaxed/relaxed: a relay that re-folds a header or changes trailing white space does not break
# the signature.
CANONICALIZATION = b"relaxed/relaxed"
POLICY = CanonicalizationPolicy.from_c_value(CANONICALIZATION)
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
# " : " so that folding breaks the list between names, never inside one.
HEADER_LIST = b" : ".join(SIGNED_HEADERS + OVERSIGNED)
SIGNATURE_HEADER = b"DKIM-Signature"


# What reading a key that is not an unencrypted RSA private key in PEM form raises.
KEY_ERRORS = (UnparsableKeyError, binascii.Error, ValueError, TypeError)


def rsa_signer(path):
    """A function signing a SHA-256 hash object with the key in `path`. Raises OSError when it
    cannot be read, one of KEY_ERRORS when it is not an RSA private key."""
    with open(path, "rb") as key_file:
        pem = key_file.read()
    if serialization is None:
        key = parse_pem_private_key(pem)
        return lambda digest: bytes(RSASSA_PKCS1_v1_5_sign(digest, key))
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnparsableKeyError("not an RSA key")
    return lambda digest: key.sign(
        digest.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
    )


# Read and parsed once per process (and per path: a test's own key is another).
_cached_signer = functools.cache(rsa_signer)


def signing_domain():
    """The d= of the signatures: NEWSLETTER_DKIM_DOMAIN, else the domain of the From."""
    return settings.NEWSLETTER_DKIM_DOMAIN or settings.NEWSLETTER_FROM_EMAIL.rpartition("@")[
        2
    ].strip(" >")


def canonical_body(body):
    """The relaxed canonical form of `body` (RFC 6376 section 3.4.4), as dkimpy makes it. A body
    with no tab, no run of spaces and no space before a line end (what our templates write) is
    its own canonical form but for trailing empty lines: dkimpy's regular expressions, which
    visit every space of it, are then skipped."""
    if b"\t" in body or b"  " in body or b" \r\n" in body:
        return POLICY.canonicalize_body(body)
    return correct_empty_body(strip_trailing_lines(body))


def signature(message: bytes) -> bytes:
    """The DKIM-Signature header (CRLF-terminated) for `message` (CRLF line ends, as SMTP sends
    it), b"" when no key is set."""
    if not settings.NEWSLETTER_DKIM_KEY_FILE:
        return b""
    sign = _cached_signer(settings.NEWSLETTER_DKIM_KEY_FILE)
    head, _, body = message.partition(b"\r\n\r\n")
    headers, _ = dkim.rfc822_parse(head + b"\r\n\r\n")
    body_hash = base64.b64encode(hashlib.sha256(canonical_body(body)).digest())
    tags = [
        (b"v", b"1"),
        (b"a", b"rsa-sha256"),
        (b"c", CANONICALIZATION),
        (b"d", signing_domain().encode()),
        (b"s", settings.NEWSLETTER_DKIM_SELECTOR.encode()),
        (b"t", str(int(time.time())).encode()),
        (b"h", HEADER_LIST),
        (b"bh", body_hash),
        (b"b", b""),
    ]
    value = dkim.fold(b"; ".join(b"=".join(tag) for tag in tags), namelen=len(SIGNATURE_HEADER))
    digest = hashlib.sha256()
    dkim.hash_headers(
        digest,
        POLICY,
        POLICY.canonicalize_headers(headers),
        SIGNED_HEADERS + OVERSIGNED,
        (SIGNATURE_HEADER, b" " + value),
        None,
    )
    # White space inside b= is ignored by verifiers: the value is folded at 72 columns.
    encoded = base64.b64encode(sign(digest))
    folded = b"\r\n ".join(encoded[i : i + 72] for i in range(0, len(encoded), 72))
    return SIGNATURE_HEADER + b": " + value + b"\r\n " + folded + b"\r\n"


@checks.register()
def check_signing_key(app_configs, **kwargs):
    """A key named but not usable stops every command (the worker included) at start, rather
    than failing on the first message or, worse, sending unsigned mail that providers reject."""
    path = settings.NEWSLETTER_DKIM_KEY_FILE
    if not path:
        return []
    try:
        rsa_signer(path)
    except OSError as error:
        return [
            checks.Error(
                f"NEWSLETTER_DKIM_KEY_FILE cannot be read: {error.strerror} ({path}).",
                hint="Give the worker's user read access, or unset it to send unsigned.",
                id="mailings.E001",
            )
        ]
    except KEY_ERRORS:
        return [
            checks.Error(
                f"NEWSLETTER_DKIM_KEY_FILE is not an unencrypted RSA private key in PEM form "
                f"({path}).",
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
    if serialization is None:
        return [
            checks.Warning(
                "DKIM signatures are computed in pure Python (the `cryptography` package is "
                "not installed): about 5 ms each with a 2048-bit key, which caps one worker "
                "below 200 messages a second.",
                hint="pip install cryptography (OpenSSL's RSA, about 0.3 ms a signature).",
                id="mailings.W001",
            )
        ]
    return []
