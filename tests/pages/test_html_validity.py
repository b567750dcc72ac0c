"""Every kind of public page is valid HTML: the Nu HTML Checker (vnu.jar from npm's `vnu-jar`,
pinned in package.json, run offline) finds no error in any of them, nor in the main ones in Thai
and Indonesian.

The pages are rendered by Django's test client in every state a visitor meets (filters on and
off, results and none, each publication type with what it can carry, each newsletter step),
saved to files and checked in one run of the checker: one JVM start for all of them.

Select with `-m html_validity`. Needs Java and the checker (`make install` runs `npm ci`):
skipped with a reason when either is missing, unless REQUIRE_BROWSER=1 (CI), when that fails.
"""

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from mailings.models import Issue
from newsletter import tokens
from newsletter.models import SignupRequest
from pages.models import Page
from pages.services import refresh_hero_renditions
from publications.services import refresh_featured_renditions, refresh_gallery_renditions
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    IssueFactory,
    IssueVariantFactory,
    MailingListFactory,
    MemberOrganisationFactory,
    PageFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    SubscriberFactory,
    country,
)
from tests.publications.conftest import image_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.html_validity]

JAVA = shutil.which("java")
VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"
CHECKER_SECONDS = 300


@pytest.fixture
def checker():
    """The command that runs the Nu HTML Checker."""
    missing = []
    if not JAVA:
        missing.append("no java on PATH (apt-get install -y default-jre-headless)")
    if not VNU_JAR.is_file():
        missing.append(f"no {VNU_JAR.name} (make install runs npm ci)")
    if not missing:
        return [JAVA, "-jar", str(VNU_JAR)]
    reason = "Nu HTML Checker unavailable: " + "; ".join(missing)
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def check_html(checker, paths):
    """The checker's messages of type "error" (and documents it could not read) for `paths`."""
    result = subprocess.run(
        [*checker, "--format", "json", "--stdout", "--exit-zero-always", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=CHECKER_SECONDS,
        check=True,
    )
    messages = json.loads(result.stdout)["messages"]
    return [message for message in messages if message["type"] in ("error", "non-document-error")]


def describe(message):
    where = message.get("url", "").rsplit("/", 1)[-1]
    line = message.get("lastLine", "?")
    extract = message.get("extract", "").strip().replace("\n", " ")
    return f"{where}:{line}: {message['message']}\n    {extract}"


def image_file(name, size=(1200, 800)):
    return ContentFile(image_bytes(size=size), name=name)


@pytest.fixture
def site_content():
    """Publications of every type with everything they can carry, members, a newsletter."""
    thailand, cambodia = country("TH"), country("KH")
    members = [
        MemberOrganisationFactory(name="Sample Legal Aid Centre", acronym="SLAC", country=cambodia),
        MemberOrganisationFactory(name="Sample Rights Watch", acronym="", country=thailand),
    ]
    statement = PublicationFactory(
        type="statement",
        title="Arbitrary detention must end",
        slug="arbitrary-detention-must-end",
        body="<h2>Our calls</h2><p>Release everyone detained.</p><blockquote>Rights.</blockquote>",
        countries=[cambodia, thailand],
        tags=["Detention", "Civic space"],
        signatories=[*members, PartnerOrganisationFactory(name="Sample Partner Alliance")],
        co_signers="Sample Collective\nAnother Sample Group",
        media_contact="Sample Press Officer\npress@example.org",
        featured_image=image_file("statement.jpg"),
        featured_image_alt="People at a vigil",
        featured_image_caption="A vigil",
        featured_image_credit="Sample photographer",
    )
    refresh_featured_renditions(statement)
    PublicationFactory(
        title="Detention doit cesser", language="fr", translation_of=statement, tags=["Detention"]
    )
    letter = PublicationFactory(
        type="letter", title="Open letter on detention", countries=[cambodia]
    )
    report = PublicationFactory(type="report", title="Detention report 2024", tags=["Detention"])
    AttachmentFactory(publication=report, title="Full report")
    story = PublicationFactory(
        type="story",
        title="Voices of detention",
        video_url="https://youtu.be/dQw4w9WgXcQ",
        countries=[thailand],
    )
    for number in range(3):
        gallery_image = GalleryImageFactory(
            publication=story,
            image=image_file(f"gallery-{number}.jpg"),
            caption=f"Sample caption {number}",
            credit="Sample photographer",
        )
        refresh_gallery_renditions(gallery_image)
    for number in range(45):
        PublicationFactory(
            title=f"Sample statement on civic space {number}",
            publish_at=timezone.now() - timedelta(days=2 + number),
            countries=[thailand],
        )
    monthly = MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter", is_default=True)
    MailingListFactory(slug="urgent-appeals", name="Urgent statements and appeals")
    # A sent issue (its web version, the archive, the newsletter page's latest issues), in
    # English and Thai (Indonesian falls back to English), and one still a draft.
    issue = IssueFactory(
        slug="2026-03",
        lists=[monthly],
        items=[statement, letter, story],
        english__introduction=(
            "<p>Dear friends,</p><ul><li>Read <a href='https://example.org/'>our call</a>.</li>"
            "</ul><h2>This month</h2><p>Three <strong>urgent</strong> appeals.</p>"
        ),
    )
    IssueVariantFactory(issue=issue, language="th", subject="จดหมายข่าว", preheader="")
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT, started_at=timezone.now())
    IssueFactory(slug="draft-issue")
    return {
        "issue": issue,
        "statement": statement,
        "letter": letter,
        "report": report,
        "story": story,
        "members": members,
    }


