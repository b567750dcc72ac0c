"""One SMTP connection, driven a step at a time so that the sender can commit its ledger between
the message's body and the line that ends it (mailings/sending.py).

smtplib's `sendmail()` sends the body and its terminating "<CRLF>.<CRLF>" in one go. Here
`begin()` runs MAIL FROM, RCPT TO and DATA and writes the body without its last line end, and
`finish()` writes the terminator and reads the server's verdict. A server that loses the
connection before the terminator drops the message (RFC 5321, 4.1.1.4), so a sender killed
between the two calls has sent nothing.
"""

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.utils import DNS_NAME

LEADING_DOT = re.compile(rb"(?m)^\.")
CRLF = b"\r\n"


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    @property
    def accepted(self):
        return 200 <= self.code < 300

    @property
    def temporary(self):
        """A 4xx: try again later. Anything else that is not a 2xx is final."""
        return 400 <= self.code < 500

    def __str__(self):
        return f"{self.code} {self.text}"[:300]


def reply(code, message):
    return Reply(code, message.decode(errors="replace") if isinstance(message, bytes) else message)


class Connection:
    """A connection to settings.EMAIL_HOST, opened on first use and again after it is lost."""

    def __init__(self):
        self.smtp = None

    def open(self):
        if self.smtp is not None:
            return self.smtp
        timeout = settings.EMAIL_TIMEOUT
        if getattr(settings, "EMAIL_USE_SSL", False):
            smtp = smtplib.SMTP_SSL(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                local_hostname=DNS_NAME.get_fqdn(),
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                local_hostname=DNS_NAME.get_fqdn(),
                timeout=timeout,
            )
        try:
            # The body and its terminator are two writes: without this, Nagle's algorithm holds
            # the terminator until the server acknowledges the body (up to 40 ms a message).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo()
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.EMAIL_HOST_USER:
                smtp.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except BaseException:
            smtp.close()
            raise
        self.smtp = smtp
        return smtp

    def close(self):
        """Say goodbye if the server still listens; forget the connection either way."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def drop(self):
        """Forget a connection that failed, without a word to the server."""
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            smtp.close()

    def begin(self, sender, recipient, data):
        """MAIL FROM, RCPT TO, DATA and the body of `data` (bytes, CRLF line ends) without its
        final line end. None when the server now waits for the terminator (`finish()`); the
        server's Reply when it refused the message before that (the transaction is reset).
        Raises smtplib.SMTPException or OSError when the connection fails."""
        smtp = self.open()
        options = []
        if not (sender + recipient).isascii():
            options.append("SMTPUTF8")
        if not data[:4096].isascii():
            options.append("BODY=8BITMIME")
        for command, expected in (
            (lambda: smtp.mail(sender, options), (250,)),
            (lambda: smtp.rcpt(recipient), (250, 251)),
            (lambda: (smtp.putcmd("data"), smtp.getreply())[1], (354,)),
        ):
            code, message = command()
            if code == 421:
                # The server is closing the connection: not a verdict on this message.
                self.drop()
                raise smtplib.SMTPServerDisconnected(f"{code} {message!r}")
            if code not in expected:
                return self._reset(reply(code, message))
        body = LEADING_DOT.sub(b"..", data)
        if body.endswith(CRLF):
            body = body[: -len(CRLF)]
        smtp.sock.sendall(body)
        return None

    def finish(self):
        """Write "<CRLF>.<CRLF>" and return the server's Reply to the whole message. Raises
        OSError when writing fails (the server then never saw the end: nothing was sent) and
        smtplib.SMTPServerDisconnected when the reply does not come (whether the server kept
        the message is unknown)."""
        self.smtp.sock.sendall(CRLF + b"." + CRLF)
        return reply(*self.smtp.getreply())

    def send_whole(self, sender, recipient, data):
        """One message start to end (test sends: no ledger to commit in between)."""
        refused = self.begin(sender, recipient, data)
        return refused or self.finish()

    def _reset(self, refusal):
        try:
            self.smtp.rset()
        except smtplib.SMTPServerDisconnected:
            self.drop()
        return refusal


def is_smtp_backend():
    """Whether settings.EMAIL_BACKEND is Django's SMTP backend, which this module replaces for
    issues; any other backend (an email service through django-anymail, locmem in tests) is
    used through Django's mail API."""
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
