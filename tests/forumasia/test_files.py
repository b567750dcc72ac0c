"""Owned files (forumasia/files.py): every file field of the project is either an owner's (kept in
the private storage, in a folder an app answers for) or a public upload by nature; the names
it makes are random; the view answers nothing it is not asked by an owner to answer.

What each owner allows is tested with the owner (tests/publications/test_files.py).
"""

import re

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db.models import FileField
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from forumasia.files import OWNERS, owned_files, owned_name, random_upload_name
from members.models import MemberOrganisation
from subsites.models import SubSite
from tests.forumasia.test_settings import PRODUCTION_KEY, production_settings, run_settings

PROJECT_APPS = set(django_settings.LOCAL_APPS)
# Uploads public by nature, whatever row holds them: members have no unpublished state (the
# directory lists former members too), nor have sub-sites (one is served once saved, an
# archived one still), so their logos are public media.
PUBLIC_MEDIA = {MemberOrganisation.logo.field, SubSite.logo.field}


def project_file_fields():
    return {
        field
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    }


@pytest.mark.django_db
def test_every_file_field_is_an_owners_in_private_storage_or_public_media_by_nature():
    for field in project_file_fields() - PUBLIC_MEDIA:
        assert field.storage is owned_files, field
        name = field.generate_filename(example_row(field.model), "Embargoed report 2027.pdf")
        folder, key, file = name.split("/")
        assert folder in OWNERS, f"{field}: no owner answers for {folder}/"
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", file), name
    for field in PUBLIC_MEDIA:
        assert field.storage is not owned_files


def example_row(model):
    """An unsaved row of `model` whose upload names can be made (with its owner, if any)."""
    row = model()
    for field in model._meta.concrete_fields:
        if (
            field.is_relation
            and field.many_to_one
            and field.related_model in {f.model for f in project_file_fields()}
        ):
            setattr(row, field.name, field.related_model())
    return row


@hypothesis_settings(max_examples=200)
@given(filename=st.text(max_size=300))
def test_upload_names_are_random_and_keep_only_a_plain_extension(filename):
    name = random_upload_name("uploads", filename)
    owned = owned_name("publications", "3f0c2a9e-8d1b-4c5e-9a7f-2b6d4e8f1a3c", filename)

    assert re.fullmatch(r"uploads/[0-9a-f]{32}\.[a-z0-9]{1,10}", name)
    assert re.fullmatch(
        r"publications/3f0c2a9e-8d1b-4c5e-9a7f-2b6d4e8f1a3c/[0-9a-f]{32}\.[a-z0-9]{1,10}", owned
    )
    assert random_upload_name("uploads", filename) != name


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.text(alphabet=st.sampled_from("ab./\\%0~_-f9publicatons\x00"), max_size=60))
def test_no_path_under_files_is_a_server_error(client, path):
    response = client.get(f"/files/{path}")

    assert response.status_code in (404, 405)


@pytest.mark.django_db
def test_a_folder_no_owner_answers_for_is_a_404(client):
    owned_files.save(
        "exports/3f0c2a9e-8d1b-4c5e-9a7f-2b6d4e8f1a3c/list.csv", ContentFile(b"a@example.org")
    )

    response = Client().get("/files/exports/3f0c2a9e-8d1b-4c5e-9a7f-2b6d4e8f1a3c/list.csv")

    assert response.status_code == 404
    assert b"example.org" not in response.content


ACCEL = (
    "s.FILES_ACCEL_REDIRECT or '-', oct(s.STORAGES['private']['OPTIONS']['file_permissions_mode'])"
)


def test_private_files_are_the_apps_alone_unless_nginx_is_to_send_publications_files():
    assert production_settings(ACCEL) == ["-", "0o600"]
    assert production_settings(ACCEL, DJANGO_FILES_ACCEL_REDIRECT="/internal/private/") == [
        "/internal/private/",
        "0o640",
    ]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"DJANGO_FILES_ACCEL_REDIRECT": "internal/"}, "must be a path starting and ending"),
        (
            {
                "DJANGO_FILES_ACCEL_REDIRECT": "/internal/private/",
                "DJANGO_MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": "media",
                "AWS_S3_ENDPOINT_URL": "https://s3.example",
            },
            "local disk storage only",
        ),
    ],
)
def test_a_wrong_accel_redirect_setting_refuses_to_start(environment, message):
    result = run_settings(
        DJANGO_SECRET_KEY=PRODUCTION_KEY, DJANGO_ALLOWED_HOSTS="example.org", **environment
    )

    assert result.returncode != 0
    assert message in result.stderr
