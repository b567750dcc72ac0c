"""The one reader of the query string for publication lists, type pages, search and feeds.

`PublicationFilterForm` validates `type`, `country`, `tag`, `year`, `q` and `page`; views and
feeds read only its cleaned values, the page cache keys their pages on the same values
(`canonical`), and every filter, chip, pagination and feed link is built from them.

Unknown values never fail: an invalid type or year is ignored, a country or theme that is
unknown (or not public) matches nothing and is shown as the visitor wrote it.
"""

import functools
import warnings
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext as _
from myanmartools import ZawgyiDetector

from forumasia.forms import MAX_PAGE, NumberParameter, QueryForm, TextParameter
from forumasia.sanitise import RichTextFormMixin, RichTextValidator

from .models import Publication, plain_text
from .queries import public_country, public_tag

MAX_QUERY_LENGTH = 200
# The network was founded in 1991; older years are allowed for documents it republished.
FIRST_YEAR, LAST_YEAR = 1900, 2100
FEED_PARAMETERS = ("type", "country", "tag")
# Google's myanmar-tools: above this probability a text is Zawgyi (the threshold its authors
# recommend); Unicode Burmese scores near 0, text without Burmese scores minus infinity.
ZAWGYI_THRESHOLD = 0.95


class PublicationFilterForm(QueryForm):
    type = forms.ChoiceField(required=False, choices=Publication.Type.choices)
    country = TextParameter(max_length=10)
    tag = TextParameter(max_length=100)
    year = NumberParameter(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    q = TextParameter(max_length=MAX_QUERY_LENGTH)
    page = NumberParameter(min_value=1, max_value=MAX_PAGE)

    def __init__(self, query, *, fixed_type=None):
        super().__init__(query)
        # A type page is its type, whatever `?type=` says.
        self.fixed_type = fixed_type
        if fixed_type:
            self.data["type"] = fixed_type
        self.country = self.tag = None

    def clean_country(self):
        return self.cleaned_data["country"].upper()

    def clean_page(self):
        return self.cleaned_data["page"] or 1

    @property
    def filters(self):
        """The canonical values without the page: what narrows the list."""
        return {name: value for name, value in self.canonical.items() if name != "page"}

    @property
    def page_number(self):
        """The page asked for (1 when none); None when `page` is not a page number."""
        return None if "page" in self.errors else self.canonical.get("page", 1)

    def link_values(self):
        """What links keep: the filters, with the country code as written in URLs, and without
        the type on a type page (the address says it)."""
        values = dict(self.filters)
        if "country" in values:
            values["country"] = values["country"].lower()
        if self.fixed_type:
            values.pop("type")
        return values

    def feed_query(self):
        """The query string of the feed with the same type, country and theme."""
        values = {**self.link_values(), "type": self.filters.get("type")}
        return urlencode([(name, values[name]) for name in FEED_PARAMETERS if values.get(name)])

    def filter(self, publications, *, known_countries=(), known_tags=()):
        """`publications` narrowed to the filters but `q` (the search selector's:
        publications/search.py). Sets `country` and `tag` to the public
        Country and Tag the filters name (None when unknown or not public); `known_...`
        (e.g. the list's facets) save their look-ups when they hold them."""
        filters = self.filters
        if "type" in filters:
            publications = publications.of_type(filters["type"])
        if "country" in filters:
            self.country = public_country(filters["country"], known_countries)
            publications = (
                publications.about_country(self.country) if self.country else publications.none()
            )
        if "tag" in filters:
            self.tag = public_tag(filters["tag"], known_tags)
            publications = publications.tagged(self.tag) if self.tag else publications.none()
        if "year" in filters:
            publications = publications.in_year(filters["year"])
        return publications


class FeedFilterForm(PublicationFilterForm):
    """Feeds are narrowed by type, country and theme only."""

    year = None
    q = None
    page = None


class PublicationBodyMixin(RichTextFormMixin):
    """The publication form's body: refused with a message when cleaning it would lose
    something (forumasia/sanitise.py); a player belongs in the video or audio link."""

    rich_text_fields = {
        "body": RichTextValidator(
            embed_advice=(
                "A YouTube, Vimeo or SoundCloud video or audio goes in the “video or audio "
                "link” field instead (under “Video or audio”); remove it from the text."
            )
        )
    }


@functools.cache
def zawgyi_detector():
    # myanmartools 1.2.1 reads its bundled model with importlib.resources.open_binary, which
    # Python 3.11 and 3.12 call deprecated (3.13 keeps it): nothing for us to change.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return ZawgyiDetector()


def is_zawgyi(text):
    """Whether `text` holds Burmese typed in the Zawgyi font encoding (common in text pasted
    from social media): Zawgyi reuses Unicode's Myanmar code points for other letters, so it
    shows garbled without the Zawgyi font and search cannot match its words."""
    return bool(text) and zawgyi_detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD


class ZawgyiCheckMixin:
    """Refuses a form whose text fields hold Zawgyi, naming each such field; the form is shown
    again with the text as typed, to be converted and pasted back."""

    zawgyi_checked_fields = ()
    # Rich-text fields: their text is checked, without the HTML.
    zawgyi_html_fields = ()

    def clean(self):
        super().clean()
        cleaned_data = self.cleaned_data
        for name in (*self.zawgyi_checked_fields, *self.zawgyi_html_fields):
            value = cleaned_data.get(name)
            if name in self.zawgyi_html_fields and value:
                value = plain_text(value)
            if name in self.fields and is_zawgyi(value):
                label = self.fields[name].label or name
                self.add_error(
                    name,
                    _(
                        "The %(field)s looks like Burmese typed in the Zawgyi font encoding: "
                        "readers without that font see garbled letters, and search cannot "
                        "find its words. Convert it to Unicode (with a Zawgyi-to-Unicode "
                        "converter, such as Rabbit) and paste it again."
                    )
                    % {"field": label.lower()},
                )
        return cleaned_data
