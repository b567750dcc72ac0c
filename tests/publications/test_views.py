import re
from datetime import UTC, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from publications import services, views
from publications.models import Attachment, GalleryImage, Publication
from tests.factories import (
    AttachmentFactory,
    GalleryImageFactory,
    MemberOrganisationFactory,
    PartnerOrganisationFactory,
    PublicationFactory,
    UserFactory,
    country,
    publisher,
)

pytestmark = pytest.mark.django_db

LIST = "/publications/"


def titles(response):
    return [publication.title for publication in response.context["publications"]]


def days_ago(days):
    return timezone.now() - timedelta(days=days)


# --- List ---------------------------------------------------------------------------------------


def test_list_shows_only_public_items_newest_first(client):
    old = PublicationFactory(title="Old one", publish_at=days_ago(10))
    new = PublicationFactory(title="New one", publish_at=days_ago(1))
    PublicationFactory(title="A draft", status="draft")
    PublicationFactory(title="Scheduled", publish_at=timezone.now() + timedelta(hours=2))

    response = client.get(LIST)

    assert response.status_code == 200
    assert titles(response) == [new.title, old.title]
    assert response.context["result_count"] == 2
    html = response.content.decode()
    assert "A draft" not in html and "Scheduled" not in html


def test_list_hides_drafts_from_staff_too_because_lists_show_the_public_view(client, editor):
    PublicationFactory(title="A draft", status="draft")
    client.force_login(editor)

    assert titles(client.get(LIST)) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/statements/", ["S"]),
        ("/letters/", ["L"]),
        ("/reports/", ["R"]),
        ("/stories/", ["T"]),
        ("/publications/?type=letter", ["L"]),
    ],
)
def test_type_pages_and_type_filter_show_one_type(client, url, expected):
    for title, kind in [("S", "statement"), ("L", "letter"), ("R", "report"), ("T", "story")]:
        PublicationFactory(title=title, type=kind)

    assert titles(client.get(url)) == expected


@pytest.mark.parametrize(
    ("url", "heading", "feed_label"),
    [
        ("/statements/", "Statements", "statements"),
        ("/letters/", "Open letters", "open letters"),
        ("/stories/", "Stories", "stories"),
        ("/publications/?type=story", "Publications", "stories"),
    ],
)
def test_type_pages_and_their_feeds_are_named_with_the_types_plural(
    client, url, heading, feed_label
):
    body = client.get(url).content.decode()

    assert f"<h1>{heading}</h1>" in body
    assert f"<title>{heading} — FORUM-ASIA</title>" in body
    assert f"Follow {feed_label} by RSS" in body


def test_type_page_ignores_a_conflicting_type_parameter(client):
    PublicationFactory(title="S", type="statement")
    PublicationFactory(title="L", type="letter")

    assert titles(client.get("/statements/?type=letter")) == ["S"]


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/publications/", "All"),
        ("/publications/?type=statement", "Statements"),
        ("/publications/?type=letter&country=th", "Open letters"),
        ("/publications/?type=story", "Stories"),
        ("/publications/?type=not-a-type", "All"),
        ("/statements/", "Statements"),
        ("/reports/?type=letter", "Reports"),
    ],
)
def test_the_tab_of_the_type_listed_is_the_current_one(client, url, current):
    html = client.get(url).content.decode()

    tabs = re.search(r'<nav class="type-tabs".*?</nav>', html, re.DOTALL).group(0)
    assert re.findall(r'aria-current="page">([^<]+)<', tabs) == [current]


def test_filters_combine_country_tag_year_and_words(client):
    match = PublicationFactory(
        title="Thai bloggers detained",
        countries=[country("TH")],
        tags=["Digital rights"],
        publish_at=timezone.make_aware(timezone.datetime(2024, 5, 1, 12)),
    )
    PublicationFactory(
        title="Thai bloggers in 2023",
        countries=[country("TH")],
        tags=["Digital rights"],
        publish_at=timezone.make_aware(timezone.datetime(2023, 5, 1, 12)),
    )
    PublicationFactory(
        title="Khmer bloggers detained",
        countries=[country("KH")],
        tags=["Digital rights"],
        publish_at=timezone.make_aware(timezone.datetime(2024, 5, 1, 12)),
    )
    PublicationFactory(
        title="Thai bloggers, other theme",
        countries=[country("TH")],
        tags=["Elections"],
        publish_at=timezone.make_aware(timezone.datetime(2024, 5, 1, 12)),
    )

    response = client.get(LIST, {"country": "th", "tag": "digital-rights", "year": "2024"})
    assert titles(response) == [match.title]

    response = client.get(
        LIST, {"country": "TH", "tag": "digital-rights", "year": "2024", "q": "DETAINED"}
    )
    assert titles(response) == [match.title]


