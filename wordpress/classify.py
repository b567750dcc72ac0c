"""What kind of publication a WordPress post is, which countries it is about, which themes.

- Type: from the title's prefix ("[Joint Statement] Cambodia: …" is a statement; the prefix
  is removed from the title), else from the post's categories, else statement. Both mappings
  have built-in defaults that a `--type-map` CSV extends or overrides.
- Countries: categories whose name, slug or ISO code names a country (with the usual other
  names: Burma, Viet Nam, Lao PDR, East Timor …).
- Tags: the post's tags, and the categories that are neither a type nor a country.

Pure functions over plain values: the caller passes the countries it knows.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import slugify

TYPES = ("statement", "letter", "report", "story")
DEFAULT_TYPE = "statement"

DEFAULT_PREFIXES = {
    "statement": "statement",
    "joint statement": "statement",
    "oral statement": "statement",
    "joint oral statement": "statement",
    "written statement": "statement",
    "press release": "statement",
    "joint press release": "statement",
    "media release": "statement",
    "news": "statement",
    "open letter": "letter",
    "joint open letter": "letter",
    "letter": "letter",
    "joint letter": "letter",
    "submission": "report",
    "joint submission": "report",
    "report": "report",
    "briefing paper": "report",
    "publication": "report",
    "story": "story",
    "video": "story",
    "photo essay": "story",
    "podcast": "story",
}
DEFAULT_CATEGORIES = {
    "statements": "statement",
    "statement": "statement",
    "joint statements": "statement",
    "press releases": "statement",
    "press release": "statement",
    "news": "statement",
    "open letters": "letter",
    "open letter": "letter",
    "letters": "letter",
    "reports": "report",
    "report": "report",
    "publications": "report",
    "submissions": "report",
    "stories": "story",
    "multimedia": "story",
    "videos": "story",
    "photo essays": "story",
}
# Categories that carry nothing (WordPress's default category).
IGNORED_CATEGORIES = {"uncategorized", "uncategorised"}
# Other names of countries, by ISO code.
COUNTRY_ALIASES = {
    "burma": "MM",
    "viet nam": "VN",
    "lao pdr": "LA",
    "lao": "LA",
    "east timor": "TL",
    "timor leste": "TL",
    "korea": "KR",
    "republic of korea": "KR",
    "dprk": "KP",
    "prc": "CN",
    "hong kong sar": "HK",
    "macau": "MO",
    "turkey": "TR",
    "brunei": "BN",
    "kyrgyz republic": "KG",
    "uae": "AE",
}
PREFIX = re.compile(r"^\s*\[([^\[\]]{1,60})\]\s*[:\-–—|]?\s*")


def normalise(value):
    """Lower-case, accents and punctuation folded to spaces: 'Timor-Leste' == 'timor leste'."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


class TypeMapError(ValueError):
    """A `--type-map` file we cannot use; the message names the line."""


@dataclass
class TypeMap:
    prefixes: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))
    categories: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))

    @classmethod
    def from_csv(cls, data):
        """Defaults, extended and overridden by a CSV of `kind,value,type` rows.

        `kind` is `prefix` (the text inside the title's brackets) or `category` (a category's
        name or slug); `type` is statement, letter, report or story. A header row is allowed.
        """
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        type_map = cls()
        for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if line == 1 and [c.lower() for c in cells[:3]] == ["kind", "value", "type"]:
                continue
            if len(cells) != 3:
                raise TypeMapError(
                    f"Type map line {line}: expected kind,value,type (3 cells), got {len(cells)}."
                )
            kind, value, type_value = cells[0].lower(), normalise(cells[1]), cells[2].lower()
            if type_value not in TYPES:
                raise TypeMapError(
                    f"Type map line {line}: unknown type {cells[2]!r} (use {', '.join(TYPES)})."
                )
            if not value:
                raise TypeMapError(f"Type map line {line}: the value is empty.")
            if kind == "prefix":
                type_map.prefixes[value] = type_value
            elif kind == "category":
                type_map.categories[value] = type_value
            else:
                raise TypeMapError(
                    f"Type map line {line}: unknown kind {cells[0]!r} (use prefix or category)."
                )
        return type_map

    def category_type(self, category):
        return self.categories.get(normalise(category.name)) or self.categories.get(
            normalise(category.slug)
        )


@dataclass(frozen=True)
class CountryIndex:
    """Country names, slugs, codes and aliases -> ISO code, from `(code, name, slug)` rows."""

    lookup: dict[str, str]

    @classmethod
    def build(cls, countries):
        lookup = {normalise(alias): code for alias, code in COUNTRY_ALIASES.items()}
        for code, name, slug in countries:
            for key in (name, slug, code):
                lookup[normalise(key)] = code
        return cls(lookup)

    def code_for(self, category):
        return self.lookup.get(normalise(category.name)) or self.lookup.get(
            normalise(category.slug)
        )


@dataclass
class Classification:
    type: str
    title: str
    countries: list[str]
    tags: list[str]
    type_source: str  # "prefix", "category" or "default"
    unknown_prefix: str = ""


def classify(title, categories, *, type_map: TypeMap, countries: CountryIndex) -> Classification:
    """Type, cleaned title, country codes and tag names of a post (see the module docstring)."""
    type_value, source, unknown_prefix = None, "default", ""
    match = PREFIX.match(title or "")
    if match:
        prefix_type = type_map.prefixes.get(normalise(match.group(1)))
        if prefix_type:
            type_value, source = prefix_type, "prefix"
            title = title[match.end() :].strip() or title
        else:
            unknown_prefix = match.group(1).strip()
    country_codes, tags = [], []
    for category in categories:
        if category.domain == "post_tag":
            tags.append(category.name or category.slug)
            continue
        if category.domain != "category":
            continue
        category_type = type_map.category_type(category)
        if category_type:
            if type_value is None:
                type_value, source = category_type, "category"
            continue
        code = countries.code_for(category)
        if code:
            if code not in country_codes:
                country_codes.append(code)
        elif normalise(category.name or category.slug) not in IGNORED_CATEGORIES:
            tags.append(category.name or category.slug)
    unique_tags = list(dict.fromkeys(tag for tag in tags if tag and slugify(tag, True)))
    return Classification(
        type=type_value or DEFAULT_TYPE,
        title=title.strip(),
        countries=country_codes,
        tags=unique_tags,
        type_source=source,
        unknown_prefix=unknown_prefix,
    )


SCRIPT_LANGUAGES = (
    ("THAI", "th"),
    ("KHMER", "km"),
    ("LAO", "lo"),
    ("MYANMAR", "my"),
    ("SINHALA", "si"),
    ("BENGALI", "bn"),
    ("HANGUL", "ko"),
    ("MONGOLIAN", "mn"),
)


def language_of(text, *, default="en"):
    """The language of a title written in a script only one of our languages uses (Thai,
    Khmer, Lao, Burmese, ...), else `default`."""
    counts = {}
    for char in text or "":
        if char.isalpha():
            name = unicodedata.name(char, "")
            for script, code in SCRIPT_LANGUAGES:
                if name.startswith(script):
                    counts[code] = counts.get(code, 0) + 1
                    break
            else:
                counts["other"] = counts.get("other", 0) + 1
    if not counts:
        return default
    best = max(counts, key=counts.get)
    return default if best == "other" else best
