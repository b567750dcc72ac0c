import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from PIL import Image

from members.models import Country, MemberOrganisation
from tests.factories import MemberOrganisationFactory, country

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_trgm's typo matching needs PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="The contains fallback is what SQLite runs"
)


def test_migration_loads_the_asian_countries_with_sub_regions():
    assert Country.objects.count() == 50
    assert country("NP").sub_region == "south"
    assert country("KH").get_absolute_url() == "/countries/kh/"


def test_duplicate_slug_is_refused_by_the_database():
    MemberOrganisationFactory(slug="insec")

    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganisationFactory(slug="insec")


def test_member_names_are_unique_whatever_their_case():
    MemberOrganisationFactory(name="Nepal Law Society")

    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganisationFactory(name="NEPAL LAW SOCIETY")


def test_empty_slug_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganisationFactory(slug="")


def test_website_must_be_a_web_address_even_outside_forms():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganisationFactory(website="javascript:alert(1)")

    with pytest.raises(ValidationError) as error:
        MemberOrganisationFactory.build(
            website="ftp://example.org/", country=country("TH")
        ).full_clean()
    assert "website" in error.value.message_dict


def test_country_code_must_be_two_capital_letters():
    with pytest.raises(ValidationError):
        Country(code="th", name="Lower", slug="lower").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(code="T1", name="Bad", slug="bad")


def test_year_joined_cannot_precede_the_network():
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberOrganisationFactory(year_joined=1980)


def test_description_is_sanitised_on_save():
    member = MemberOrganisationFactory(
        description='<p onclick="x()">Hi</p><script>alert(1)</script><a href="javascript:x">l</a>'
    )

    member.refresh_from_db()
    assert "script" not in member.description
    assert "onclick" not in member.description
    assert "javascript" not in member.description


def _jpeg_with_gps():
    image = Image.new("RGB", (32, 32), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0)}  # GPSInfo
    exif[0x010F] = "Camera maker"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_uploaded_logo_is_stored_without_metadata():
    member = MemberOrganisationFactory.build(country=country("TH"))
    member.logo = SimpleUploadedFile("logo.jpg", _jpeg_with_gps(), "image/jpeg")

    member.save()

    with Image.open(member.logo.path) as stored:
        assert not stored.getexif()


def test_logo_validator_refuses_svg():
    member = MemberOrganisationFactory.build(country=country("TH"))
    member.logo = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    with pytest.raises(ValidationError) as error:
        member.full_clean()
    assert "logo" in error.value.message_dict


def test_initials_placeholder_uses_acronym_or_name():
    assert MemberOrganisation(name="Nepal Law Society", acronym="nls").initials == "NLS"
    assert MemberOrganisation(name="Nepal Law Society").initials == "NLS"


def test_with_members_counts_only_current_members():
    MemberOrganisationFactory.create_batch(2, country=country("NP"))
    MemberOrganisationFactory(country=country("NP"), is_active=False)
    MemberOrganisationFactory(country=country("KH"), is_active=False)

    counts = {c.code: c.member_count for c in Country.objects.with_members()}

    assert counts == {"NP": 2}


# --- search: the matcher of site search and the directory -----------------------------------


@postgres_only
def test_members_are_found_by_name_acronym_city_country_and_with_a_typo():
    member = MemberOrganisationFactory(
        name="Cambodian League for Rights", acronym="CLR", city="Phnom Penh", country=country("KH")
    )
    MemberOrganisationFactory(name="Nepal Rights Forum", acronym="NRF", city="Kathmandu")
    members = MemberOrganisation.objects.active()

    assert list(members.search("league")) == [member]
    assert list(members.search("CLR")) == [member]
    assert list(members.search("phnom")) == [member]
    assert list(members.search("Cambodja")) == [member]


@sqlite_only
def test_sqlite_members_search_by_name_acronym_city_and_country():
    member = MemberOrganisationFactory(
        name="Cambodian League", acronym="CL", city="Phnom Penh", country=country("KH")
    )
    members = MemberOrganisation.objects.active()

    assert list(members.search("league")) == [member]
    assert list(members.search("phnom penh")) == [member]
    assert list(members.search("cambodia")) == [member]