def test_year_uses_the_secretariat_time_zone(client):
    # 31 Dec 2023 20:00 UTC is already 1 Jan 2024 in Bangkok.
    PublicationFactory(title="New year", publish_at=timezone.datetime(2023, 12, 31, 20, tzinfo=UTC))

    assert titles(client.get(LIST, {"year": "2024"})) == ["New year"]
    assert titles(client.get(LIST, {"year": "2023"})) == []


def test_active_filters_are_removable_chips_that_keep_the_other_filters(client):
    PublicationFactory(countries=[country("TH")], tags=["Digital rights"])

    response = client.get(LIST, {"country": "th", "tag": "digital-rights", "page": "1"})

    chips = {chip["label"]: chip for chip in response.context["chips"]}
    assert chips["Country"]["value"] == "Thailand"
    assert chips["Theme"]["value"] == "Digital rights"
    assert chips["Country"]["url"] == "?tag=digital-rights"
    assert chips["Theme"]["url"] == "?country=th"
    assert 'href="?tag=digital-rights"' in response.content.decode()


def test_pagination_has_twenty_a_page_and_keeps_filters(client):
    for number in range(45):
        PublicationFactory(
            title=f"Item {number}", countries=[country("NP")], publish_at=days_ago(number + 1)
        )

    first = client.get(LIST, {"country": "np"})
    third = client.get(LIST, {"country": "np", "page": "3"})

    assert len(first.context["publications"]) == 20
    assert first.context["result_count"] == 45
    assert len(third.context["publications"]) == 5
    assert 'href="?country=np&amp;page=2"' in first.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc",
        "?page=99999",
        "?page=-1",
        "?page=0",
        "?year=20x3",
        "?year=99999",
        "?type=unknown",
        "?country=ZZ",
        "?country=%3Cscript%3E",
        "?tag=%3Cscript%3Ealert(1)%3C/script%3E",
        "?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "?q=%E0%B8%AA%E0%B8%B4%E0%B8%97%E0%B8%98%E0%B8%B4%E0%B8%A1%E0%B8%99%E0%B8%B8%E0%B8%A9%E0%B8%A2%E0%B8%8A%E0%B8%99",
        "?q=%00%FF",
        "?country=th&country=kh&tag=a&tag=b",
        "?q=" + "x" * 10_000,
        "?tag=" + "%F0%9F%98%80" * 2_000,
    ],
)
def test_bad_input_gives_a_normal_page_or_404_never_a_500_and_is_escaped(client, query):
    PublicationFactory(countries=[country("TH")], tags=["Civic space"])

    response = client.get(LIST + query)

    assert response.status_code in (200, 404)
    assert "<script>alert(1)" not in response.content.decode()


def test_unknown_country_or_tag_matches_nothing_and_shows_the_value_escaped(client):
    PublicationFactory(countries=[country("TH")], tags=["Civic space"])

    response = client.get(LIST, {"tag": "<script>"})

    assert response.status_code == 200
    assert titles(response) == []
    assert "&lt;script&gt;" in response.content.decode()
    assert titles(client.get(LIST, {"country": "zz"})) == []


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_budget_is_constant_in_the_page_size(
    client, django_assert_max_num_queries, count
):
    member = MemberOrganisationFactory()
    for _ in range(count):
        PublicationFactory(
            countries=[country("TH"), country("KH")],
            tags=["Civic space", "Elections"],
            signatories=[member],
        )

    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"country": "th", "tag": "civic-space", "year": "2026"})
    with django_assert_max_num_queries(8):
        reports = client.get("/reports/?q=civic&page=1")

    assert response.status_code == reports.status_code == 200
    assert len(response.context["publications"]) == min(count, 20)


