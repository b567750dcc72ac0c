import pytest
from django.core.exceptions import ValidationError

from newsletter.addresses import INVALID, UNSAFE, normalise_email


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("  Somchai@Example.ORG ", "somchai@example.org"),
        ("Lan@Bücher.example", "lan@bücher.example"),
        ("lan@xn--bcher-kva.example", "lan@bücher.example"),
    ],
)
def test_an_address_is_stored_in_one_form_whatever_way_it_was_typed(typed, stored):
    assert normalise_email(typed) == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ('"a\x0bb"@example.org', UNSAFE),
        ('"a\x0cb"@example.org', UNSAFE),
        ('"a b"@example.org', UNSAFE),
        ("a@exam\u2028ple.org", UNSAFE),
        ("a\u200b@example.org", UNSAFE),
        ("a@example.org\r\nBcc: all@evil.example", UNSAFE),
        ("\u202eadmin@example.org", UNSAFE),
        ("a@[127.0.0.1]", INVALID),
        ("a@localhost", INVALID),
        ("ลูกค้า@example.org", INVALID),
        ("a@-example.org", INVALID),
    ],
)
def test_addresses_a_mail_header_cannot_carry_are_refused_with_a_clear_message(typed, message):
    with pytest.raises(ValidationError) as refusal:
        normalise_email(typed)
    assert refusal.value.messages == [message]
