import pytest

from newsletter.forms import CONSENT_TEXT
from tests.factories import MailingListFactory


@pytest.fixture
def monthly(db):
    return MailingListFactory(
        slug="e-newsletter", name="Monthly e-newsletter", is_default=True, position=0
    )


@pytest.fixture
def urgent(db):
    return MailingListFactory(
        slug="urgent-appeals", name="Urgent statements and appeals", position=1
    )


@pytest.fixture
def staff_only(db):
    return MailingListFactory(slug="partners", name="Partners briefing", is_public=False)


@pytest.fixture
def consent():
    return CONSENT_TEXT


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: SMTP to it fails at once, like a mail server down."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_down(settings, closed_port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_TIMEOUT = 2


@pytest.fixture
def refusing_smtp(settings, closed_port):
    """A real SMTP server on loopback (aiosmtpd) that refuses every recipient with a 550 that
    names the address, as real servers do."""
    from aiosmtpd.controller import Controller

    class RefuseEveryRecipient:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"

    controller = Controller(RefuseEveryRecipient(), hostname="127.0.0.1", port=closed_port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port
    settings.EMAIL_TIMEOUT = 5
    yield controller
    controller.stop()


@pytest.fixture
def waiting_signup(monthly):
    """make(requested_ago=..., mailed_ago=None, status="pending"): a sign-up for the monthly
    list waiting for confirmation, as subscriptions.subscribe() leaves it, at a time in the past."""
    from django.utils import timezone

    from newsletter.models import SignupRequest, Subscriber
    from tests.factories import SubscriberFactory

    def make(*, requested_ago, mailed_ago=None, status="pending"):
        now = timezone.now()
        subscriber = SubscriberFactory(
            status=status,
            consent_text="",
            consented_at=None,
            confirmation_round=2,
            confirmation_sent_at=now - mailed_ago if mailed_ago else None,
        )
        signup = SignupRequest.objects.create(
            subscriber=subscriber,
            round=2,
            consent_text=CONSENT_TEXT,
            requested_at=now - requested_ago,
        )
        signup.lists.set([monthly])
        return Subscriber.objects.get(pk=subscriber.pk)

    return make


@pytest.fixture
def comms(client):
    """A member of the Communications staff group made by the data migration, logged in."""
    from django.contrib.auth.models import Group

    from tests.factories import StaffUserFactory

    user = StaffUserFactory(username="comms")
    user.groups.add(Group.objects.get(name="Communications staff"))
    client.force_login(user)
    return user