# --- Detail -------------------------------------------------------------------------------------


def test_detail_shows_everything_a_reader_needs(client):
    th = country("TH")
    first, second = (
        MemberOrganisationFactory(name="Alpha Rights"),
        MemberOrganisationFactory(name="Beta Watch"),
    )
    publication = PublicationFactory(
        title="Free the Five",
        type="letter",
        standfirst="An open letter.",
        body="<p>The body text.</p>",
        countries=[th],
        tags=["Civic space"],
        signatories=[second, first],
        co_signers="Outside Network\nFriends of Rights",
        media_contact="Press Officer\npress@example.org",
    )
    attachment = AttachmentFactory(publication=publication, title="Full letter")

    response = client.get(publication.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "Open letter" in html and "An open letter." in html and "The body text." in html
    assert html.index("Beta Watch") < html.index("Alpha Rights")  # the editor's order
    assert f'href="{second.get_absolute_url()}"' in html
    assert "Outside Network" in html and "Friends of Rights" in html
    assert 'href="/publications/?country=th"' in html
    assert 'href="/publications/?tag=civic-space"' in html
    assert "Full letter" in html
    assert filesizeformat(attachment.file_size) in html
    assert 'href="mailto:press@example.org"' in html
    assert "Preview — not public" not in html


def test_share_links_are_plain_links_to_each_network_carrying_the_address(client, settings):
    publication = PublicationFactory(slug="share-me", title="Free them & now")
    address = settings.SITE_URL + "/publications/share-me/"
    title = "Free them & now"

    html = client.get(publication.get_absolute_url()).content.decode()

    links = {
        name: urlsplit(unescape(href))
        for name, href in re.findall(r'class="share-link share-link--(\w+)" href="([^"]+)"', html)
    }
    shared = {
        name: (f"{link.scheme}://{link.netloc}{link.path}", parse_qs(link.query))
        for name, link in links.items()
    }
    assert shared == {
        "facebook": ("https://www.facebook.com/sharer/sharer.php", {"u": [address]}),
        "x": ("https://x.com/intent/post", {"url": [address], "text": [title]}),
        "linkedin": ("https://www.linkedin.com/sharing/share-offsite/", {"url": [address]}),
        "whatsapp": ("https://wa.me/", {"text": [f"{title} {address}"]}),
        "telegram": ("https://t.me/share/url", {"url": [address], "text": [title]}),
        "email": ("mailto://", {"subject": [title], "body": [address]}),
    }


def test_video_loads_only_on_click_from_the_no_cookie_host(client):
    publication = PublicationFactory(type="story", video_url="https://youtu.be/dQw4w9WgXcQ")

    html = client.get(publication.get_absolute_url()).content.decode()

    assert "<iframe" not in html
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert "js/publications.js" in html


def test_related_are_public_share_a_tag_or_country_and_exclude_the_item_itself(client):
    publication = PublicationFactory(countries=[country("TH")], tags=["Civic space"])
    by_tag = PublicationFactory(tags=["Civic space"], publish_at=days_ago(2))
    by_country = PublicationFactory(countries=[country("TH")], publish_at=days_ago(3))
    PublicationFactory(tags=["Civic space"], status="draft")
    PublicationFactory(tags=["Elections"], countries=[country("KH")])
    PublicationFactory(tags=["Civic space"], publish_at=days_ago(9))
    PublicationFactory(tags=["Civic space"], publish_at=days_ago(10))

    related = client.get(publication.get_absolute_url()).context["related"]

    assert len(related) == 3
    assert related[:2] == [by_tag, by_country]
    assert publication not in related
    assert all(item.is_public for item in related)


def test_translations_link_both_ways_and_only_when_public(client):
    original = PublicationFactory(title="Original", language="en")
    khmer = PublicationFactory(title="Khmer version", language="km", translation_of=original)
    PublicationFactory(title="Thai draft", language="th", translation_of=original, status="draft")

    original_page = client.get(original.get_absolute_url())
    khmer_page = client.get(khmer.get_absolute_url())

    assert original_page.context["translations"] == [khmer]
    assert khmer_page.context["translations"] == [original]
    # Each language is named in itself, so its readers recognise it.
    assert (
        f'<a href="{khmer.get_absolute_url()}" hreflang="km" lang="km">ខ្មែរ</a>'
        in original_page.content.decode()
    )


def test_detail_query_budget_holds_however_much_is_attached(client, django_assert_max_num_queries):
    members = [MemberOrganisationFactory() for _ in range(12)]
    publication = PublicationFactory(
        type="story",
        countries=[country(code) for code in ("TH", "KH", "NP", "MM", "PH")],
        tags=[f"Theme {n}" for n in range(8)],
        signatories=members,
    )
    for _ in range(4):
        AttachmentFactory(publication=publication)
        GalleryImageFactory(publication=publication)
    original = PublicationFactory(language="en")
    publication.translation_of = original
    publication.language = "km"
    publication.save()
    for _ in range(5):
        PublicationFactory(tags=["Theme 1"])
    assert Attachment.objects.count() == 4 and GalleryImage.objects.count() == 4

    with django_assert_max_num_queries(10):
        response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["related"]) == 3


