import io

import pytest
from django.contrib.auth.models import Group
from PIL import Image

from tests.factories import UserFactory


@pytest.fixture
def editor(db):
    """A staff user in the Editors group created by the publications migration."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def image_bytes(fmt="JPEG", size=(640, 480), exif=None, colour=(180, 40, 60)):
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    options = {"format": fmt}
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, **options)
    return buffer.getvalue()
