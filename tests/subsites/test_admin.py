"""subsites/admin.py: a publisher makes a sub-site in the admin and it is served at once, with
no deploy or restart; every mistake in its form is a message naming what to change."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from members.models import Country
from subsites.models import SubSite
from tests.factories import (
    MailingListFactory,
    PickFactory,
    PublicationFactory,
    SubSiteFactory,
    country,
    editor,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/subsites/subsite/"
ADD = CHANGELIST + "add/"


def change_url(sub_site):
    return f"{CHANGELIST}{sub_site.pk}/change/"


def picks(*rows, initial=0):
    """The picks inline as the browser posts it: rows of (publication, pinned, position[, id])."""
    data = {
        "pick_set-TOTAL_FORMS": str(len(rows)),
        "pick_set-INITIAL_FORMS": str(initial),
    }
    for index, (publication, pinned, position, *pk) in enumerate(rows):
        data |= {
            f"pick_set-{index}-publication": str(publication.pk),
            f"pick_set-{index}-position": str(position),
        }
        if pinned:
            data[f"pick_set-{index}-is_pinned"] = "on"
        if pk:
            data[f"pick_set-{index}-id"] = str(pk[0])
    return data


def sub_site_data(**overrides):
    """A new sub-site's form as the browser posts it, with no picks."""
    data = {
        "name": "ASEAN advocacy",
        "short_name": "ASEAN",
        "slug": "asean",
        "host": "",
        "accent_colour": "#9b1c31",
        "introduction": "<p>The network at ASEAN.</p>",
        "mailing_list": "",
        **picks(),
    }
    return {**data, **overrides}


def form_errors(response):
    return response.context["adminform"].form.errors


def png(colour="navy"):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("our logo.png", buffer.getvalue(), "image/png")


# --- Making one -------------------------------------------------------------------------------


def test_a_sub_site_made_in_the_admin_is_served_at_its_host_at_once(
    client, django_capture_on_commit_callbacks, publisher_client
):
    assert client.get("/", HTTP_HOST="asean.example.org").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher_client.post(ADD, sub_site_data(host="asean.example.org"))

    assert response.status_code == 302, form_errors(response)
    page = client.get("/", HTTP_HOST="asean.example.org")
    assert page.status_code == 200
    assert page.wsgi_request.sub_site == SubSite.objects.get(host="asean.example.org")


