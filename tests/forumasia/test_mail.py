"""forumasia/mail.py: the file email backend writes for the site's user only, and one person's
messages can be taken out of what it wrote, leaving everyone else's."""

import os
import stat

import pytest
from django.core.mail import EmailMessage, get_connection, send_mail

from forumasia.mail import MESSAGE_END, forget_messages_to


@pytest.fixture
def outbox(settings, tmp_path, permissive_umask):
    """The file backend, writing to a folder that does not exist yet."""
    settings.EMAIL_BACKEND = "forumasia.mail.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "sent-emails")
    return tmp_path / "sent-emails"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def messages_in(folder):
    return [
        piece
        for path in sorted(folder.iterdir())
        for piece in path.read_bytes().split(MESSAGE_END)
        if piece.strip()
    ]


def test_the_folder_and_every_message_file_are_for_the_sites_user_only(outbox):
    send_mail("Confirm", "Your link.", None, ["reader@example.org"])
    send_mail("Confirm", "Your link.", None, ["other@example.org"])

    assert mode(outbox) == 0o700
    assert len(messages_in(outbox)) == 2  # in one file or two: Django names them by time and id
    assert {mode(path) for path in outbox.iterdir()} == {0o600}


def test_a_file_that_was_there_with_wider_permissions_is_narrowed_when_written_again(outbox):
    outbox.mkdir()
    connection = get_connection()
    path = outbox / os.path.basename(connection._get_filename())
    path.write_bytes(b"")
    path.chmod(0o644)

    EmailMessage("Hello", "Body", to=["reader@example.org"], connection=connection).send()

    assert mode(path) == 0o600


def test_forgetting_an_address_takes_out_its_messages_and_keeps_everyone_elses(outbox):
    with get_connection() as shared:  # one file holding three messages
        for to in ("keep@example.org", "Gone@Example.org", "also.keep@example.org"):
            EmailMessage("Confirm", f"For {to}", to=[to], connection=shared).send()
    send_mail("Alone", "Only for them.", None, ["gone@bücher.example"])

    removed = forget_messages_to(["gone@example.org", "gone@xn--bcher-kva.example"])

    assert removed == 2
    [rewritten] = list(outbox.iterdir())  # the file of theirs alone is deleted
    assert mode(rewritten) == 0o600
    kept = messages_in(outbox)
    assert len(kept) == 2
    assert not any(b"gone@" in message.lower() for message in kept)
    assert b"For keep@example.org" in kept[0] and b"For also.keep@example.org" in kept[1]


def test_forgetting_without_a_folder_does_nothing(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "never-made")

    assert forget_messages_to(["reader@example.org"]) == 0
