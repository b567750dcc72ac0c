"""The home page: composed from content, within its query budget, cached for anonymous
visitors and never stale after a publish, an unpublish or a scheduled time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publications import services
from publications.models import Publication
from tests.factories import (
    MemberOrganisationFactory,
    PublicationFactory,
    StaffUserFactory,
    country,
)

pytestmark = pytest.mark.django_db


def html(response):
    return response.content.decode()


def test_home_is_composed_from_the_latest_public_content(client):
    lead = PublicationFactory(title="The featured report", type="report", is_featured=True)
    statements = [
        PublicationFactory(title=f"Statement {n}", publish_at=timezone.now() - timedelta(hours=n))
        for n in range(1, 6)
    ]
    story = PublicationFactory(title="A story from the border", type="story")
    PublicationFactory(title="A draft statement", status="draft")
    PublicationFactory(title="A scheduled one", publish_at=timezone.now() + timedelta(hours=1))

    response = client.get("/")

    context = response.context
    assert context["lead"] == lead
    assert context["latest_statements"] == statements[:4]
    assert context["latest_stories"] == [story]
    assert context["latest_reports"] == []  # the only report leads the page
    assert "A draft statement" not in html(response)
    assert "A scheduled one" not in html(response)


def test_without_a_featured_item_the_newest_publication_leads(client):
    PublicationFactory(title="Older", publish_at=timezone.now() - timedelta(days=3))
    newest = PublicationFactory(title="Newest")

    assert client.get("/").context["lead"] == newest


def test_network_figures_are_computed(client):
    MemberOrganisationFactory.create_batch(2, country=country("NP"))
    MemberOrganisationFactory(country=country("KH"))
    MemberOrganisationFactory(country=country("KH"), is_active=False)
    this_year = timezone.localtime().replace(month=1, day=1, hour=0, minute=5)
    PublicationFactory(publish_at=max(this_year, timezone.now() - timedelta(minutes=1)))
    PublicationFactory(publish_at=this_year - timedelta(days=2))

    network = client.get("/").context["network"]

    assert network["members"] == 3
    assert network["countries"] == 2
    assert network["publications_this_year"] == 1


def test_home_shows_the_members_map_and_the_newsletter_form(client):
    MemberOrganisationFactory(country=country("TH"))

    page = html(client.get("/"))

    assert 'class="network-map"' in page
    assert 'id="home-email"' in page


def test_home_query_budget_is_constant(client, django_assert_max_num_queries):
    member = MemberOrganisationFactory()
    for _ in range(12):
        for kind in ("statement", "report", "story", "letter"):
            PublicationFactory(
                type=kind, countries=[country("TH")], tags=["Civic space"], signatories=[member]
            )

    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200


# --- the anonymous page cache --------------------------------------------------------------------


def test_second_anonymous_request_is_served_from_the_cache(client, django_assert_max_num_queries):
    PublicationFactory(title="Cached statement")
    first = client.get("/")

    with django_assert_max_num_queries(0):
        second = client.get("/")

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Content-Security-Policy" in second
    assert not second.cookies


def test_cached_page_sets_no_cookie_and_holds_no_csrf_token(client):
    client.get("/")
    response = client.get("/")

    assert response["X-Page-Cache"] == "hit"
    assert not response.cookies
    assert b"csrfmiddlewaretoken" not in response.content


def test_publishing_shows_the_new_item_at_once(client):
    draft = PublicationFactory(title="Breaking: defenders released", status="draft")
    assert "defenders released" not in html(client.get("/"))

    services.publish([draft])

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "defenders released" in html(response)


def test_unpublishing_and_editing_remove_the_old_content_at_once(client):
    publication = PublicationFactory(title="First title")
    assert "First title" in html(client.get("/"))

    publication.title = "Corrected title"
    publication.save()
    assert "Corrected title" in html(client.get("/"))

    services.unpublish([publication])
    assert "Corrected title" not in html(client.get("/"))


def test_member_changes_refresh_the_figures(client):
    client.get("/")
    MemberOrganisationFactory()

    assert client.get("/").context["network"]["members"] == 1


def test_a_scheduled_item_appears_when_its_time_comes_without_any_save(client, monkeypatch):
    now = timezone.now()
    PublicationFactory(title="Scheduled appeal", publish_at=now + timedelta(minutes=5))
    assert "Scheduled appeal" not in html(client.get("/"))
    assert client.get("/")["X-Page-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=6))

    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Scheduled appeal" in html(response)


def test_logged_in_staff_never_get_the_cached_page(client):
    client.get("/")  # fills the cache
    client.force_login(StaffUserFactory())

    response = client.get("/")

    assert "X-Page-Cache" not in response
    assert response.context is not None  # rendered for this request


def test_a_page_rendered_for_staff_is_not_stored_for_visitors(client, django_db_blocker):
    from django.test import Client

    staff = Client()
    staff.force_login(StaffUserFactory())
    staff.get("/")

    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_visitor_with_a_waiting_message_gets_a_fresh_page(client):
    client.get("/")
    client.cookies["messages"] = "anything"

    assert "X-Page-Cache" not in client.get("/")


def test_query_strings_do_not_create_copies_of_the_page(client):
    client.get("/")

    assert client.get("/?utm_source=newsletter")["X-Page-Cache"] == "hit"


def test_next_publish_at_is_the_earliest_scheduled_publication():
    now = timezone.now()
    PublicationFactory(publish_at=now + timedelta(days=2))
    soon = PublicationFactory(publish_at=now + timedelta(hours=1))
    PublicationFactory(status="draft", publish_at=now + timedelta(minutes=1))

    assert Publication.objects.next_publish_at(now) == soon.publish_at
