"""The publications changelist searches the public search's full-text index: title, summary,
body, themes, countries and signatories (typo-tolerant on PostgreSQL, contains on SQLite)."""

import pytest
from django.db import connection

from publications import search
from tests.factories import (
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
)
from tests.publications.test_admin import CHANGELIST

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Typo correction and the ranked window need pg_trgm"
)


def found(client, query, **params):
    response = client.get(CHANGELIST, {"q": query, **params})
    assert response.status_code == 200
    return sorted(publication.title for publication in response.context["cl"].result_list)


def test_finds_a_phrase_from_the_body_and_a_signatorys_name_drafts_included(editor_client):
    lawyers = MemberOrganisationFactory(name="Thai Lawyers for Rights", acronym="TLHR")
    PublicationFactory(
        title="Court ruling", body="<p>The verdict ignored the torture evidence.</p>"
    )
    PublicationFactory(title="Draft letter", status="draft", signatories=[lawyers])
    PublicationFactory(title="Partnered", signatories=[PartnerOrganisationFactory(name="CIVICUS")])
    PublicationFactory(title="Unrelated")

    assert found(editor_client, "torture evidence") == ["Court ruling"]
    assert found(editor_client, "Thai Lawyers") == ["Draft letter"]
    assert found(editor_client, "TLHR") == ["Draft letter"]
    assert found(editor_client, "civicus") == ["Partnered"]


def test_search_combines_with_filters_and_keeps_the_changelists_order(editor_client):
    PublicationFactory(title="Old report on land", type="report")
    PublicationFactory(title="Statement on land")
    newest = PublicationFactory(title="New report on land", type="report")

    response = editor_client.get(CHANGELIST, {"q": "land", "type__exact": "report"})

    assert list(response.context["cl"].result_list)[0] == newest
    assert len(response.context["cl"].result_list) == 2


@postgres_only
def test_a_typo_finds_the_signatory_and_says_what_was_searched(editor_client):
    lawyers = MemberOrganisationFactory(name="Cambodian League")
    PublicationFactory(title="Joint appeal", signatories=[lawyers])

    response = editor_client.get(CHANGELIST, {"q": "Cambodain"})

    assert [p.title for p in response.context["cl"].result_list] == ["Joint appeal"]
    assert "showing matches for “cambodian”" in response.content.decode()


@postgres_only
def test_more_matches_than_the_window_says_only_the_newest_are_listed(editor_client, monkeypatch):
    monkeypatch.setattr(search, "RANKED_WINDOW", 2)
    monkeypatch.setattr("publications.admin.RANKED_WINDOW", 2)
    for number in range(4):
        PublicationFactory(title=f"Defenders {number}")

    response = editor_client.get(CHANGELIST, {"q": "defenders"})

    assert "the newest 2 are listed" in response.content.decode()


def test_translation_of_autocomplete_offers_originals_only(editor_client):
    original = PublicationFactory(title="Crackdown statement", language="en")
    PublicationFactory(title="Crackdown statement (Thai)", language="th", translation_of=original)

    results = editor_client.get(
        "/admin/autocomplete/",
        {
            "term": "crackdown",
            "app_label": "publications",
            "model_name": "publication",
            "field_name": "translation_of",
        },
    ).json()["results"]

    assert [result["text"] for result in results] == ["Crackdown statement"]
