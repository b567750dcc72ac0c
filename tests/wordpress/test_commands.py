import csv
import io
import stat

import pytest
from django.core.management import CommandError, call_command

from publications.models import Publication

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self):
        return True


def run(*args, stdout=None):
    stdout = stdout or io.StringIO()
    call_command("import_wordpress", *map(str, args), stdout=stdout)
    return stdout.getvalue()


def test_prints_the_report_and_writes_the_csv_beside_the_export(export_file, media_dir):
    path = export_file()
    output = run(path, "--media-dir", media_dir)
    assert "Imported:" in output
    assert "3  publication  statement  published" in output
    assert "Skipped: 5" in output and "Missing media" in output
    assert "unknown shortcode [vc_row] removed" in output
    assert "Not imported by design: comments, authors, navigation menus" in output
    report = path.with_name("export-import-report.csv")
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    redirects = {(row["detail"], row["new_url"]) for row in rows if row["section"] == "redirect"}
    assert (
        "/?p=101",
        "/publications/cambodia-release-detained-land-rights-defenders/",
    ) in redirects
    assert ("/category/cambodia/", "/publications/?country=kh") in redirects
    assert {row["section"] for row in rows} >= {"created", "skipped", "missing media", "warning"}


def test_the_report_is_readable_by_its_owner_only_whatever_the_umask(
    export_file, tmp_path, permissive_umask
):
    fresh = tmp_path / "fresh-report.csv"
    existing = tmp_path / "existing-report.csv"
    existing.write_text("old")
    existing.chmod(0o644)

    run(export_file(), "--dry-run", "--report", fresh)
    run(export_file(), "--dry-run", "--report", existing)

    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.read_text(encoding="utf-8").startswith("section,")


def test_progress_bar_only_on_a_terminal(export_file):
    path = export_file()
    assert "\r[" not in run(path, "--dry-run")
    assert "\r[####" in run(path, "--dry-run", stdout=Terminal())


def test_dry_run_says_so_and_changes_nothing(export_file):
    output = run(export_file(), "--dry-run")
    assert output.startswith("DRY RUN — nothing was changed.")
    assert "Would import:" in output
    assert not Publication.objects.exists()


def test_type_map_file_is_applied(export_file, tmp_path):
    type_map = tmp_path / "types.csv"
    type_map.write_text("kind,value,type\ncategory,Reports,story\n", encoding="utf-8")
    run(export_file(), "--type-map", type_map)
    assert Publication.objects.get(title="Annual Human Rights Report 2018").type == "story"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just text", "Not an XML file"),
        (b"<?xml version='1.0'?><rss><channel/></rss>", "Not a WordPress export"),
        (
            b"<?xml version='1.0'?><rss xmlns:wp='http://wordpress.org/export/1.2/'><channel>",
            "truncated",
        ),
        (
            b"<?xml version='1.0'?><rss xmlns:wp='http://wordpress.org/export/9.9/'><channel/></rss>",
            "Unknown WXR version 9.9",
        ),
    ],
)
def test_bad_input_is_a_one_line_error_and_imports_nothing(tmp_path, content, message):
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert not Publication.objects.exists()
    assert not path.with_name("bad-import-report.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.xml"], "no such file"),
        (["{export}", "--media-dir", "/nonexistent/uploads"], "no such folder"),
        (["{export}", "--type-map", "{bad_map}"], "line 1: unknown type 'memo'"),
    ],
)
def test_bad_arguments_are_clear_errors(export_file, tmp_path, args, message):
    bad_map = tmp_path / "bad.csv"
    bad_map.write_text("prefix,Appeal,memo\n", encoding="utf-8")
    values = {"export": export_file(), "bad_map": bad_map}
    with pytest.raises(CommandError, match=message):
        run(*[arg.format(**values) for arg in args])
