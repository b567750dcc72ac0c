"""Right-to-left statements in Chromium: an Urdu statement reads right to left inside the
left-to-right page (its title, body, lists, quotes and signatories from the right; the site's
header, navigation and boxes unchanged) at phone and desktop widths, and the editor writes a
publication's body in its language's direction from the moment the language is chosen."""

import os

import pytest

from tests.e2e.editor_session import log_in_as_editor, wait_for_editor
from tests.factories import MemberOrganisationFactory, PublicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Phone, a small laptop (the body's column narrower than its widest), desktop.
WIDTHS = [390, 1000, 1280]

URDU_TITLE = "انسانی حقوق کے محافظوں کی گرفتاریاں فوری طور پر بند کی جائیں"
URDU_STANDFIRST = (
    "فورم ایشیا اور اس کے رکن ادارے حکومت سے مطالبہ کرتے ہیں کہ پرامن مظاہرین کو رہا کیا جائے۔"
)
URDU_BODY = (
    "<p>ہم، زیر دستخطی تنظیمیں، گزشتہ ہفتے گرفتار کیے گئے انسانی حقوق کے محافظوں کی فوری اور "
    "غیر مشروط رہائی کا مطالبہ کرتے ہیں۔ انہیں صرف اپنی رائے کا پرامن اظہار کرنے پر حراست میں "
    "لیا گیا ہے، جو آئین اور بین الاقوامی قانون دونوں کی خلاف ورزی ہے۔</p>"
    "<p>ہمارے مطالبات:</p>"
    "<ul><li>تمام گرفتار افراد کو فوری طور پر رہا کیا جائے۔</li>"
    "<li>ان کے خلاف درج مقدمات واپس لیے جائیں۔</li>"
    "<li>گرفتاریوں کی آزادانہ اور غیر جانبدارانہ تحقیقات کرائی جائیں۔</li></ul>"
    "<blockquote><p>اظہار رائے کی آزادی ہر شہری کا بنیادی حق ہے۔</p></blockquote>"
    "<p>ہم ان کے ساتھ کھڑے ہیں۔</p>"
)
URDU_CO_SIGNERS = "پاکستان انسانی حقوق کمیشن\nعورت فاؤنڈیشن"

# Where the text of an element's first line starts and ends, and the element's own content box.
TEXT_BOX = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    const line = range.getClientRects()[0];
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return {
        text: [line.left, line.right],
        box: [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)],
    };
}"""
STYLE = "(element, names) => names.map(name => getComputedStyle(element)[name])"


@pytest.fixture
def urdu_statement():
    original = PublicationFactory(
        title="Stop the arrests of human rights defenders", slug="stop-the-arrests"
    )
    return PublicationFactory(
        title=URDU_TITLE,
        slug="stop-the-arrests-ur",
        standfirst=URDU_STANDFIRST,
        body=URDU_BODY,
        language="ur",
        translation_of=original,
        co_signers=URDU_CO_SIGNERS,
        signatories=[MemberOrganisationFactory(name="Human Rights Commission of Pakistan")],
    )


def keep_screenshot(page, name, folder):
    """A full-page screenshot, rtl-<name>.png, in SCREENSHOT_DIR when set (to be looked at)."""
    path = os.path.join(os.environ.get("SCREENSHOT_DIR") or folder, f"rtl-{name}.png")
    page.screenshot(path=path, full_page=True)
    return path


@pytest.mark.parametrize("width", WIDTHS)
def test_an_urdu_statement_reads_right_to_left_inside_the_left_to_right_page(
    page, live_server, urdu_statement, width, tmp_path, third_party_requests, csp_violations
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + urdu_statement.get_absolute_url())

    body = page.locator(".pub-body")
    for selector in (".pub-header h1", ".pub-standfirst", ".pub-body"):
        element = page.locator(selector)
        assert element.get_attribute("lang") == "ur"
        assert element.evaluate(STYLE, ["direction"]) == ["rtl"], selector
    # Each paragraph's text starts at the right edge of the column: a long paragraph's first
    # line, and a short paragraph's only line, which ends well before the left edge.
    for paragraph in (body.locator("p").first, body.locator("p").last):
        edges = paragraph.evaluate(TEXT_BOX)
        assert abs(edges["text"][1] - edges["box"][1]) < 1.5, edges
    short = body.locator("p").last.evaluate(TEXT_BOX)
    assert short["text"][0] - short["box"][0] > 100, short
    # Lists indent and quotes are ruled on the right, where the text starts.
    assert body.locator("ul").evaluate(STYLE, ["paddingLeft", "paddingRight"])[0] == "0px"
    quote = body.locator("blockquote").evaluate(STYLE, ["borderLeftWidth", "borderRightWidth"])
    assert quote == ["0px", "4px"]
    # Signatories: the list from the right, each name in its own script's direction.
    for selector in (".signatory-list", ".co-signer-list"):
        assert page.locator(selector).evaluate(STYLE, ["direction"]) == ["rtl"]
    member = page.locator(".signatory-list li").first.evaluate(TEXT_BOX)
    assert abs(member["text"][1] - member["box"][1]) < 1.5  # a Latin name, next to its number

    # The chrome stays the page's: English, left to right.
    assert page.evaluate("document.documentElement.lang") == "en"
    for selector in (
        ".site-header",
        ".site-nav",
        ".pub-header__kicker",
        ".pub-translations",
        ".pub-aside",
        ".site-footer",
    ):
        element = page.locator(selector).first
        assert element.evaluate(STYLE, ["direction"]) == ["ltr"], selector
        assert element.evaluate("e => e.closest('[lang]').lang") == "en", selector
    kicker = page.locator(".pub-header__kicker").evaluate(TEXT_BOX)
    assert abs(kicker["text"][0] - kicker["box"][0]) < 1.5  # starts at the left
    links = page.locator(".site-nav a")
    assert links.first.bounding_box()["x"] < links.nth(1).bounding_box()["x"]
    # The title and body share the column's right edge; nothing scrolls sideways.
    title_right = page.locator(".pub-header h1").evaluate(TEXT_BOX)["box"][1]
    assert abs(title_right - body.evaluate(TEXT_BOX)["box"][1]) < 1.5
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    keep_screenshot(page, f"urdu-statement-{width}", tmp_path)
    assert third_party_requests == []
    assert csp_violations == []


def test_right_to_left_cards_home_headlines_and_search_results_carry_language_and_direction(
    page, live_server, urdu_statement, tmp_path
):
    pashto = PublicationFactory(
        title="د بشري حقونو مدافعین باید سمدستي خوشې شي",
        standfirst="موږ د ټولو بندیانو د خوشې کېدو غوښتنه کوو.",
        language="ps",
    )
    page.set_viewport_size({"width": 390, "height": 900})

    page.goto(live_server.url + "/publications/")
    card = page.locator(".pub-card", has_text=pashto.title)
    for selector in ("h3", ".pub-card__standfirst"):
        assert card.locator(selector).get_attribute("lang") == "ps"
        assert card.locator(selector).evaluate(STYLE, ["direction"]) == ["rtl"]
    assert card.locator(".pub-card__kicker").evaluate(STYLE, ["direction"]) == ["ltr"]
    # The English card links its Urdu version by the language's own name.
    assert page.locator(".pub-card__languages a[lang=ur]").inner_text() == "اردو"
    keep_screenshot(page, "cards-390", tmp_path)

    page.goto(live_server.url + "/")
    title = page.locator("main [lang=ps]", has_text=pashto.title).first
    assert title.evaluate(STYLE, ["direction"]) == ["rtl"]

    page.goto(live_server.url + "/search/?q=" + "مدافعین")
    result = page.locator(".search-result", has_text=pashto.title)
    assert result.locator("h3").get_attribute("dir") == "rtl"
    assert result.locator(".search-result__snippet").get_attribute("lang") == "ps"


def test_the_editor_writes_an_urdu_body_right_to_left_and_follows_a_change_of_language(
    page, live_server, urdu_statement, tmp_path
):
    log_in_as_editor(page, live_server, "Publishers")
    page.goto(f"{live_server.url}/admin/publications/publication/{urdu_statement.pk}/change/")
    wait_for_editor(page)
    frame = page.frame_locator("iframe.cke_wysiwyg_frame")

    def editing():
        return frame.locator("html").evaluate(
            "html => [html.lang, html.dir, getComputedStyle(html.ownerDocument.body).direction]"
        )

    assert editing() == ["ur", "rtl", "rtl"]
    assert page.locator("#id_title").get_attribute("dir") == "rtl"
    first = frame.locator("p").first.evaluate(TEXT_BOX)
    assert abs(first["text"][1] - first["box"][1]) < 1.5  # typed from the right
    keep_screenshot(page, "editor-urdu", tmp_path)

    page.select_option("#id_language", "th")
    assert editing() == ["th", "ltr", "ltr"]
    assert page.locator("#id_title").get_attribute("dir") == "ltr"
    page.select_option("#id_language", "ps")
    assert editing() == ["ps", "rtl", "rtl"]

    # A new publication: the body turns right to left as soon as Urdu is chosen.
    page.goto(live_server.url + "/admin/publications/publication/add/")
    wait_for_editor(page)
    assert editing()[1:] == ["ltr", "ltr"]
    page.select_option("#id_language", "ur")
    assert editing() == ["ur", "rtl", "rtl"]


def test_language_names_in_right_to_left_scripts_stay_in_the_page_s_order(
    page, live_server, urdu_statement
):
    PublicationFactory(
        title="د بشري حقونو مدافعینو نیول دې ودرول شي",
        language="ps",
        translation_of=urdu_statement.translation_of,
    )

    page.goto(live_server.url + urdu_statement.translation_of.get_absolute_url())

    links = page.locator(".pub-translations a")
    assert links.all_inner_texts() == ["پښتو", "اردو"]
    # Unisolated, the dot between two right-to-left names would join them into one run and
    # show them swapped.
    lefts = [link.bounding_box()["x"] for link in links.all()]
    assert lefts == sorted(lefts)