def test_a_sub_site_without_host_is_served_under_sites_slug_at_once(
    client, django_capture_on_commit_callbacks, publisher_client
):
    assert client.get("/sites/asean/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        publisher_client.post(ADD, sub_site_data())

    assert client.get("/sites/asean/").status_code == 200


def test_every_field_of_the_form_is_saved(publisher_client):
    mailing_list = MailingListFactory(name="ASEAN updates")
    statement, report = PublicationFactory(), PublicationFactory(type="report")
    theme = PublicationFactory(tags=["Civic space"]).tags.get()

    response = publisher_client.post(
        ADD,
        sub_site_data(
            name="  ASEAN advocacy ",
            host="ASEAN.Example.org ",
            logo=png(),
            accent_colour="#1A4D8F",
            introduction='<p>Our <a href="https://example.org/">work</a>.</p>',
            languages=["id", "en"],
            mailing_list=str(mailing_list.pk),
            publication_types=["report", "statement"],
            themes=[str(theme.pk)],
            countries=[str(country("TH").pk), str(country("KH").pk)],
            is_archived="on",
            **picks((report, True, 2), (statement, False, 1)),
        ),
    )

    assert response.status_code == 302, form_errors(response)
    sub_site = SubSite.objects.get()
    assert (sub_site.name, sub_site.short_name, sub_site.slug) == (
        "ASEAN advocacy",
        "ASEAN",
        "asean",
    )
    assert sub_site.host == "asean.example.org"
    assert sub_site.logo.name.startswith("subsites/logos/")
    assert "our logo" not in sub_site.logo.name  # a random name: the file's own is not published
    assert sub_site.accent_colour == "#1a4d8f"
    assert sub_site.introduction == (
        '<p>Our <a href="https://example.org/" rel="noopener noreferrer">work</a>.</p>'
    )
    assert sub_site.languages == ["en", "id"]  # in the site's order, whatever the browser's
    assert sub_site.mailing_list == mailing_list
    assert sub_site.publication_types == ["statement", "report"]
    assert list(sub_site.themes.all()) == [theme]
    assert set(sub_site.countries.values_list("code", flat=True)) == {"TH", "KH"}
    assert sub_site.is_archived
    assert [(p.publication, p.is_pinned, p.position) for p in sub_site.pick_set.all()] == [
        (report, True, 2),
        (statement, False, 1),
    ]


def test_the_form_offers_the_sites_languages_and_the_publication_types_as_checkboxes(
    publisher_client,
):
    html = publisher_client.get(ADD).content.decode()

    for name, value in [
        ("languages", "en"),
        ("languages", "th"),
        ("languages", "id"),
        ("publication_types", "statement"),
        ("publication_types", "letter"),
        ("publication_types", "report"),
        ("publication_types", "story"),
    ]:
        assert f'type="checkbox" name="{name}" value="{value}"' in html
    assert 'type="color" name="accent_colour" value="#9b1c31"' in html


def test_picks_are_changed_and_removed_in_the_inline(
    django_capture_on_commit_callbacks, publisher_client
):
    sub_site = SubSiteFactory()
    kept, dropped, added = PickFactory.create_batch(2, sub_site=sub_site) + [None]
    newcomer = PublicationFactory()
    data = sub_site_data(
        name=sub_site.name,
        short_name=sub_site.short_name,
        slug=sub_site.slug,
        **picks(
            (kept.publication, True, 5, kept.pk),
            (dropped.publication, False, 0, dropped.pk),
            (newcomer, False, 1),
            initial=2,
        ),
    )
    data["pick_set-1-DELETE"] = "on"

    response = publisher_client.post(change_url(sub_site), data)

    assert response.status_code == 302, form_errors(response)
    assert [(p.publication, p.is_pinned, p.position) for p in sub_site.pick_set.all()] == [
        (kept.publication, True, 5),
        (newcomer, False, 1),
    ]


def test_a_publication_picked_twice_is_refused_with_a_message(publisher_client):
    publication = PublicationFactory()

    response = publisher_client.post(
        ADD, sub_site_data(**picks((publication, False, 0), (publication, True, 1)))
    )

    assert response.status_code == 200
    assert "Please correct the duplicate data for publication" in response.content.decode()
    assert not SubSite.objects.exists()


def test_a_save_in_the_admin_sends_one_change_event_with_its_picks(
    change_counts, django_capture_on_commit_callbacks, publisher_client
):
    publications = PublicationFactory.create_batch(3)

    with django_capture_on_commit_callbacks(execute=True):
        publisher_client.post(
            ADD,
            sub_site_data(
                countries=[str(country("TH").pk)],
                **picks(*[(p, False, i) for i, p in enumerate(publications)]),
            ),
        )

    assert SubSite.objects.get().pick_set.count() == 3
    assert change_counts["pages"] == [False]  # one new content version, not one per row


def test_deleting_a_sub_site_takes_its_pages_down_at_once(
    client, change_counts, django_capture_on_commit_callbacks, publisher_client
):
    sub_site = SubSiteFactory(slug="asean")
    PickFactory(sub_site=sub_site)
    assert client.get("/sites/asean/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = publisher_client.post(f"{CHANGELIST}{sub_site.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert change_counts["pages"] == [True]
    assert client.get("/sites/asean/").status_code == 404


def test_deleting_sub_sites_from_the_list_takes_their_pages_down(
    client, change_counts, django_capture_on_commit_callbacks, publisher_client
):
    first, second = SubSiteFactory(slug="first"), SubSiteFactory(slug="second")
    assert client.get("/sites/first/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        publisher_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
        )

    assert not SubSite.objects.exists()
    assert change_counts["pages"] == [True]
    assert client.get("/sites/first/").status_code == 404


# --- What the form refuses --------------------------------------------------------------------


def test_a_pale_accent_colour_is_refused_with_its_contrast_ratio(publisher_client):
    response = publisher_client.post(ADD, sub_site_data(accent_colour="#ffcc00"))

    assert response.status_code == 200
    [message] = form_errors(response)["accent_colour"]
    assert message.startswith("This colour has a contrast of 1.5:1 with white; WCAG AA needs 4.5:1")
    assert not SubSite.objects.exists()


def test_an_accent_colour_that_is_no_colour_is_refused(publisher_client):
    response = publisher_client.post(ADD, sub_site_data(accent_colour="red"))

    assert form_errors(response)["accent_colour"] == ["Enter a colour as #rrggbb."]


@pytest.mark.parametrize(
    "host",
    [
        "https://asean.example.org",
        "asean.example.org/campaign/",
        "asean.example.org:8000",
        "asean",
        "<x>.example.org",
    ],
)
def test_a_host_with_a_scheme_a_path_or_a_port_is_refused_with_what_to_type(host, publisher_client):
    response = publisher_client.post(ADD, sub_site_data(host=host))

    assert form_errors(response)["host"] == [
        "Enter a host name such as aseanrights.example.org (no https://, no path)."
    ]
    assert not SubSite.objects.exists()


@override_settings(ALLOWED_HOSTS=["testserver", "forum-asia.example.org", ".network.example.org"])
@pytest.mark.parametrize("host", ["FORUM-ASIA.example.org", "asean.network.example.org"])
def test_a_host_the_main_site_answers_is_refused(host, publisher_client):
    response = publisher_client.post(ADD, sub_site_data(host=host))

    [message] = form_errors(response)["host"]
    assert message == (
        f"The main site answers at {host.lower()} (DJANGO_ALLOWED_HOSTS), so the sub-site "
        "would never be served there: choose another host."
    )


def test_a_host_or_slug_another_sub_site_has_is_refused(publisher_client):
    SubSiteFactory(slug="asean", host="asean.example.org")

    response = publisher_client.post(
        ADD, sub_site_data(name="Other", slug="asean", host="Asean.example.org")
    )

    errors = form_errors(response)
    assert errors["slug"] == ["Sub-site with this Slug already exists."]
    assert errors["host"] == ["Sub-site with this Host already exists."]


def test_an_introduction_with_a_script_is_refused_with_a_message(publisher_client):
    response = publisher_client.post(
        ADD, sub_site_data(introduction="<p>Hello</p><script>alert(1)</script>")
    )

    [message] = form_errors(response)["introduction"]
    assert "script" in message.lower()
    assert not SubSite.objects.exists()


def test_a_logo_that_is_no_image_is_refused(publisher_client):
    svg = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    response = publisher_client.post(ADD, sub_site_data(logo=svg))

    assert "logo" in form_errors(response)
    assert not SubSite.objects.exists()


# --- The list ---------------------------------------------------------------------------------


def test_the_list_shows_each_sub_sites_address_as_a_link_and_whether_it_is_archived(
    publisher_client,
):
    SubSiteFactory(name="ASEAN advocacy", host="asean.example.org")
    SubSiteFactory(name="Defenders", slug="defenders", is_archived=True)

    html = publisher_client.get(CHANGELIST).content.decode()

    assert '<a href="http://asean.example.org/" target="_blank" rel="noopener">' in html
    assert 'href="http://127.0.0.1:8000/sites/defenders/"' in html
    assert html.count('alt="True"') == 1


def test_the_list_is_searched_by_name_and_host(publisher_client):
    SubSiteFactory(name="ASEAN advocacy", host="asean.example.org")
    SubSiteFactory(name="Defenders", host="defenders.example.net")

    searched = publisher_client.get(CHANGELIST + "?q=asean").content.decode()
    assert "ASEAN advocacy" in searched
    assert "Defenders" not in searched
    searched = publisher_client.get(CHANGELIST + "?q=example.net").content.decode()
    assert "Defenders" in searched
    assert "ASEAN advocacy" not in searched


# --- Who may ----------------------------------------------------------------------------------


def test_an_editor_sees_sub_sites_and_may_not_add_change_or_delete_them(client):
    sub_site = SubSiteFactory()
    client.force_login(editor())

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, sub_site_data()).status_code == 403
    assert client.post(change_url(sub_site), sub_site_data(name="Renamed")).status_code == 403
    assert client.post(f"{CHANGELIST}{sub_site.pk}/delete/", {"post": "yes"}).status_code == 403
    sub_site.refresh_from_db()
    assert sub_site.name != "Renamed"
    assert SubSite.objects.count() == 1


def test_a_publisher_finds_publications_themes_and_countries_to_choose_by_typing(publisher_client):
    PublicationFactory(title="Land rights in Cambodia", tags=["Land rights"])

    def search(model_name, field_name, term):
        query = {"app_label": "subsites", "model_name": model_name, "field_name": field_name}
        response = publisher_client.get("/admin/autocomplete/", {**query, "term": term})
        assert response.status_code == 200
        return [result["text"] for result in response.json()["results"]]

    assert search("pick", "publication", "land") == ["Land rights in Cambodia"]
    assert search("subsite", "themes", "land") == ["Land rights"]
    assert search("subsite", "countries", "camb") == [str(Country.objects.get(code="KH"))]
