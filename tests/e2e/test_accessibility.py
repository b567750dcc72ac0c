"""axe-core (bundled, offline) finds no accessibility violations on the main public pages, in
English, Thai and Indonesian."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from mailings.models import Issue
from tests.factories import (
    IssueFactory,
    IssueVariantFactory,
    MemberOrganisationFactory,
    PublicationFactory,
    country,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/publications/",
    "/publications/?country=kh",
    "/publications/arbitrary-detention-must-end/",
    "/members/",
    "/members/sample-legal-aid-centre/",
    "/countries/kh/",
    "/search/?q=detention",
    "/newsletter/",
    "/newsletter/2026-03/",
    "/newsletter/archive/",
]
# The same kinds of page in Thai and Indonesian (translated labels, other scripts, longer words):
# a representative subset, so that the run stays short.
PAGES += [
    f"/{code}{path}"
    for code in ("th", "id")
    for path in (
        "/",
        "/publications/?country=kh",
        "/publications/arbitrary-detention-must-end/",
        "/members/",
        "/search/?q=detention",
        "/newsletter/",
        "/newsletter/2026-03/",
    )
]


@pytest.fixture
def content():
    member = MemberOrganisationFactory(
        name="Sample Legal Aid Centre", slug="sample-legal-aid-centre", country=country("KH")
    )
    statement = PublicationFactory(
        title="Arbitrary detention must end",
        slug="arbitrary-detention-must-end",
        standfirst="Sample statement on detention.",
        body="<h2>Our calls</h2><p>Release everyone detained.</p><blockquote>Rights.</blockquote>",
        countries=[country("KH")],
        signatories=[member],
        tags=["detention"],
    )
    # A sent issue of the newsletter: its web version, and the archive lists it.
    issue = IssueFactory(
        slug="2026-03",
        items=[statement, PublicationFactory(type="letter", title="Open letter")],
        english__introduction="<p>Dear friends,</p><p>Read <a href='/members/'>our news</a>.</p>",
    )
    IssueVariantFactory(issue=issue, language="th", subject="จดหมายข่าวรายเดือน")
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, started_at=timezone.now())


@pytest.mark.parametrize("width", [390, 1280])
def test_public_pages_have_no_accessibility_violations(page, live_server, content, width):
    axe = Axe()
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = axe.run(page).response["violations"]
        if violations:
            found[path] = [
                (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations
            ]

    assert found == {}