# --- Visibility and preview --------------------------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        {"status": "draft"},
        {"status": "published", "publish_at": timezone.now() + timedelta(days=3)},
    ],
)
def test_guessed_url_of_draft_or_scheduled_item_is_404_for_visitors(client, state):
    publication = PublicationFactory(**state)

    assert client.get(publication.get_absolute_url()).status_code == 404


def test_staff_without_change_permission_gets_404_for_a_draft(client):
    publication = PublicationFactory(status="draft")
    client.force_login(UserFactory(is_staff=True))

    assert client.get(publication.get_absolute_url()).status_code == 404


def test_editor_previews_a_draft_with_a_banner_and_no_caching(client, editor):
    publication = PublicationFactory(status="draft", title="Secret draft")
    client.force_login(editor)

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    assert "Preview — not public" in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_user_with_only_the_change_permission_may_preview(client):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_publication"))
    publication = PublicationFactory(publish_at=timezone.now() + timedelta(days=1))
    client.force_login(user)

    response = client.get(publication.get_absolute_url())

    assert response.status_code == 200
    assert "Scheduled for" in response.content.decode()


def test_public_item_seen_by_an_editor_has_no_preview_banner(client, editor):
    publication = PublicationFactory()
    client.force_login(editor)

    response = client.get(publication.get_absolute_url())

    assert "Preview — not public" not in response.content.decode()


def test_unpublished_item_disappears_from_list_detail_and_sitemap(client, commit):
    publication = PublicationFactory(title="Going away")
    assert "Going away" in client.get(LIST).content.decode()
    sitemap = "/sitemap-publications.xml"
    assert publication.get_absolute_url() in client.get(sitemap).content.decode()

    services.unpublish(publications=[publication], user=publisher())
    commit()

    assert "Going away" not in client.get(LIST).content.decode()
    assert client.get(publication.get_absolute_url()).status_code == 404
    # The cached sitemap is keyed on the content version, which unpublishing moves on.
    assert publication.get_absolute_url() not in client.get(sitemap).content.decode()


def test_urls_reverse_to_the_stable_public_addresses():
    assert reverse("publications:publication-list") == "/publications/"
    assert reverse("publications:statement-list") == "/statements/"
    assert reverse("publications:letter-list") == "/letters/"
    assert reverse("publications:report-list") == "/reports/"
    assert reverse("publications:story-list") == "/stories/"
    assert reverse("publications:publication-detail", kwargs={"slug": "a-b"}) == (
        "/publications/a-b/"
    )


# --- hostile filter values (PostgreSQL refused them with a 500) ---------------------------------


