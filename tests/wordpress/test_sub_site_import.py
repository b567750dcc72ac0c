"""A campaign's own WordPress site imported into its sub-site (`import_wordpress --sub-site`):
its posts join the sub-site's stream, and the old site's addresses, on its old host (now the
sub-site's), lead to the new ones on the sub-site."""

import io

import pytest
from django.core.management import CommandError, call_command

from oldaddresses.models import ImportedItem
from publications.models import Publication
from subsites.models import Pick
from tests.factories import PublicationFactory, SubSiteFactory

from .conftest import PDF, export_xml

pytestmark = pytest.mark.django_db

OLD_SITE = "https://aseanrights.example.org"
OLD_HOST = "aseanrights.example.org"
POST_NAME = "asean-must-protect-defenders"
REPORT_PDF = "2023/04/asean-report.pdf"


def asean_items():
    """A post (in a category and a tag, linking an uploaded PDF) and a page."""
    return [
        {
            "wp_id": 7,
            "title": "[Joint Statement] ASEAN must protect human rights defenders",
            "name": POST_NAME,
            "date_gmt": "2023-04-05 03:00:00",
            "categories": [("Regional advocacy", "regional-advocacy")],
            "tags": [("Defenders", "defenders")],
            "content": (
                "The region's governments must act.\n\n"
                f'Read the report: <a href="{OLD_SITE}/wp-content/uploads/{REPORT_PDF}">PDF</a>'
            ),
        },
        {
            "wp_id": 9,
            "title": "About the campaign",
            "post_type": "page",
            "name": "about-the-campaign",
            "content": "A campaign of the network for ASEAN.",
        },
    ]


@pytest.fixture
def asean_export(tmp_path):
    path = tmp_path / "asean.xml"
    path.write_bytes(export_xml(asean_items(), site=OLD_SITE))
    uploads = tmp_path / "uploads"
    (uploads / REPORT_PDF).parent.mkdir(parents=True)
    (uploads / REPORT_PDF).write_bytes(PDF)
    return path, uploads


@pytest.fixture
def asean():
    return SubSiteFactory(name="ASEAN advocacy", slug="asean", host=OLD_HOST)


def run(*args):
    stdout = io.StringIO()
    call_command("import_wordpress", *map(str, args), stdout=stdout)
    return stdout.getvalue()


def import_into(slug, asean_export):
    path, uploads = asean_export
    return run(path, "--media-dir", uploads, "--sub-site", slug)


def redirects_line(output):
    (line,) = [line for line in output.splitlines() if line.startswith("Redirects: ")]
    return line


def statement():
    return ImportedItem.objects.get(wp_id=7).publication


def snapshot():
    return {
        "picks": list(Pick.objects.values_list("sub_site_id", "publication_id", "position")),
        "items": list(ImportedItem.objects.values_list("wp_id", "publication_id", "page_id")),
        "publications": list(Publication.objects.values_list("pk", "slug", "status")),
    }


def assert_redirects_on_the_sub_site(client, old, target):
    response = client.get(old, HTTP_HOST=OLD_HOST)
    assert response.status_code == 301, old
    assert response["Location"] == target, old
    arrived = client.get(target, HTTP_HOST=OLD_HOST)
    assert arrived.status_code == 200, target
    return arrived


def test_every_old_address_on_the_old_host_leads_to_the_sub_site(client, asean, asean_export):
    import_into("asean", asean_export)
    detail = f"/publications/{statement().slug}/"
    (document,) = statement().attachments.all()

    for old in (
        "/?p=7",
        f"/{POST_NAME}/",
        f"/2023/04/05/{POST_NAME}/",
        f"/2023/04/{POST_NAME}/",
    ):
        arrived = assert_redirects_on_the_sub_site(client, old, detail)
        assert arrived.wsgi_request.sub_site == asean
        assert b"ASEAN must protect human rights defenders" in arrived.content
    assert_redirects_on_the_sub_site(client, "/?page_id=9", "/about-the-campaign/")
    assert_redirects_on_the_sub_site(
        client, "/category/regional-advocacy/", "/publications/?tag=regional-advocacy"
    )
    assert_redirects_on_the_sub_site(client, "/tag/defenders/", "/publications/?tag=defenders")
    assert_redirects_on_the_sub_site(client, f"/wp-content/uploads/{REPORT_PDF}", document.file.url)


def test_the_imported_publications_are_the_sub_sites_picks(client, asean, asean_export):
    import_into("asean", asean_export)

    assert list(asean.picks.all()) == [statement()]
    listed = client.get("/publications/", HTTP_HOST=OLD_HOST)
    assert statement().title.encode() in listed.content
    # Its one address stays the main site's.
    assert statement().get_absolute_url() == f"/publications/{statement().slug}/"


