"""The list's filter selects as a cached fragment (`{% filter_fields %}`): keyed on the options
and the choices shown, so the same page never shows another page's choice nor yesterday's
options."""

import pytest

from forumasia import events
from tests.factories import PublicationFactory, country

pytestmark = pytest.mark.django_db

LIST = "/publications/"


def test_the_chosen_country_is_selected_and_only_on_its_page(client, page_cache_off):
    PublicationFactory(countries=[country("TH")])
    PublicationFactory(countries=[country("NP")])

    chosen = client.get(LIST, {"country": "th"}).content.decode()
    plain = client.get(LIST).content.decode()

    assert '<option value="th" selected>Thailand</option>' in chosen
    assert '<option value="np">Nepal</option>' in chosen
    assert '<option value="th">Thailand</option>' in plain
    assert " selected>" not in plain


def test_a_publication_about_a_new_country_adds_it_to_the_options(client, page_cache_off, commit):
    PublicationFactory(countries=[country("TH")])
    assert '<option value="kh">' not in client.get(LIST).content.decode()

    # Written by its admin save: one change event.
    events.changed(PublicationFactory(countries=[country("KH")]))
    commit()

    assert '<option value="kh">Cambodia</option>' in client.get(LIST).content.decode()


def test_the_search_page_has_the_same_selects_with_its_own_ids(client, page_cache_off):
    PublicationFactory(countries=[country("TH")])

    html = client.get("/search/", {"q": "statement"}).content.decode()

    assert 'id="search-country"' in html
    assert '<option value="th">Thailand</option>' in html