def newsletter_pages(client, settings):
    """Every page of the newsletter journey, as (name, response)."""
    pages = [("newsletter-subscribe", client.get("/newsletter/"))]
    pages.append(("newsletter-subscribe-errors", client.post("/newsletter/", {"email": "nope"})))
    pages.append(
        ("newsletter-start", client.post("/newsletter/start/", {"email": "a@example.org"}))
    )
    checked = client.post("/newsletter/", {"email": "reader@example.org", "consent": "on"})
    pages.append(("newsletter-check-inbox", checked))

    signup = SignupRequest.objects.get(subscriber__email="reader@example.org")
    confirm_path = f"/newsletter/confirm/{tokens.confirmation_token(signup)}/"
    pages.append(("newsletter-confirm", client.get(confirm_path)))
    pages.append(("newsletter-welcome", client.post(confirm_path)))
    subscriber = signup.subscriber
    token = tokens.manage_token(subscriber)
    pages.append(("newsletter-manage", client.get(f"/newsletter/manage/{token}/")))
    pages.append(
        ("newsletter-manage-errors", client.post(f"/newsletter/manage/{token}/", {"lists": "x"}))
    )
    pages.append(
        ("newsletter-unsubscribe-confirm", client.get(f"/newsletter/unsubscribe/{token}/"))
    )
    pages.append(("newsletter-unsubscribed", client.post(f"/newsletter/unsubscribe/{token}/")))
    pages.append(("newsletter-unsubscribe-again", client.get(f"/newsletter/unsubscribe/{token}/")))
    pages.append(("newsletter-manage-unsubscribed", client.get(f"/newsletter/manage/{token}/")))
    pages.append(("newsletter-link-problem", client.get("/newsletter/confirm/not-a-token/")))

    other = SubscriberFactory(email="later@example.org")
    old_token = tokens.manage_token(other)
    with time_machine.travel(timezone.now() + timedelta(days=400)):
        pages.append(("newsletter-link-expired", client.get(f"/newsletter/manage/{old_token}/")))
        pages.append(
            (
                "newsletter-fresh-link-sent",
                client.post(f"/newsletter/manage/{old_token}/", {"action": "send-fresh-link"}),
            )
        )
    settings.NEWSLETTER_SIGNUP_LIMIT = 0
    pages.append(
        ("newsletter-rate-limited", client.post("/newsletter/", {"email": "b@example.org"}))
    )
    return pages