def test_the_report_counts_the_redirects_made_for_the_sub_site(asean, asean_export):
    output = import_into("asean", asean_export)

    assert (
        f"Sub-site: ASEAN advocacy (asean, {asean.get_absolute_url()}): 1 publications in its "
        "picks, 1 of them new.\nThe old addresses on aseanrights.example.org lead to the "
        "sub-site."
    ) in output
    # The post's ?p=, /<name>/ and two dated forms, the page's ?page_id=, and the categories
    # and tags of the export (its own and those every test export declares).
    assert (
        "Redirects: 10 made (1 /<name>/, 1 /YYYY/MM/<name>/, 1 /YYYY/MM/DD/<name>/, "
        "3 /category/<slug>/, 2 /tag/<slug>/, 1 ?p=, 1 ?page_id=)"
    ) in output


def test_the_csv_report_gives_the_new_addresses_on_the_sub_site(asean, asean_export):
    path, _uploads = asean_export
    import_into("asean", asean_export)

    rows = path.with_name("asean-import-report.csv").read_text(encoding="utf-8")
    assert f"/?p=7,{asean.origin}/publications/{statement().slug}/" in rows


def test_the_report_says_when_the_old_host_will_not_be_answered(client, asean_export):
    SubSiteFactory(name="ASEAN advocacy", slug="asean")

    output = import_into("asean", asean_export)

    assert (
        "The 10 redirects are NOT answered: the old addresses on aseanrights.example.org are "
        "answered on the sub-site's own host only, and it has no host of its own. Set the "
        "sub-site's host to aseanrights.example.org"
    ) in output
    assert client.get("/?p=7").status_code == 200  # the main site's home, no redirect


def test_the_report_names_a_sub_sites_other_host(asean_export):
    SubSiteFactory(name="ASEAN advocacy", slug="asean", host="asean.example.net")

    output = import_into("asean", asean_export)

    assert "and its host is asean.example.net. Set the sub-site's host to " in output


def test_a_second_import_changes_nothing(asean, asean_export):
    first = import_into("asean", asean_export)
    before = snapshot()

    second = import_into("asean", asean_export)

    assert snapshot() == before
    assert "1 publications in its picks, 0 of them new." in second
    assert redirects_line(second) == redirects_line(first)


def test_an_unknown_sub_site_is_a_clear_error_naming_the_known_ones(asean, asean_export):
    SubSiteFactory(slug="mekong")

    with pytest.raises(CommandError) as error:
        import_into("asia", asean_export)

    assert str(error.value) == "--sub-site asia: no such sub-site (known: asean, mekong)."
    assert not Publication.objects.exists()


def test_the_main_host_does_not_answer_the_sub_sites_old_addresses(client, asean, asean_export):
    import_into("asean", asean_export)

    assert client.get("/?p=7").status_code == 200  # the home page, as for any unknown ?p=
    assert client.get("/?page_id=9").status_code == 200
    for old in (
        f"/{POST_NAME}/",
        f"/2023/04/05/{POST_NAME}/",
        "/category/regional-advocacy/",
        "/tag/defenders/",
        f"/wp-content/uploads/{REPORT_PDF}",
    ):
        # (Django may first add a slash to a file's address: still nothing there.)
        assert client.get(old, follow=True).status_code == 404, old


def test_the_main_sites_old_addresses_stay_the_main_sites(client, asean, asean_export, tmp_path):
    main_export = tmp_path / "main.xml"
    main_post = {**asean_items()[0], "title": "[Statement] The main site's own post"}
    main_post["name"] = POST_NAME
    main_export.write_bytes(export_xml([main_post]))
    run(main_export)
    import_into("asean", asean_export)
    main, campaign = (
        ImportedItem.objects.get(site_url=site, wp_id=7).publication
        for site in ("https://www.forum-asia.org", OLD_SITE)
    )

    assert client.get("/?p=7")["Location"] == main.get_absolute_url()
    assert client.get(f"/{POST_NAME}/")["Location"] == main.get_absolute_url()
    assert client.get("/?p=7", HTTP_HOST=OLD_HOST)["Location"] == campaign.get_absolute_url()
    assert client.get(f"/{POST_NAME}/", HTTP_HOST=OLD_HOST)["Location"] == (
        campaign.get_absolute_url()
    )


def test_the_old_host_does_not_answer_the_main_sites_old_addresses(client, asean, tmp_path):
    main_export = tmp_path / "main.xml"
    main_export.write_bytes(export_xml([{**asean_items()[0], "wp_id": 70}]))
    run(main_export)

    assert client.get("/?p=70")["Location"].startswith("/publications/")
    assert client.get("/?p=70", HTTP_HOST=OLD_HOST).status_code == 200


def test_a_publication_picked_by_hand_stays_pinned_on_reimport(asean, asean_export):
    import_into("asean", asean_export)
    Pick.objects.filter(publication=statement()).update(is_pinned=True, position=3)
    PublicationFactory()

    import_into("asean", asean_export)

    pick = Pick.objects.get(sub_site=asean)
    assert (pick.publication, pick.is_pinned, pick.position) == (statement(), True, 3)
