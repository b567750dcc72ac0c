"""A real SMTP server on loopback (aiosmtpd, in a thread) that records every message it accepts
with its recipients and the moment it arrived, and refuses what a test tells it to: a 5xx at
RCPT TO for some addresses, a 4xx at the end of DATA for the first attempts at others."""

import threading
import time
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.s3 import free_port


@dataclass
class Received:
    recipients: list
    data: bytes
    at: float  # time.monotonic() when the end of the message arrived
    connection: tuple  # the client's address and port: one per SMTP connection


@dataclass
class Recorder:
    refuse: dict = field(default_factory=dict)  # address -> "550 5.1.1 ..." at RCPT TO
    defer: dict = field(default_factory=dict)  # address -> how many times to answer 451
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for address in envelope.rcpt_tos:
                if self.defer.get(address, 0) > 0:
                    self.defer[address] -= 1
                    return "451 4.3.0 Try again later"
            self.messages.append(
                Received(
                    list(envelope.rcpt_tos),
                    envelope.original_content,
                    time.monotonic(),
                    tuple(session.peer),
                )
            )
        return "250 Message accepted"

    def recipients(self):
        with self.lock:
            return [address for message in self.messages for address in message.recipients]


class MailServer:
    def __init__(self, recorder=None):
        self.recorder = recorder or Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def use(self, settings):
        """Point Django's email settings (the pytest-django `settings` fixture) at this server."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_USE_TLS = False
