"""Read the bounce mailbox (plain SMTP sending): act on every delivery status notification and
spam complaint report in it, and delete each message (mailings/bounces.py does the work).

The IMAP part stays thin: it lists, fetches and deletes. A Maildir on this machine (Postfix
can deliver the bounce address to one) is read with --maildir instead.
"""

import imaplib
import mailbox
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailings import bounces


class ImapMailbox:
    """One folder of an IMAP mailbox named by a URL: imaps://user:password@host[:port]/FOLDER
    (TLS from the start), or imap://… upgraded with STARTTLS; never in the clear."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise CommandError(
                "NEWSLETTER_BOUNCE_IMAP_URL must look like imaps://user:password@host/INBOX."
            )
        self.parts = parts
        self.connection = None

    def __enter__(self):
        parts = self.parts
        if parts.scheme == "imaps":
            self.connection = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, timeout=60)
        else:
            self.connection = imaplib.IMAP4(parts.hostname, parts.port or 143, timeout=60)
            self.connection.starttls()
        self.connection.login(unquote(parts.username), unquote(parts.password or ""))
        self.connection.select(unquote(parts.path.strip("/")) or "INBOX")
        return self

    def messages(self):
        _, found = self.connection.uid("SEARCH", None, "ALL")
        for uid in found[0].split():
            _, fetched = self.connection.uid("FETCH", uid, "(BODY.PEEK[])")
            if fetched and isinstance(fetched[0], tuple):
                yield uid, fetched[0][1]

    def delete(self, uid):
        self.connection.uid("STORE", uid, "+FLAGS", r"(\Deleted)")

    def __exit__(self, *exc_info):
        try:
            self.connection.expunge()
            self.connection.close()
        finally:
            self.connection.logout()


class MaildirMailbox:
    def __init__(self, path: str):
        self.maildir = mailbox.Maildir(path, factory=None, create=False)

    def __enter__(self):
        return self

    def messages(self):
        for key in list(self.maildir.iterkeys()):
            yield key, self.maildir.get_bytes(key)

    def delete(self, key):
        self.maildir.discard(key)

    def __exit__(self, *exc_info):
        self.maildir.close()


class Command(BaseCommand):
    help = (
        "Read the bounce mailbox (NEWSLETTER_BOUNCE_IMAP_URL): a hard bounce suppresses the "
        "address, a spam complaint unsubscribes it at once; every message read is deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--maildir", help="Read this Maildir on this machine instead of the IMAP mailbox."
        )

    def handle(self, *args, maildir, **options):
        if maildir:
            reader = MaildirMailbox(maildir)
        elif settings.NEWSLETTER_BOUNCE_IMAP_URL:
            reader = ImapMailbox(settings.NEWSLETTER_BOUNCE_IMAP_URL)
        else:
            raise CommandError(
                "Set NEWSLETTER_BOUNCE_IMAP_URL (imaps://user:password@host/INBOX), or give "
                "--maildir."
            )
        try:
            with reader as opened:
                counts = bounces.read_mailbox(opened)
        except (OSError, imaplib.IMAP4.error) as error:
            # The URL holds a password: the error's kind only, never the URL.
            raise CommandError(
                f"Could not read the bounce mailbox: {type(error).__name__}"
            ) from None
        total = sum(counts.values())
        summary = "; ".join(f"{count} {outcome}" for outcome, count in counts.items())
        self.stdout.write(f"Read {total} messages" + (f": {summary}." if summary else "."))
