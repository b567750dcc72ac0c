"""Writes that span rows: partners linked where Other co-signers named them."""

import pytest

from publications import services
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
)

pytestmark = pytest.mark.django_db


def test_linking_a_partner_moves_exact_lines_only_and_appends_it_once():
    member = MemberOrganisationFactory()
    partner = PartnerOrganisationFactory(name="CIVICUS")
    named = PublicationFactory(co_signers="CIVICUS\nCIVICUS members in Asia", signatories=[member])
    already = PublicationFactory(co_signers="civicus", signatories=[partner])
    unnamed = PublicationFactory(co_signers="Friends of CIVICUS")

    assert services.link_co_signers(partner) == 2

    named.refresh_from_db()
    already.refresh_from_db()
    unnamed.refresh_from_db()
    assert named.co_signers == "CIVICUS members in Asia"
    assert [s.signatory for s in named.signatures.all()] == [member, partner]
    assert already.co_signers == "" and already.signatures.count() == 1
    assert unnamed.co_signers == "Friends of CIVICUS" and not unnamed.signatures.exists()
