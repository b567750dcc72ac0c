"""Real-looking reports the bounce mailbox receives (tests/mailings/reports/): a Postfix
delivery status notification for a hard bounce and for a delay, a spam complaint in the Abuse
Reporting Format, and an out-of-office reply; filled in with a delivery's VERP address."""

from pathlib import Path

from mailings.messages import verp_address

REPORTS = Path(__file__).parent / "reports"
BOUNCE_ADDRESS = "bounces@forum-asia.example"


def report(name, *, delivery_id, recipient, signature=None, crlf=True):
    """The bytes of report `name` (a file stem) about delivery `delivery_id` to `recipient`,
    with line ends as IMAP hands them over; `signature` replaces the VERP signature (a forged
    one)."""
    local = verp_address(delivery_id).partition("@")[0]
    genuine = local.rpartition("-")[2]
    text = (
        (REPORTS / f"{name}.eml")
        .read_text()
        .replace("{delivery}", str(delivery_id))
        .replace("{signature}", signature or genuine)
        .replace("{recipient}", recipient)
    )
    return text.replace("\n", "\r\n").encode() if crlf else text.encode()