@pytest.mark.parametrize("path", ["/publications/", "/statements/", "/search/?q=appeal&"])
@pytest.mark.parametrize(
    "query",
    [
        "year=0000",
        "year=0001",
        "year=9999",
        "year=%D9%A0%D9%A0%D9%A0%D9%A0",  # Arabic-Indic ٠٠٠٠: int() and \d accept it
        "year=%D9%A2%D9%A0%D9%A2%D9%A4",  # ٢٠٢٤
        "year=-2024",
        "year=2024.0",
        "country=%0B",
        "country=%00th",
        "tag=%01",
        "tag=land-%00rights",
        "q=%00appeal%0B%01",
    ],
)
def test_invalid_years_and_control_characters_give_the_unfiltered_page(client, path, query):
    PublicationFactory(title="An appeal", tags=["Land rights"], countries=[country("TH")])

    response = client.get(f"{path}{'&' if '?' in path else '?'}{query}")

    assert response.status_code == 200
    assert titles(response) == ["An appeal"]


# Not named `page`: that is pytest-playwright's fixture, and would group this test with the
# browser journeys (after their database flushes).
@pytest.mark.parametrize("number", ["%D9%A2", "0", "-1", "1.0", "99999999999999999999", "2"])
def test_a_page_that_is_not_a_page_number_is_a_404(client, number):
    PublicationFactory()

    assert client.get(f"{LIST}?page={number}").status_code == 404


def test_links_carry_only_the_filters_the_list_reads(client):
    for _ in range(21):
        PublicationFactory(countries=[country("TH")])

    html = client.get(
        LIST, {"country": "th", "utm_source": "x", "evil": "<b>", "year": "0000"}
    ).content.decode()

    assert 'href="?country=th&amp;page=2"' in html
    assert "utm_source" not in html and "evil" not in html and "0000" not in html


def test_a_tag_only_drafts_carry_is_named_nowhere_and_filters_like_an_unknown_one(client):
    PublicationFactory(title="Public", tags=["Elections"])
    PublicationFactory(title="Embargoed", status="draft", tags=["Secret operation"])
    PublicationFactory(
        title="Later", publish_at=timezone.now() + timedelta(days=2), tags=["Secret operation"]
    )

    for path in (LIST, "/search/?q=public&"):
        sep = "&" if "?" in path else "?"
        secret = client.get(f"{path}{sep}tag=secret-operation")
        unknown = client.get(f"{path}{sep}tag=no-such-tag")

        assert secret.status_code == unknown.status_code == 200
        assert "Secret operation" not in secret.content.decode()
        assert secret.content.replace(b"secret-operation", b"no-such-tag") == unknown.content


# --- bounded work: related publications from two small queries, facets from a window ---------


def test_related_is_the_newest_three_sharing_a_theme_or_a_country(
    client, django_assert_max_num_queries
):
    now = timezone.now()
    main = PublicationFactory(tags=["Land rights"], countries=[country("KH")])
    by_tag_old = PublicationFactory(tags=["Land rights"], publish_at=now - timedelta(days=9))
    by_tag = PublicationFactory(tags=["Land rights"], publish_at=now - timedelta(days=2))
    by_country = PublicationFactory(countries=[country("KH")], publish_at=now - timedelta(days=1))
    both = PublicationFactory(
        tags=["Land rights"], countries=[country("KH")], publish_at=now - timedelta(days=3)
    )
    PublicationFactory(tags=["Land rights"], status="draft")
    PublicationFactory(countries=[country("KH")], publish_at=now + timedelta(days=1))
    PublicationFactory(tags=["Other"], countries=[country("TH")])

    tag_ids = [tag.pk for tag in main.tags.all()]
    country_ids = [c.pk for c in main.countries.all()]

    with django_assert_max_num_queries(2):
        related = views.related_publications(
            main, tag_ids=tag_ids, country_ids=country_ids, now=timezone.now()
        )

    assert related == [by_country, by_tag, both]
    assert by_tag_old not in related


def test_the_theme_facet_counts_only_the_latest_window(monkeypatch, client):
    monkeypatch.setattr(views, "FACET_WINDOW", 3)
    now = timezone.now()
    for i in range(3):
        PublicationFactory(tags=["Recent"], publish_at=now - timedelta(hours=i))
    for i in range(5):
        PublicationFactory(tags=["Old"], publish_at=now - timedelta(days=30 + i))

    response = client.get("/publications/")
    names = [tag.name for tag in response.context["tag_options"]]

    assert names == ["Recent"]
    # A theme chosen from elsewhere stays selectable and filters correctly.
    chosen = client.get("/publications/", {"tag": "old"})
    assert [tag.name for tag in chosen.context["tag_options"]] == ["Recent", "Old"]
    assert chosen.context["result_count"] == 5
    assert all(p.publish_at < now - timedelta(days=29) for p in chosen.context["publications"])
    assert Publication.objects.count() == 8


