import csv
import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import MemberOrganisation
from members.services import import_members
from tests.factories import MemberOrganisationFactory, country

pytestmark = pytest.mark.django_db

HEADER = "name,slug,country,city,website,year_joined,is_active\n"


def csv_bytes(*rows, header=HEADER, encoding="utf-8"):
    return (header + "".join(row + "\n" for row in rows)).encode(encoding)


def test_good_file_creates_and_updates_members_by_slug():
    MemberOrganisationFactory(slug="insec", name="INSEC old name", country=country("NP"))

    report = import_members(
        data=csv_bytes(
            "Informal Sector Service Centre,insec,NP,Kathmandu,https://insec.org.np/,1995,yes",
            "မြန်မာ Human Rights Forum,mm-forum,mm,Yangon,,,",
        )
    )

    assert report.ok and report.written
    assert [r.slug for r in report.created] == ["mm-forum"]
    assert [r.slug for r in report.updated] == ["insec"]
    insec = MemberOrganisation.objects.get(slug="insec")
    assert (insec.name, insec.city, insec.year_joined) == (
        "Informal Sector Service Centre",
        "Kathmandu",
        1995,
    )
    burmese = MemberOrganisation.objects.get(slug="mm-forum")
    assert burmese.name == "မြန်မာ Human Rights Forum"
    assert burmese.country.code == "MM"


def test_file_saved_by_excel_with_a_byte_order_mark_is_read():
    report = import_members(
        data=csv_bytes("Thai Lawyers,thai-lawyers,TH,Bangkok,,,", encoding="utf-8-sig")
    )

    assert report.written
    assert MemberOrganisation.objects.filter(slug="thai-lawyers").exists()


def test_partially_bad_file_rejects_each_bad_row_with_a_reason_and_saves_nothing():
    MemberOrganisationFactory(slug="existing", name="Existing", city="Old city")

    report = import_members(
        data=csv_bytes(
            "Good One,good-one,TH,Bangkok,,,",
            "Existing,existing,TH,New city,,,",
            "Nowhere Org,nowhere,XX,,,,",
            "Bad Link,bad-link,TH,,javascript:alert(1),,",
            "Good One Again,good-one,KH,,,,",
            "Too Early,too-early,TH,,,1980,",
            "GOOD ONE,good-one-dup-name,TH,,,,",
        )
    )

    assert not report.ok
    reasons = {r.line: r.reason for r in report.rejected}
    assert "Unknown country code" in reasons[4]
    assert "website" in reasons[5]
    assert "also used on line 2" in reasons[6]
    assert "year_joined" in reasons[7]
    assert "name" in reasons[8].lower()
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert not MemberOrganisation.objects.filter(slug="good-one").exists()
    assert MemberOrganisation.objects.get(slug="existing").city == "Old city"
    assert MemberOrganisation.objects.count() == 1


def test_file_that_is_not_utf8_is_refused_with_a_clear_message():
    report = import_members(data=csv_bytes("Société Lao,societe-lao,LA,,,,", encoding="latin-1"))

    assert not report.ok
    assert "not UTF-8" in report.errors[0]
    assert MemberOrganisation.objects.count() == 0


def test_wrong_headers_are_named_in_the_message():
    report = import_members(data=b"organisation,slug,pays\nX,x,TH\n")

    assert "missing column(s): name, country" in report.errors[0]
    assert "'organisation'" in report.errors[0]
    assert MemberOrganisation.objects.count() == 0


def test_empty_file_and_header_only_file_are_reported():
    assert import_members(data=b"").errors == ["The file is empty."]
    assert "no members" in import_members(data=HEADER.encode()).errors[0]


def test_dry_run_reports_but_saves_nothing():
    report = import_members(data=csv_bytes("Dry Org,dry-org,TH,,,,"), dry_run=True)

    assert report.ok and not report.written
    assert [r.slug for r in report.created] == ["dry-org"]
    assert MemberOrganisation.objects.count() == 0


def test_invalid_slug_and_unknown_active_word_are_rejected():
    report = import_members(data=csv_bytes("Spaces,has spaces,TH,,,,", "Maybe,maybe,TH,,,,perhaps"))

    reasons = [r.reason for r in report.rejected]
    assert "not a valid slug" in reasons[0]
    assert "yes or no" in reasons[1]


def has_control_character(cell):
    return any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in cell.strip())


CONTROLS = st.sampled_from(["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"])
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["สมาคม", "ម្ចាស់", "မြန်မာ", "Kathmandu", "a\r\nb", '"quoted", comma']),
    st.builds(
        lambda a, control, b: a + control + b, st.text(max_size=10), CONTROLS, st.text(max_size=10)
    ),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=1, max_size=4))
def test_any_cell_contents_get_a_report_and_control_characters_reject_their_row(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "slug", "country", "city", "description"])
    for n, (name, city, description) in enumerate(rows):
        writer.writerow([name, f"member-{n}", "TH", city, description])

    report = import_members(data=buffer.getvalue().encode("utf-8"))

    rejected = {row.slug: row.reason for row in report.rejected}
    for n, cells in enumerate(rows):
        if any(has_control_character(cell) for cell in cells):
            assert "invisible control character" in rejected[f"member-{n}"]
    if report.written:
        for n, (name, city, _) in enumerate(rows):
            member = MemberOrganisation.objects.get(slug=f"member-{n}")
            assert (member.name, member.city) == (name.strip(), city.strip())
    assert not any("\x00" in row.name + row.slug for row in report.rejected)


def test_a_nul_in_a_cell_rejects_the_row_by_name_and_imports_nothing():
    report = import_members(data=csv_bytes("A\x00B,nul-org,TH,Bang\x0bkok,,,", "Fine,fine,TH,,,,"))

    assert [(row.line, row.slug, row.name) for row in report.rejected] == [(2, "nul-org", "AB")]
    assert "name cell holds an invisible control character (U+0000)" in report.rejected[0].reason
    assert MemberOrganisation.objects.count() == 0


def test_import_members_command_prints_the_report(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes("Command Org,command-org,NP,,,,"))

    out = io.StringIO()
    call_command("import_members", str(path), stdout=out)

    assert MemberOrganisation.objects.filter(slug="command-org").exists()
    assert "line 2 (command-org): was created" in out.getvalue()
    assert "Imported: 1 created, 0 updated, 0 rejected." in out.getvalue()


def test_import_members_command_fails_and_lists_rejected_rows(tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes("Bad,bad,ZZ,,,,"))
    err = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_members", str(path), stderr=err)

    assert "line 2 (bad): REJECTED — Unknown country code" in err.getvalue()

    assert MemberOrganisation.objects.count() == 0


def test_an_import_is_one_revision_of_every_member_it_wrote_and_a_refused_one_is_none():
    from forumasia import history
    from tests.factories import editor

    importer = editor()
    import_members(data=csv_bytes("Nepal Law Society,nls,NP,,,,"), user=importer)
    import_members(data=csv_bytes("Nepal Law Society,nls,NP,,,,", "Bad row,BAD SLUG,NP,,,,"))

    version = history.versions_of(MemberOrganisation.objects.get(slug="nls")).get()
    assert version.revision.user == importer
    assert version.revision.comment == "Imported from the member spreadsheet"
