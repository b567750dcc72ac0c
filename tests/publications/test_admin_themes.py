"""Themes in the admin (publications/admin_themes.py): editors add themes and change those no
released publication carries; merging is the publishers' and answers every input with a page
or a message, never a 5xx; a merge is in the History of each publication it changes."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from taggit.models import Tag

from forumasia import history
from publications.models import Publication
from tests.factories import PublicationFactory, editor, publisher

pytestmark = pytest.mark.django_db

THEMES = "/admin/taggit/tag/"
MERGE = THEMES + "merge-tags/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def theme(name):
    return Tag.objects.get(name=name)


# --- Editors and released themes --------------------------------------------------------------


def test_an_editor_adds_a_theme_and_renames_one_only_drafts_carry():
    PublicationFactory(status="draft", tags=["Draft theme"])
    client = logged_in(editor())

    added = client.post(f"{THEMES}add/", {"name": "Digital rights", "slug": "digital-rights"})
    renamed = client.post(
        f"{THEMES}{theme('Draft theme').pk}/change/",
        {"name": "Drafted theme", "slug": "draft-theme"},
    )

    assert (added.status_code, renamed.status_code) == (302, 302)
    assert Tag.objects.filter(name__in=["Digital rights", "Drafted theme"]).count() == 2


@pytest.mark.parametrize("state", ["live", "scheduled"])
def test_a_theme_a_released_publication_carries_is_read_only_to_an_editor(state):
    moment = timezone.now() + timedelta(days=1 if state == "scheduled" else -1)
    PublicationFactory(tags=["Land rights"], publish_at=moment)
    land = theme("Land rights")
    client = logged_in(editor())

    form = client.get(f"{THEMES}{land.pk}/change/")
    change = client.post(f"{THEMES}{land.pk}/change/", {"name": "Lands", "slug": "lands"})
    delete = client.post(f"{THEMES}{land.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        THEMES, {"action": "delete_selected", "_selected_action": [land.pk], "post": "yes"}
    )

    assert "only a publisher can change or delete it" in form.content.decode()
    assert (change.status_code, delete.status_code, bulk.status_code) == (403, 403, 403)
    assert theme("Land rights").slug == land.slug


def test_themes_are_given_to_publications_in_their_form_not_by_raw_ids_here():
    html = logged_in(publisher()).get(f"{THEMES}add/").content.decode()

    assert "taggit-taggeditem" not in html and "object_id" not in html


# --- Merging ----------------------------------------------------------------------------------


def test_an_editor_may_not_merge_themes_by_any_route():
    PublicationFactory(tags=["Defenders", "defenders"])
    ids = [theme("Defenders").pk, theme("defenders").pk]
    client = logged_in(editor())

    listed = client.get(THEMES).content.decode()
    action = client.post(THEMES, {"action": "merge_themes", "_selected_action": ids})
    page = client.get(MERGE, {"themes": ids})
    post = client.post(MERGE, {"themes": ids, "into": "Defenders"})

    assert 'value="merge_themes"' not in listed
    assert action.status_code in (200, 302) and "merge-tags" not in action.get("Location", "")
    assert (page.status_code, post.status_code) == (403, 403)
    assert Publication.objects.get().tags.count() == 2


def test_a_publisher_merges_duplicates_into_one_and_history_records_it():
    both = PublicationFactory(tags=["Human rights defenders", "human rights defenders"])
    one = PublicationFactory(tags=["human rights defenders"])
    ids = [theme("Human rights defenders").pk, theme("human rights defenders").pk]
    client = logged_in(publisher())

    chosen = client.post(THEMES, {"action": "merge_themes", "_selected_action": ids})
    form = client.get(chosen["Location"])
    merged = client.post(MERGE, {"themes": ids, "into": "HUMAN RIGHTS DEFENDERS"}, follow=True)

    assert form.status_code == 200 and "human rights defenders" in form.content.decode()
    assert "merged into “Human rights defenders”" in merged.content.decode()
    for publication in (both, one):
        assert list(publication.tags.names()) == ["Human rights defenders"]
        assert (
            history.versions_of(publication).get().revision.comment.startswith("Merged the themes")
        )
    kept = theme("Human rights defenders")
    assert Client().get(f"/publications/?tag={kept.slug}").context["page_obj"].paginator.count == 2


def test_merging_into_a_new_name_makes_that_theme():
    PublicationFactory(tags=["Elections"])
    client = logged_in(publisher())

    client.post(MERGE, {"themes": [theme("Elections").pk], "into": "Elections and voting"})

    assert list(Publication.objects.get().tags.names()) == ["Elections and voting"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"themes": ""},
        {"themes": "x"},
        {"themes": "99999"},
        {"themes": "99999999999999999999"},
        {"themes": "1e9"},
        {"themes": "-1"},
        {"themes": "²"},
        {"themes": "\x00"},
    ],
    ids=["nothing", "empty", "text", "gone", "huge", "float", "negative", "superscript", "nul"],
)
def test_a_bad_or_stale_selection_is_a_message_in_the_list(query):
    response = logged_in(publisher()).get(MERGE, query, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == THEMES
    messages = list(response.context["messages"])
    assert messages and all(message.level_tag == "error" for message in messages)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    themes=st.lists(
        st.one_of(st.integers().map(str), st.text(max_size=12)), min_size=0, max_size=3
    ),
    into=st.one_of(st.text(max_size=120), st.sampled_from(["", " ", "\x00", "\x0b", "a" * 101])),
)
def test_no_merge_request_yields_a_5xx_and_a_refused_one_changes_nothing(themes, into):
    Tag.objects.all().delete()
    Publication.objects.all().delete()
    PublicationFactory(tags=["Kept", "Other"])
    before = sorted(Publication.objects.get().tags.names())
    client = logged_in(publisher())

    response = client.post(MERGE, {"themes": themes, "into": into})

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert sorted(Publication.objects.get().tags.names()) == before
