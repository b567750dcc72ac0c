"""Cards (`{% publication_card %}`, publications/templatetags/publications.py): template
fragments kept on what they show, so a page rendered after a publish takes its cards from the
cache, and a card never shows stale content nor a publication the page's own query did not
choose."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.utils import timezone

from members import services as member_services
from publications import services
from publications.models import Publication, attach_other_languages
from publications.templatetags import publications as tags
from tests.factories import PublicationFactory, country, publisher
from tests.publications.conftest import image_bytes

pytestmark = pytest.mark.django_db

LIST = "/publications/"


@pytest.fixture
def renders(monkeypatch):
    """The publications whose card was rendered (not taken from the cache)."""
    rendered = []
    original = tags.detail_url

    def counting(publication):
        rendered.append(publication.pk)
        return original(publication)

    monkeypatch.setattr(tags, "detail_url", counting)
    return rendered


def test_a_page_rendered_again_takes_its_cards_from_the_cache(client, page_cache_off, renders):
    first, second = PublicationFactory(), PublicationFactory()

    client.get(LIST)
    assert sorted(renders) == sorted([first.pk, second.pk])
    renders.clear()
    # A publish of another item: the page is rendered again, the two cards are not.
    third = PublicationFactory(title="Just published")
    response = client.get(LIST)

    assert renders == [third.pk]
    assert "Just published" in response.content.decode()
    assert first.title in response.content.decode()


def test_an_edited_title_shows_at_once_on_the_list(client, page_cache_off):
    publication = PublicationFactory(title="The first title")
    assert "The first title" in client.get(LIST).content.decode()

    publication.title = "The corrected title"
    publication.save()
    html = client.get(LIST).content.decode()

    assert "The corrected title" in html
    assert "The first title" not in html


def test_an_edit_through_the_page_cache_shows_at_once_too(client, commit):
    """With the page cache on as well (the save's change event moves the content version)."""
    publication = PublicationFactory(title="Before the edit")
    client.get(LIST)
    publication.title = "After the edit"
    services.save_publication(publication=publication, user=publisher())
    commit()

    html = client.get(LIST).content.decode()
    assert "After the edit" in html
    assert "Before the edit" not in html


def test_a_renamed_country_shows_at_once_on_the_list(client, page_cache_off, commit):
    """The filter's options are a fragment too, kept on the names they show."""
    PublicationFactory(countries=[country("KH")])
    assert ">Cambodia<" in client.get(LIST).content.decode()

    cambodia = country("KH")
    cambodia.name = "Kampuchea"
    member_services.save_country(country=cambodia)
    commit()
    html = client.get(LIST).content.decode()

    assert ">Kampuchea<" in html
    assert ">Cambodia<" not in html


def test_a_draft_never_appears_though_its_card_is_cached(client, page_cache_off):
    shown = PublicationFactory(title="Public statement")
    withdrawn = PublicationFactory(title="Withdrawn statement")
    assert "Withdrawn statement" in client.get(LIST).content.decode()

    withdrawn.status = Publication.Status.DRAFT
    withdrawn.save()
    PublicationFactory(title="Never public", status=Publication.Status.DRAFT)
    PublicationFactory(title="Not yet", publish_at=timezone.now() + timedelta(days=1))

    for path in (LIST, "/", shown.get_absolute_url()):
        html = client.get(path).content.decode()
        assert "Withdrawn statement" not in html
        assert "Never public" not in html
        assert "Not yet" not in html
    assert "Public statement" in client.get(LIST).content.decode()


def test_a_new_translation_changes_the_card(client, page_cache_off):
    original = PublicationFactory(title="Original", language="en")
    assert "pub-card__languages" not in client.get(LIST).content.decode()

    thai = PublicationFactory(title="Thai version", language="th", translation_of=original)
    html = client.get("/statements/").content.decode()

    assert f'<a href="{thai.get_absolute_url()}" hreflang="th"' in html


def test_featured_renditions_written_by_the_task_show_on_the_card(client, page_cache_off):
    """Renditions are written after the save, without one (publications/tasks.py)."""
    publication = PublicationFactory(title="With a photo")
    publication.featured_image.save("photo.jpg", ContentFile(image_bytes(size=(1200, 800))))
    publication.featured_image_alt = "A photo"
    publication.save()
    assert "<picture>" not in client.get(LIST).content.decode()

    services.refresh_featured_renditions(publication)

    assert "<picture>" in client.get(LIST).content.decode()


def test_the_card_shows_what_the_fields_say():
    publication = PublicationFactory(
        title="Rights & <wrongs>", standfirst="word " * 40, publish_at=timezone.now()
    )
    attach_other_languages([publication])
    html = Template("{% load publications %}{% publication_card publication %}").render(
        Context({"publication": publication})
    )

    assert "Rights &amp; &lt;wrongs&gt;" in html
    assert f'href="{publication.get_absolute_url()}"' in html
    assert "word " * 29 + "word …" in html


# --- cards in the reader's language -------------------------------------------------------------


def shown(client, path):
    """(titles of the cards, the count the page states) of a list page."""
    html = client.get(path).content.decode()
    titles = re.findall(r"<h3[^>]*><a [^>]*>([^<]+)</a>", html)
    count = re.search(r'class="result-count"[^>]*>.*?<strong>(\d+)</strong>', html, re.S)
    return sorted(titles), int(count.group(1))


@pytest.fixture
def groups():
    """An English statement with a Thai translation, a Thai one with an English translation and
    an Indonesian one, and an English-only one."""
    appeal = PublicationFactory(title="Appeal in English", language="en")
    PublicationFactory(title="Appeal in Thai", language="th", translation_of=appeal)
    report = PublicationFactory(title="Report in Thai", language="th")
    PublicationFactory(title="Report in English", language="en", translation_of=report)
    PublicationFactory(title="Report in Indonesian", language="id", translation_of=report)
    PublicationFactory(title="English only", language="en")


def test_cards_are_in_the_pages_language_where_the_group_has_it_else_english(client, groups):
    assert shown(client, "/publications/") == (
        ["Appeal in English", "English only", "Report in English"],
        3,
    )
    assert shown(client, "/th/publications/") == (
        ["Appeal in Thai", "English only", "Report in Thai"],
        3,
    )
    assert shown(client, "/id/publications/") == (
        ["Appeal in English", "English only", "Report in Indonesian"],
        3,
    )


def test_a_search_shows_each_group_once_in_the_pages_language(client, groups):
    assert shown(client, "/th/statements/?q=appeal")[0] == ["Appeal in Thai"]
    assert shown(client, "/statements/?q=appeal")[0] == ["Appeal in English"]


def test_a_group_without_the_pages_language_nor_english_shows_its_original(client):
    original = PublicationFactory(title="Statement in Urdu", language="ur")
    PublicationFactory(title="Statement in Pashto", language="ps", translation_of=original)

    for prefix in ("", "/th", "/id"):
        assert shown(client, prefix + LIST) == (["Statement in Urdu"], 1)


def test_pages_count_one_card_per_group_in_every_language(client, settings):
    for number in range(30):
        original = PublicationFactory(title=f"Appeal {number}", language="en")
        if number % 2:
            PublicationFactory(title=f"Appeal {number} th", language="th", translation_of=original)

    for prefix in ("", "/th", "/id"):
        first, count = shown(client, prefix + LIST)
        second, _count = shown(client, prefix + LIST + "?page=2")
        assert count == 30
        assert len(set(first) | set(second)) == 30
    assert len([title for title in shown(client, "/th" + LIST)[0] if title.endswith(" th")]) > 0
