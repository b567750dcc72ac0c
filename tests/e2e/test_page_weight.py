"""The page-weight budget (≤ 100 KB of HTML, CSS and JavaScript, compressed, per page), and no
request to a third party, on the main public pages in English, Thai and Indonesian, as
Chromium loads them: translated labels and Thai script (three bytes a character in UTF-8)
must not push a page over it. bench/weight.py measures the same as served by gunicorn.

Each response is weighed gzipped (level 6, as nginx and whitenoise send it; brotli is smaller).
"""

import gzip

import pytest

from tests.factories import MemberOrganisationFactory, PublicationFactory, country

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUDGET = 100 * 1024
WEIGHED = ("document", "stylesheet", "script")
PAGES = [
    "/",
    "/publications/",
    "/publications/?country=kh",
    "/publications/arbitrary-detention-must-end/",
    "/search/?q=detention",
    "/members/",
    "/newsletter/",
]


@pytest.fixture
def content():
    """A full first page of publications (the list shows 20), members and one signed statement."""
    cambodia = country("KH")
    members = [
        MemberOrganisationFactory(name=f"Sample Rights Centre {number}", country=cambodia)
        for number in range(6)
    ]
    PublicationFactory(
        title="Arbitrary detention must end",
        slug="arbitrary-detention-must-end",
        body="<h2>Our calls</h2>" + "<p>Release everyone detained without charge.</p>" * 30,
        countries=[cambodia],
        signatories=members,
        tags=["Detention", "Civic space"],
    )
    for number in range(24):
        PublicationFactory(title=f"Sample statement on detention {number}", countries=[cambodia])


def compressed_weight(page, site, path):
    """Bytes of HTML, CSS and JS, compressed, that loading `path` fetched from `site`."""
    responses = []

    def record(response):
        responses.append(response)

    page.on("response", record)
    page.goto(site + path, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", record)
    return sum(
        len(gzip.compress(response.body(), 6))
        for response in responses
        if response.request.resource_type in WEIGHED
        and response.ok
        and response.url.startswith(site + "/")
    )


@pytest.mark.parametrize("prefix", ["", "/th", "/id"], ids=["en", "th", "id"])
def test_main_pages_keep_the_weight_budget_and_load_nothing_third_party(
    page, live_server, content, prefix, third_party_requests
):
    weights = {path: compressed_weight(page, live_server.url, prefix + path) for path in PAGES}

    assert {path: weight for path, weight in weights.items() if weight > BUDGET} == {}, weights
    assert third_party_requests == []
