import pytest

from wordpress.classify import CountryIndex, TypeMap, TypeMapError, classify, language_of
from wordpress.wxr import Category

from .conftest import KHMER, THAI

COUNTRIES = CountryIndex.build(
    [
        ("KH", "Cambodia", "cambodia"),
        ("MM", "Myanmar", "myanmar"),
        ("TL", "Timor-Leste", "timor-leste"),
        ("TH", "Thailand", "thailand"),
    ]
)


def category(name, slug=None, domain="category"):
    return Category(domain=domain, slug=slug or name.lower().replace(" ", "-"), name=name)


def run(title, categories=(), type_map=None):
    return classify(title, list(categories), type_map=type_map or TypeMap(), countries=COUNTRIES)


@pytest.mark.parametrize(
    ("title", "type_value", "clean_title"),
    [
        (
            "[Joint Statement] Cambodia: Release the defenders",
            "statement",
            "Cambodia: Release the defenders",
        ),
        ("[Statement] On the elections", "statement", "On the elections"),
        ("[Open Letter] To the Prime Minister", "letter", "To the Prime Minister"),
        ("[Letter]: To the Council", "letter", "To the Council"),
        ("[Report] Civic space 2020", "report", "Civic space 2020"),
        ("[Joint Press Release] NGOs welcome the verdict", "statement", "NGOs welcome the verdict"),
        ("  [joint  STATEMENT] – Lower case and dash", "statement", "Lower case and dash"),
        ("[Video] Defenders speak", "story", "Defenders speak"),
    ],
)
def test_type_comes_from_the_title_prefix_which_is_removed(title, type_value, clean_title):
    result = run(title)
    assert (result.type, result.title, result.type_source) == (type_value, clean_title, "prefix")


def test_type_comes_from_categories_when_the_title_has_no_prefix():
    result = run("Civic space in Asia", [category("Reports")])
    assert (result.type, result.type_source) == ("report", "category")


def test_prefix_wins_over_categories_and_default_is_statement():
    assert run("[Open Letter] X", [category("Reports")]).type == "letter"
    result = run("No type anywhere", [category("Human rights defenders")])
    assert (result.type, result.type_source) == ("statement", "default")


def test_unknown_prefix_stays_in_the_title_and_is_reported():
    result = run("[Bangkok] Regional consultation")
    assert result.title == "[Bangkok] Regional consultation"
    assert result.unknown_prefix == "Bangkok"


def test_countries_from_names_slugs_codes_and_other_names():
    result = run(
        "X",
        [
            category("Burma"),
            category("Cambodia"),
            category("East Timor"),
            category("Thai", "th"),
            category("Cambodia"),
        ],
    )
    assert result.countries == ["MM", "KH", "TL", "TH"]


def test_other_categories_and_tags_become_tags_uncategorized_dropped():
    result = run(
        "X",
        [
            category("Uncategorized"),
            category("Freedom of expression"),
            category("Land rights", domain="post_tag"),
            category("Land rights", domain="post_tag"),
            category("Statements"),
        ],
    )
    assert result.tags == ["Freedom of expression", "Land rights"]


def test_type_map_csv_extends_and_overrides_the_defaults():
    type_map = TypeMap.from_csv(
        "kind,value,type\nprefix,Joint Appeal,letter\ncategory,Briefings,report\n"
        "# a comment\nprefix,Statement,story\n"
    )
    assert run("[Joint Appeal] X", type_map=type_map).type == "letter"
    assert run("X", [category("Briefings")], type_map=type_map).type == "report"
    assert run("[Statement] X", type_map=type_map).type == "story"
    assert run("[Open Letter] X", type_map=type_map).type == "letter"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prefix,Joint Appeal\n", "line 1: expected kind,value,type"),
        ("prefix,Joint Appeal,memo\n", "line 1: unknown type 'memo'"),
        ("kind,value,type\nauthor,Ann,letter\n", "line 2: unknown kind 'author'"),
        ("prefix,,letter\n", "line 1: the value is empty"),
    ],
)
def test_type_map_errors_name_the_line(text, message):
    with pytest.raises(TypeMapError, match=message):
        TypeMap.from_csv(text)


def test_language_is_recognised_from_scripts_only_one_language_uses():
    assert language_of(THAI) == "th"
    assert language_of(KHMER) == "km"
    assert language_of("Cambodia: Release the defenders") == "en"
    assert language_of("2019") == "en"
