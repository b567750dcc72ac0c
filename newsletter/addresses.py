"""The one rule for an address we store: it goes into a To: header as it is, on one line.

Django's own EmailValidator accepts quoted local parts holding control characters (U+000B,
U+000C) and domains holding Unicode line separators; such an address splits the header or
makes the send fail after the row is stored. email-validator (the library pydantic uses) checks
strictly: no quoted local parts, no unsafe Unicode (controls, format characters, separators),
IDNA 2008 domains. Django's validator and its header encoder then see the result too, so what
passes here is also what Django's mail path will send.
"""

import unicodedata

import email_validator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail.message import sanitize_address
from django.core.validators import validate_email

INVALID = "Enter a valid email address, like name@example.org."
UNSAFE = (
    "An email address cannot contain spaces, line breaks, quotation marks or invisible "
    "characters; please type it again."
)
TOO_LONG = "An email address has at most 254 characters; please check it."
MAX_LENGTH = 254


def _has_unsafe_character(text: str) -> bool:
    # Controls, format characters (zero-width, bidirectional overrides), private use,
    # unassigned code points, and every kind of space and line or paragraph separator.
    return any(unicodedata.category(character)[0] in "CZ" for character in text) or any(
        character in text for character in '"\\'
    )


def normalise_email(value: str) -> str:
    """The stored form of an address (trimmed, lower case, Unicode domain); ValidationError
    with a message for the visitor when it is not one we can store and mail."""
    address = (value or "").strip()
    if _has_unsafe_character(address):
        raise ValidationError(UNSAFE, code="unsafe")
    if len(address) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="max_length")
    try:
        checked = email_validator.validate_email(
            address, check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError:
        raise ValidationError(INVALID, code="invalid") from None
    address = checked.normalized.lower()
    if len(address) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="max_length")
    try:
        validate_email(address)
        sanitize_address(address, settings.DEFAULT_CHARSET)
    except (ValidationError, ValueError, UnicodeError):
        raise ValidationError(INVALID, code="invalid") from None
    return address