# --- Translation groups and partners on public pages -------------------------------------------


@pytest.fixture
def statement_in_two_languages():
    """A public English statement about Nepal, signed by a member, and its Thai translation."""
    signer = MemberOrganisationFactory(name="Informal Sector Service Centre", slug="insec")
    original = PublicationFactory(
        title="Quetzal crackdown",
        slug="quetzal-crackdown",
        countries=[country("NP")],
        tags=["Civic space"],
        signatories=[signer],
        publish_at=days_ago(2),
    )
    thai = PublicationFactory(
        title="Quetzal การปราบปราม",
        slug="quetzal-crackdown-th",
        language="th",
        translation_of=original,
        countries=[country("NP")],
        tags=["Civic space"],
        signatories=[signer],
        publish_at=days_ago(1),
    )
    return original, thai


@pytest.mark.parametrize(
    "url",
    [
        "/",
        LIST,
        "/statements/",
        "/publications/?country=np&tag=civic-space",
        "/search/?q=quetzal",
        "/members/insec/",
        "/countries/np/",
        "/feeds/rss/",
        "/feeds/atom/?country=np",
    ],
)
def test_every_public_list_shows_one_card_per_group_with_the_other_language_linked(
    client, statement_in_two_languages, url
):
    original, thai = statement_in_two_languages

    page = client.get(url).content.decode()

    assert original.get_absolute_url() in page
    assert thai.title not in page
    if "/feeds/" not in url:  # a feed has no cards: one entry per group
        assert f'<a href="{thai.get_absolute_url()}" hreflang="th" lang="th">ไทย</a>' in page


def test_related_never_shows_the_pages_own_translations(client, statement_in_two_languages):
    original, thai = statement_in_two_languages
    other = PublicationFactory(title="Other on civic space", tags=["Civic space"])

    for page in (original, thai):
        related = client.get(page.get_absolute_url()).context["related"]
        assert related == [other]


def test_partners_follow_members_as_external_links(client):
    signer = MemberOrganisationFactory(name="Thai Lawyers for Rights")
    linked = PartnerOrganisationFactory(name="CIVICUS", website="https://www.civicus.org/")
    unlinked = PartnerOrganisationFactory(name="Quiet Partner", website="")
    publication = PublicationFactory(
        signatories=[linked, signer, unlinked], co_signers="A local collective"
    )

    page = client.get(publication.get_absolute_url()).content.decode()

    section = page.split('id="signatories-heading"')[1].split("</section>")[0]
    assert section.index("Thai Lawyers for Rights") < section.index("CIVICUS")
    assert (
        '<a href="https://www.civicus.org/" rel="noopener noreferrer nofollow">CIVICUS</a>'
        in section
    )
    assert "<li>Quiet Partner</li>" in section and "<li>A local collective</li>" in section
    assert '"url": "https://www.civicus.org/"' in page  # JSON-LD author


def test_query_budgets_hold_with_translation_groups_and_partners(
    client, django_assert_max_num_queries
):
    member = MemberOrganisationFactory()
    partner = PartnerOrganisationFactory()
    for number in range(25):
        original = PublicationFactory(
            countries=[country("TH")], tags=["Civic space"], signatories=[member, partner]
        )
        for language in ("th", "km")[: number % 3]:
            PublicationFactory(language=language, translation_of=original, tags=["Civic space"])
    original = Publication.objects.filter(translations__isnull=False).last()

    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"tag": "civic-space"})
    with django_assert_max_num_queries(8):
        search = client.get("/search/?q=sample")
    with django_assert_max_num_queries(10):
        detail = client.get(original.get_absolute_url())

    assert len(response.context["publications"]) == 20
    assert search.status_code == 200 and len(search.context["page_obj"]) == 20  # a full page
    assert sum(bool(card.other_languages) for card in response.context["publications"]) > 5
    assert len(detail.context["translations"]) in (1, 2)
