"""members/forms.py MemberOrganisationAdminForm: a description (HTML on the member's page)
whose cleaning would lose something is refused by name; formatting is saved cleaned."""

import pytest

from members.models import MemberOrganisation
from tests.factories import MemberOrganisationFactory, SuperUserFactory

pytestmark = pytest.mark.django_db


def save_description(client, member, description):
    client.force_login(SuperUserFactory())
    return client.post(
        f"/admin/members/memberorganisation/{member.pk}/change/",
        {
            "name": member.name,
            "acronym": member.acronym,
            "slug": member.slug,
            "is_active": "on",
            "country": member.country.pk,
            "city": member.city,
            "description": description,
            "focus_areas": "",
            "year_joined": "",
            "website": "",
            "contact_email": "",
            "facebook_url": "",
            "x_url": "",
            "linkedin_url": "",
        },
    )


def test_a_description_with_an_outside_image_or_a_player_is_refused_by_name(client):
    member = MemberOrganisationFactory(description="<p>Founded in 1991.</p>")
    description = (
        '<p>Founded in 1991.<img src="https://ngo.example.org/logo.png" alt=""></p>'
        '<iframe src="https://player.vimeo.com/video/1"></iframe>'
    )

    response = save_description(client, member, description)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["description"]
    assert errors["description"] == [
        "Embedded content cannot be published in the text: <iframe> from "
        "https://player.vimeo.com/video/1. Remove it, or link to it instead.",
        "Remove these images: https://ngo.example.org/logo.png. Images from other sites are "
        "blocked on our pages, and this text has no image uploads.",
    ]
    assert MemberOrganisation.objects.get(pk=member.pk).description == "<p>Founded in 1991.</p>"


def test_a_description_with_formatting_only_is_saved_cleaned(client):
    member = MemberOrganisationFactory()

    response = save_description(
        client, member, '<p style="margin:0"><font face="Arial">Works on <b>land</b>.</font></p>'
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.description == "<p>Works on <b>land</b>.</p>"
