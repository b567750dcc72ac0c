"""Row generators for the benchmark data set: plain Python, no database.

Everything is drawn from a seeded `random.Random`, so two runs at the same scale build the same
data. A row is a dict of field values by attribute name; `model_row()` puts it in the order of
the model's own concrete fields (`copy_fields()`), so the rows follow the models: a field added
with a default gets it, one without a default fails here. Rows go out as lines of PostgreSQL's
COPY text format (tab-separated, `\\N` for NULL), ready for
`cursor.copy_expert("COPY table (columns) FROM STDIN", IterFile(lines))`.
"""

import json
import random
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

# --- COPY text format ---------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value) -> str:
    """One field in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPES)


def copy_line(values: Iterable) -> str:
    return "\t".join(copy_value(v) for v in values) + "\n"


def copy_fields(model, *, numbered=True) -> list:
    """The concrete fields of `model` a COPY writes, in table order; without the primary key
    when the database numbers the rows (`numbered=False`)."""
    return [field for field in model._meta.concrete_fields if numbered or not field.primary_key]


def model_row(fields, values: dict) -> list:
    """`values` ({attribute name: value}) in the order of `fields`. A field not given takes its
    declared default, NULL or an empty string where the field allows one; a field without any,
    or a name that is no field, is an error."""
    unknown = set(values) - {field.attname for field in fields}
    if unknown:
        raise ValueError(f"no such field: {', '.join(sorted(unknown))}")
    row = []
    for field in fields:
        if field.attname in values:
            row.append(values[field.attname])
        elif field.has_default() or field.null or (field.blank and field.empty_strings_allowed):
            row.append(field.get_default())
        else:
            raise ValueError(f"{field.model.__name__}.{field.attname} needs a value")
    return row


class IterFile:
    """A read()-able file over an iterator of str lines, encoded as UTF-8, for copy_expert."""

    def __init__(self, lines: Iterable[str]):
        self._lines = iter(lines)
        self._buffer = b""
        self.rows = 0

    def read(self, size=-1):
        want = size if size and size > 0 else 1 << 20
        parts = [self._buffer]
        have = len(self._buffer)
        while have < want:
            try:
                line = next(self._lines)
            except StopIteration:
                break
            data = line.encode("utf-8")
            parts.append(data)
            have += len(data)
            self.rows += 1
        chunk = b"".join(parts)
        self._buffer = chunk[want:]
        return chunk[:want]


# --- Text ---------------------------------------------------------------------------------------

# Words that give titles and bodies the vocabulary of the site; a full-text search for a common
# word ("defenders", "rights") matches tens of thousands of rows, as it would on the real archive.
TOPIC_WORDS = str.split(
    "human rights defenders civil society freedom expression assembly association journalists "
    "activists lawyers detention arbitrary arrest torture enforced disappearance impunity "
    "accountability justice elections democracy protest crackdown censorship internet shutdown "
    "surveillance military coup junta refugees migrants workers land indigenous peoples women "
    "girls gender violence discrimination minorities religious freedom death penalty execution "
    "judicial harassment criminalisation sedition defamation cybercrime law emergency decree "
    "peaceful protesters students trade unions environmental defenders climate displacement "
    "communities police brutality extrajudicial killings transitional reparations truth "
    "commission national institution ombudsman parliament constitution amendment repeal "
    "solidarity network regional secretariat advocacy united nations council review universal "
    "periodic special rapporteur mechanism treaty convention ratify obligations state "
    "authorities government release immediately unconditionally condemn urge call respect "
    "protect fulfil guarantee investigation independent impartial prompt thorough"
)
FILLER_WORDS = str.split(
    "the of and to in a for on with by at from that this is are was were be has have it as "
    "an its their our all any more most other such only also into over under after before "
    "during while since between against within without across"
)
# A word present in only a handful of publications, for the "rare word" search.
RARE_WORD = "quetzalcoatlus"
RARE_EVERY = 4000  # one publication in RARE_EVERY mentions it
COMMON_WORD = "defenders"
TYPO_WORD = "defendres"

TAG_NAMES = [
    "Human rights defenders",
    "Freedom of expression",
    "Civic space",
    "Democracy",
    "Elections",
    "Women human rights defenders",
    "Gender justice",
    "Business and human rights",
    "Migrant workers",
    "Refugees",
    "Indigenous peoples",
    "Land rights",
    "Environmental defenders",
    "Digital rights",
    "Internet shutdowns",
    "Surveillance",
    "Death penalty",
    "Torture",
    "Enforced disappearances",
    "Transitional justice",
    "Impunity",
    "Judicial harassment",
    "Media freedom",
    "Religious freedom",
    "Minority rights",
    "Children's rights",
    "LGBTIQ rights",
    "Labour rights",
    "Climate justice",
    "Peace and security",
    "Military rule",
    "Rule of law",
    "National human rights institutions",
    "Universal Periodic Review",
    "UN Human Rights Council",
    "ASEAN",
    "SAARC",
    "Counter-terrorism",
    "Emergency laws",
    "Sedition laws",
    "Cybercrime laws",
    "Defamation",
    "Protest rights",
    "Student movements",
    "Trade unions",
    "Housing rights",
    "Right to health",
    "Right to education",
    "Disability rights",
    "Statelessness",
    "Anti-corruption",
    "Access to information",
    "Development justice",
    "Youth",
    "Solidarity",
    "Urgent appeals",
    "Fact-finding missions",
    "Trial observation",
    "Capacity building",
    "Annual report",
]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


class TextMaker:
    """Titles, standfirsts and HTML bodies of realistic lengths from a pool of paragraphs."""

    def __init__(self, rng: random.Random, paragraph_pool: int = 1500):
        self.rng = rng
        self.words = TOPIC_WORDS * 3 + FILLER_WORDS * 4
        self.paragraphs = [self._paragraph() for _ in range(paragraph_pool)]
        self.headings = [self._sentence(3, 7).rstrip(".") for _ in range(200)]

    def _sentence(self, low: int, high: int) -> str:
        words = self.rng.choices(self.words, k=self.rng.randint(low, high))
        return " ".join(words).capitalize() + "."

    def _paragraph(self) -> str:
        return " ".join(self._sentence(12, 28) for _ in range(self.rng.randint(3, 6)))

    def title(self, extra: str = "") -> str:
        words = self.rng.choices(TOPIC_WORDS, k=self.rng.randint(5, 12))
        if extra:
            words.insert(self.rng.randint(0, len(words)), extra)
        return " ".join(words).capitalize()[:250]

    def standfirst(self) -> str:
        return " ".join(self._sentence(12, 22) for _ in range(2))[:600]

    def body(self, extra: str = "") -> str:
        """A few KB of sanitised-looking HTML: paragraphs, a heading, sometimes a list."""
        rng = self.rng
        parts = [f"<p>{p}</p>" for p in rng.sample(self.paragraphs, rng.randint(3, 7))]
        parts.insert(rng.randint(1, len(parts)), f"<h2>{rng.choice(self.headings)}</h2>")
        if rng.random() < 0.3:
            items = "".join(f"<li>{self._sentence(5, 10)}</li>" for _ in range(rng.randint(3, 5)))
            parts.insert(rng.randint(1, len(parts)), f"<ul>{items}</ul>")
        if extra:
            parts.append(f"<p>The {extra} case is documented in the annex.</p>")
        return "\n".join(parts)


# --- Publications -------------------------------------------------------------------------------

TYPES = ["statement", "letter", "report", "story"]
TYPE_WEIGHTS = [45, 15, 20, 20]
LANGUAGES = ["en"] * 18 + ["th", "my", "km", "id", "zh-hant", "ne"]
ARCHIVE_START = datetime(2000, 1, 1, tzinfo=UTC)


def slugify_ascii(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")[:200]


def publication_row(pid: int, rng: random.Random, text: TextMaker, now: datetime, image=None):
    """One publication: {field attribute name: value}.

    About 2% are drafts and 1% scheduled (published, publish_at in the future); the rest are
    public, publish_at spread over 2000..now. `image` is (name, renditions) or None; about a
    third of the rows point at it (the bench's one image, kept in the detail page's folder:
    a copy for each row would weigh gigabytes, and the files view serves it as the detail
    page's). Each row has its own files key.
    """
    kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
    rare = RARE_WORD if pid % RARE_EVERY == 7 else ""
    title = text.title(rare)
    roll = rng.random()
    span = (now - ARCHIVE_START).total_seconds()
    if roll < 0.02:
        status, publish_at = "draft", now - timedelta(seconds=rng.random() * span)
    elif roll < 0.03:
        status, publish_at = "published", now + timedelta(days=rng.randint(1, 60))
    else:
        status, publish_at = "published", now - timedelta(seconds=rng.random() * span)
    with_image = image is not None and rng.random() < 0.33
    video = ""
    if kind == "story" and rng.random() < 0.5:
        video = f"https://www.youtube.com/watch?v={pid:011d}"
    co_signers = ""
    if kind in ("statement", "letter") and rng.random() < 0.4:
        co_signers = "\n".join(f"Partner organisation {rng.randint(1, 500)}" for _ in range(3))
    return {
        "id": pid,
        "files_key": files_key(rng),
        "type": kind,
        "title": title,
        "slug": f"{slugify_ascii(title)}-{pid}",
        "standfirst": text.standfirst(),
        "body": text.body(rare),
        "featured_image": image[0] if with_image else "",
        "featured_image_alt": (
            "Protesters hold placards at a peaceful assembly" if with_image else ""
        ),
        "featured_image_caption": "A peaceful assembly." if with_image else "",
        "featured_image_credit": "Photo: sample" if with_image else "",
        "featured_image_renditions": image[1] if with_image else [],
        "status": status,
        "publish_at": publish_at,
        "is_featured": rng.random() < 0.005,
        "co_signers": co_signers,
        "media_contact": "Media: press@example.org" if kind == "statement" else "",
        "video_url": video,
        "language": rng.choice(LANGUAGES),
        "created_at": publish_at,
        "updated_at": publish_at,
    }


def files_key(rng: random.Random) -> uuid.UUID:
    """A publication's files key, from the generator (rows are the same on every run)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# About one original in TRANSLATED_SHARE has translations (one or two), published with it.
TRANSLATED_SHARE = 0.08
TRANSLATION_LANGUAGES = ["th", "my", "km", "id", "zh-hant", "ne", "bn", "vi"]
PARTNERS = 200


def translation_row(pid: int, rng: random.Random, original: dict, taken: set[str]) -> dict:
    """A translation of the `original` row (same type, status, image), a few hours after it,
    in a language the group does not have yet (`taken`, updated)."""
    language = rng.choice([code for code in TRANSLATION_LANGUAGES if code not in taken])
    taken.add(language)
    return {
        **original,
        "id": pid,
        "files_key": files_key(rng),
        "slug": f"{original['slug']}-{language}",
        "title": f"[{language}] {original['title']}"[:250],
        "publish_at": original["publish_at"] + timedelta(hours=rng.randint(1, 48)),
        "language": language,
        "translation_of_id": original["id"],
        "is_featured": False,
    }


def translations_wanted(rng: random.Random) -> int:
    return 0 if rng.random() >= TRANSLATED_SHARE else rng.choice((1, 1, 2))


def pick_partners(rng: random.Random, kind: str, partner_ids: list[int]) -> list[int]:
    """0-3 partner co-signers for a fifth of statements and letters."""
    if kind not in ("statement", "letter") or rng.random() >= 0.2 or not partner_ids:
        return []
    return rng.sample(partner_ids, rng.randint(1, 3))


def pick_tags(rng: random.Random, tag_ids: list[int]) -> list[int]:
    """1-4 distinct tags per publication, popular tags much more often (Zipf)."""
    weights = _zipf_weights(len(tag_ids), 0.9)
    chosen = set(rng.choices(tag_ids, weights, k=rng.randint(1, 4)))
    return sorted(chosen)


def pick_countries(rng: random.Random, main_ids: list[int], other_ids: list[int]) -> list[int]:
    """0-3 countries, mostly the members' 23, popular ones more often."""
    roll = rng.random()
    count = 0 if roll < 0.1 else 1 if roll < 0.75 else 2 if roll < 0.95 else 3
    pool = main_ids if rng.random() < 0.95 or not other_ids else other_ids
    return sorted(set(rng.choices(pool, _zipf_weights(len(pool), 0.7), k=count)))


def pick_signatories(rng: random.Random, kind: str, member_ids: list[int]) -> list[int]:
    if kind not in ("statement", "letter") or rng.random() < 0.4 or not member_ids:
        return []
    return rng.sample(member_ids, min(len(member_ids), rng.randint(1, 20)))


# --- Subscribers --------------------------------------------------------------------------------

GIVEN = ["สมศรี", "សុខ", "အောင်", "Nguyễn Thị", "सीता", "Maria", "Sari", "Farida", "Aisha", "Li"]
FAMILY = ["ใจดี", "ចាន់ធី", "ကျော်", "Lan", "श्रेष्ठ", "Santos", "Wulandari", "Begum", "Khan", "Wei"]
ORGANISATIONS = ["", "", "", "Legal Aid Clinic", "Journalists' Union", "Youth Forum", "-Collective"]
CONSENT = "I agree to receive the FORUM-ASIA e-newsletter and can unsubscribe at any time."
SUBSCRIBERS_SINCE = datetime(2015, 1, 1, tzinfo=UTC)


def subscriber_row(sid: int, rng: random.Random, now: datetime, country_ids: list[int], status):
    """One subscriber. One in 500 has a name a spreadsheet would run as a formula."""
    created = SUBSCRIBERS_SINCE + timedelta(
        seconds=rng.random() * (now - SUBSCRIBERS_SINCE).total_seconds()
    )
    confirmed = created + timedelta(minutes=rng.randint(1, 600))
    name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
    if sid % 500 == 0:
        name = '=HYPERLINK("http://example.invalid","click")'
    return {
        "id": sid,
        "email": f"reader{sid}@example.org",
        "name": name,
        "organisation": rng.choice(ORGANISATIONS),
        "country_id": rng.choice(country_ids) if rng.random() < 0.8 else None,
        "status": status,
        "consent_text": CONSENT,
        "consented_at": created,
        "confirmed_at": confirmed if status != "pending" else None,
        "unsubscribed_at": confirmed + timedelta(days=30) if status == "unsubscribed" else None,
        "confirmation_sent_at": created,
        "confirmation_round": 1,
        "source_page": "/",
        "created_at": created,
        "updated_at": confirmed,
    }


def subscriber_lines(
    fields, start_id: int, count: int, seed: int, now, country_ids, status
) -> Iterator:
    """COPY lines of `count` subscribers in the order of `fields` (copy_fields(Subscriber))."""
    rng = random.Random(seed)
    for sid in range(start_id, start_id + count):
        yield copy_line(model_row(fields, subscriber_row(sid, rng, now, country_ids, status)))
