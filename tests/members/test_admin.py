import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import MemberOrganisation
from tests.factories import MemberOrganisationFactory, StaffUserFactory, country

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/members/memberorganisation/"
IMPORT = "/admin/members/memberorganisation/import/"


def editor(*codenames):
    user = StaffUserFactory()
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
    )
    return user


@pytest.fixture
def member_editor(client):
    user = editor(
        "view_memberorganisation",
        "add_memberorganisation",
        "change_memberorganisation",
        "view_country",
    )
    client.force_login(user)
    return client


def test_changelist_shows_members_with_country_and_import_button(member_editor):
    MemberOrganisationFactory(name="Nepal Rights Watch", country=country("NP"), year_joined=1999)

    response = member_editor.get(CHANGELIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nepal Rights Watch" in body
    assert "Nepal" in body
    assert "1999" in body
    assert "Import CSV" in body


def test_changelist_filters_by_sub_region_and_searches_by_city(member_editor):
    MemberOrganisationFactory(name="Kathmandu Forum", city="Kathmandu", country=country("NP"))
    MemberOrganisationFactory(name="Phnom Penh Centre", city="Phnom Penh", country=country("KH"))

    by_region = member_editor.get(CHANGELIST, {"country__sub_region__exact": "south"})
    by_city = member_editor.get(CHANGELIST, {"q": "phnom"})

    assert [m.name for m in by_region.context["cl"].result_list] == ["Kathmandu Forum"]
    assert [m.name for m in by_city.context["cl"].result_list] == ["Phnom Penh Centre"]


def test_add_form_creates_a_member_with_a_country_autocomplete(member_editor):
    form = member_editor.get(CHANGELIST + "add/")
    assert form.status_code == 200
    assert "admin-autocomplete" in form.content.decode()

    response = member_editor.post(
        CHANGELIST + "add/",
        {
            "name": "Dili Justice Network",
            "acronym": "DJN",
            "slug": "dili-justice-network",
            "is_active": "on",
            "country": country("TL").pk,
            "city": "Dili",
            "description": '<p><span class="MsoNormal">Hi</span></p>',
            "website": "https://djn.example.org/",
        },
    )

    assert response.status_code == 302
    member = MemberOrganisation.objects.get(slug="dili-justice-network")
    assert member.country.code == "TL"
    assert member.description == "<p>Hi</p>"


def test_add_form_refuses_a_javascript_website_and_an_svg_logo(member_editor):
    svg = SimpleUploadedFile(
        "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
    )
    response = member_editor.post(
        CHANGELIST + "add/",
        {
            "name": "Bad Links",
            "slug": "bad-links",
            "country": country("TH").pk,
            "website": "javascript:alert(1)",
            "logo": svg,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "website" in errors
    assert "logo" in errors
    assert not MemberOrganisation.objects.filter(slug="bad-links").exists()


def test_country_and_member_autocompletes_answer_searches(member_editor):
    MemberOrganisationFactory(name="Colombo Legal Aid", acronym="CLA", country=country("LK"))

    countries = member_editor.get(
        "/admin/autocomplete/",
        {
            "app_label": "members",
            "model_name": "memberorganisation",
            "field_name": "country",
            "term": "sri",
        },
    )

    assert countries.status_code == 200
    assert [r["text"] for r in countries.json()["results"]] == ["Sri Lanka"]


def test_import_page_requires_add_and_change_permission(client):
    client.force_login(editor("view_memberorganisation", "change_memberorganisation"))

    assert client.get(IMPORT).status_code == 403
    assert "Import CSV" not in client.get(CHANGELIST).content.decode()


def test_admin_import_reports_each_row_and_saves_a_good_file(member_editor):
    csv_file = SimpleUploadedFile(
        "members.csv",
        "name,slug,country,city\nត្រីភព Rights,trey-rights,KH,Phnom Penh\n".encode("utf-8-sig"),
        "text/csv",
    )

    response = member_editor.post(IMPORT, {"file": csv_file})

    assert response.status_code == 200
    assert "Imported: 1 created" in response.content.decode()
    assert MemberOrganisation.objects.get(slug="trey-rights").name == "ត្រីភព Rights"


def test_admin_import_of_a_bad_file_shows_the_reason_and_saves_nothing(member_editor):
    csv_file = SimpleUploadedFile(
        "members.csv", b"name,slug,country\nGood,good,TH\nBad,bad,XX\n", "text/csv"
    )

    response = member_editor.post(IMPORT, {"file": csv_file})

    body = response.content.decode()
    assert "Unknown country code" in body
    assert "Nothing was imported" in body
    assert MemberOrganisation.objects.count() == 0


def test_admin_import_of_a_file_with_control_characters_names_the_row_never_a_500(member_editor):
    csv_file = SimpleUploadedFile(
        "members.csv", b"name,slug,country,city\nNul\x00Org,nul-org,TH,Bang\x0bkok\n", "text/csv"
    )

    response = member_editor.post(IMPORT, {"file": csv_file})

    body = response.content.decode()
    assert response.status_code == 200
    assert "invisible control character (U+0000)" in body
    assert "\x00" not in body
    assert MemberOrganisation.objects.count() == 0