def editorial_page_with_an_image():
    """An editorial page under About us, with an introduction, an image and its credit."""
    page = PageFactory(
        path="/about/our-history/",
        parent=Page.objects.get(path="/about/"),
        hero_image=ContentFile(image_bytes(size=(1600, 900)), name="history.jpg"),
        hero_image_alt="The first meeting of the network",
        hero_image_credit="Sample photographer",
    )
    refresh_hero_renditions(page)
    return page


def test_every_public_page_is_valid_html(checker, client, settings, site_content, tmp_path):
    statement, report, story = (site_content[k] for k in ("statement", "report", "story"))
    member = site_content["members"][0]
    paths = {
        "home": "/",
        "list": "/publications/",
        "list-page-2": "/publications/?page=2",
        "list-type-filter": "/publications/?type=statement",
        "list-filters": "/publications/?type=statement&country=th&tag=detention&q=detention",
        "list-type-page": "/statements/",
        "list-no-results": "/publications/?q=zzzqqq",
        "statement": statement.get_absolute_url(),
        "letter": site_content["letter"].get_absolute_url(),
        "report": report.get_absolute_url(),
        "story": story.get_absolute_url(),
        "members": "/members/",
        "members-filtered": "/members/?q=sample&country=KH",
        "members-none": "/members/?q=zzzqqq",
        "member": member.get_absolute_url(),
        "country": "/countries/th/",
        "search-empty": "/search/",
        "search-results": "/search/?q=detention",
        "search-filters": "/search/?q=detention&type=statement&country=kh",
        "search-correction": "/search/?q=detentoin",
        "search-nothing": "/search/?q=zzzqqq",
        "editorial-page": "/about/",
        "editorial-page-in-a-section": editorial_page_with_an_image().path,
        "not-found": "/no-such-page/",
        "newsletter-issue": site_content["issue"].get_absolute_url(),
        "newsletter-archive": "/newsletter/archive/",
    }
    # The same kinds of page in Thai and Indonesian: a representative subset.
    filters = "type=statement&country=th&tag=detention"
    for code in ("th", "id"):
        paths |= {
            f"{code}-home": f"/{code}/",
            f"{code}-list-filters": f"/{code}/publications/?{filters}",
            f"{code}-statement": f"/{code}{statement.get_absolute_url()}",
            f"{code}-story": f"/{code}{story.get_absolute_url()}",
            f"{code}-members": f"/{code}/members/",
            f"{code}-member": f"/{code}{member.get_absolute_url()}",
            f"{code}-search-results": f"/{code}/search/?q=detention",
            f"{code}-newsletter-subscribe": f"/{code}/newsletter/",
            f"{code}-newsletter-issue": f"/{code}{site_content['issue'].get_absolute_url()}",
            f"{code}-not-found": f"/{code}/no-such-page/",
        }
    expected_status = {
        "not-found": 404,
        "th-not-found": 404,
        "id-not-found": 404,
        "newsletter-subscribe-errors": 400,
        "th-newsletter-subscribe-errors": 400,
        "id-newsletter-subscribe-errors": 400,
        "newsletter-manage-errors": 400,
        "newsletter-link-problem": 400,
        "newsletter-link-expired": 410,
        "newsletter-rate-limited": 429,
    }
    responses = [(name, client.get(path)) for name, path in paths.items()]
    responses += [
        (
            f"{code}-newsletter-subscribe-errors",
            Client().post(f"/{code}/newsletter/", {"email": "x"}),
        )
        for code in ("th", "id")
    ]
    # Last: it ends rate-limited.
    responses += newsletter_pages(Client(), settings)

    saved = []
    for name, response in responses:
        assert response.status_code == expected_status.get(name, 200), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        saved.append(path)
    server_error = tmp_path / "server-error.html"
    server_error.write_bytes((settings.BASE_DIR / "templates" / "500.html").read_bytes())
    saved.append(server_error)

    errors = check_html(checker, saved)

    if errors:
        pytest.fail(f"{len(errors)} HTML errors:\n" + "\n".join(map(describe, errors)), False)
