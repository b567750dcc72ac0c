"""Signatories in the admin: ordered rows of members and partners, partners' own admin, the
filter by signatory."""

import pytest

from forumasia import history
from publications.models import PartnerOrganisation, Publication
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    member,
)
from tests.publications.test_admin import ADD, CHANGELIST, form_data

pytestmark = pytest.mark.django_db

PARTNERS = "/admin/publications/partnerorganisation/"


def signature_rows(*rows):
    """Inline form data: rows of (member, partner, order)."""
    data = {"signatures-TOTAL_FORMS": str(len(rows))}
    for index, (signer, partner, order) in enumerate(rows):
        data[f"signatures-{index}-member"] = str(signer.pk) if signer else ""
        data[f"signatures-{index}-partner"] = str(partner.pk) if partner else ""
        data[f"signatures-{index}-order"] = str(order)
    return data


def test_rows_are_saved_in_the_order_their_positions_give_members_and_partners_alike(
    editor_client,
):
    first, second = MemberOrganisationFactory(), MemberOrganisationFactory()
    partner = PartnerOrganisationFactory(name="CIVICUS")

    response = editor_client.post(
        ADD, form_data(**signature_rows((first, None, 3), (None, partner, 1), (second, None, 2)))
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    publication = Publication.objects.get()
    assert [s.signatory for s in publication.signatures.all()] == [partner, second, first]


@pytest.mark.parametrize("both", [True, False])
def test_a_row_names_a_member_or_a_partner_or_the_form_says_so(editor_client, both):
    signer, partner = MemberOrganisationFactory(), PartnerOrganisationFactory()
    row = (signer, partner, 1) if both else (None, None, 1)
    data = form_data(**signature_rows(row))
    if not both:
        data["signatures-0-order"] = "5"  # a changed row that names nobody

    response = editor_client.post(ADD, data)

    assert response.status_code == 200
    assert not Publication.objects.exists()
    expected = "not both" if both else "Choose a member organisation or a partner"
    assert expected in response.content.decode()


def test_rows_are_compact_with_a_handle_and_buttons_to_move_them(editor_client):
    signer = member("Thai Lawyers for Rights", "TH")
    # A draft: a released item is read-only to an Editor.
    publication = PublicationFactory(signatories=[signer], status="draft")

    page = editor_client.get(f"{CHANGELIST}{publication.pk}/change/").content.decode()

    assert 'class="signature-handle"' in page
    assert 'aria-label="Move up"' in page and 'aria-label="Move down"' in page
    assert "signed" not in page.split('id="signatures-group"')[1].split("</fieldset>")[0]
    assert "publications/signature-order.js" in page
    # The inline follows the other co-signers box directly.
    co_signers = page.index('name="co_signers"')
    assert page.index('id="signatures-group"') > co_signers
    assert all(page.index(f'name="{name}"') < co_signers for name in ("title", "translation_of"))


def test_partners_are_chosen_with_autocomplete(editor_client):
    PartnerOrganisationFactory(name="CIVICUS", website="https://www.civicus.org/")

    found = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "civ",
            "app_label": "publications",
            "model_name": "signature",
            "field_name": "partner",
        },
    ).json()

    assert [result["text"] for result in found["results"]] == ["CIVICUS"]


def test_adding_a_partner_links_it_where_other_co_signers_named_it(editor_client):
    publication = PublicationFactory(co_signers="civicus\nA local collective", status="draft")

    response = editor_client.post(
        f"{PARTNERS}add/", {"name": "CIVICUS", "website": "www.civicus.org"}, follow=True
    )

    partner = PartnerOrganisation.objects.get()
    assert partner.website == "https://www.civicus.org"
    assert "now linked there as a partner" in response.content.decode()
    publication.refresh_from_db()
    assert publication.co_signers == "A local collective"
    assert [s.partner for s in publication.signatures.all()] == [partner]


def test_an_editors_new_partner_stays_text_on_published_items_until_a_publisher_saves_it(
    editor_client, publisher_client
):
    published = PublicationFactory(co_signers="CIVICUS\nA local collective")

    response = editor_client.post(f"{PARTNERS}add/", {"name": "CIVICUS"}, follow=True)

    assert "until a publisher saves this partner" in response.content.decode()
    published.refresh_from_db()
    assert published.co_signers == "CIVICUS\nA local collective"
    assert not published.signatures.exists()
    partner = PartnerOrganisation.objects.get()
    publisher_client.post(f"{PARTNERS}{partner.pk}/change/", {"name": "CIVICUS"})
    published.refresh_from_db()
    assert published.co_signers == "A local collective"
    assert [s.partner for s in published.signatures.all()] == [partner]
    assert history.versions_of(published).get().revision.comment == (
        "Linked the partner “CIVICUS” named under Other co-signers"
    )


def test_a_partner_name_differing_only_in_case_is_refused(editor_client):
    PartnerOrganisationFactory(name="CIVICUS")

    response = editor_client.post(f"{PARTNERS}add/", {"name": "Civicus"})

    assert response.status_code == 200
    assert "exists already" in response.content.decode()


# --- The filter by signatory -----------------------------------------------------------------


def test_filter_offers_every_member_and_partner_as_suggestions_not_links(editor_client):
    member("Thai Lawyers for Rights", "TH", acronym="TLHR")
    PartnerOrganisationFactory(name="CIVICUS")

    page = editor_client.get(CHANGELIST).content.decode()

    assert '<option value="Thai Lawyers for Rights (TLHR)">' in page
    assert '<option value="CIVICUS (partner)">' in page
    assert 'list="signatory-filter-options"' in page


@pytest.mark.parametrize(
    "typed",
    ["Thai Lawyers for Rights (TLHR)", "thai lawyers", "TLHR", "CIVICUS (partner)", "civicus"],
)
def test_filter_by_a_member_or_a_partner_keeps_the_other_filters(editor_client, typed):
    lawyers = member("Thai Lawyers for Rights", "TH", acronym="TLHR")
    civicus = PartnerOrganisationFactory(name="CIVICUS")
    signer = civicus if "civicus" in typed.lower() else lawyers
    PublicationFactory(title="Signed report", type="report", signatories=[signer])
    PublicationFactory(title="Signed statement", signatories=[signer])
    PublicationFactory(title="Not signed", type="report")

    response = editor_client.get(CHANGELIST, {"signatory": typed, "type__exact": "report"})

    assert [p.title for p in response.context["cl"].result_list] == ["Signed report"]
    assert '<input type="hidden" name="type__exact" value="report">' in response.content.decode()


def test_filter_by_a_name_nobody_has_finds_nothing(editor_client):
    PublicationFactory(signatories=[MemberOrganisationFactory()])

    response = editor_client.get(CHANGELIST, {"signatory": "Nobody at all <b>"})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert "Nobody at all &lt;b&gt;" in response.content.decode()
