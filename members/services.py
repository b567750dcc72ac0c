"""Writes that span rows: saving a member (its history and old address), restoring one of its
versions, deleting members, saving and deleting countries, and the CSV import of the
Secretariat's member spreadsheet. Each is one change event (forumasia/events.py).

`import_members` is the one implementation behind both the admin's "Import CSV" page and
`manage.py import_members FILE`. It is all-or-nothing: every row is validated (and saved in
a savepoint, so later rows see earlier ones for uniqueness); if any row is rejected, or the
file itself is unusable, the whole transaction is rolled back and the database is unchanged.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext

from forumasia import events, history, redirects

from .models import Country, MemberOrganisation


@transaction.atomic
def save_member(*, member: MemberOrganisation, user, comment: str = "") -> MemberOrganisation:
    """Save `member` as one revision; a changed slug leaves a 301 from the old address (every
    member, current or former, has a public page)."""
    stored = MemberOrganisation.objects.filter(pk=member.pk).first() if member.pk else None
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment or ("Changed" if stored else "Added"))
        member.save()
        keep_address(member, stored)
    events.changed(member)
    return member


@transaction.atomic
def save_country(*, country: Country) -> Country:
    country.save()
    events.changed(country)
    return country


@transaction.atomic
def delete(*, objs) -> None:
    """Delete member organisations (their signatures go with them) or countries (refused while
    a member is in one: ProtectedError)."""
    objs = list(objs)
    events.deleting(*objs)
    for obj in objs:
        obj.delete()


def keep_address(member, stored):
    if stored is not None and stored.slug != member.slug:
        redirects.moved(old_path=stored.get_absolute_url(), new_path=member.get_absolute_url())
    elif stored is None:
        redirects.claimed(path=member.get_absolute_url())


@transaction.atomic
def restore_version(*, version, user) -> history.Restored:
    """Write an older version of a member back, as a new revision."""
    stored = MemberOrganisation.objects.get(pk=version.object_id)
    shown = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Restored the version of {shown}")
        restored = history.restore(version=version, keep=("created_at",))
        restored.obj.save()
        keep_address(restored.obj, stored)
    events.changed(restored.obj)
    return restored


REQUIRED_COLUMNS = ("name", "slug", "country")
OPTIONAL_COLUMNS = (
    "acronym",
    "city",
    "website",
    "description",
    "focus_areas",
    "year_joined",
    "contact_email",
    "facebook_url",
    "x_url",
    "linkedin_url",
    "is_active",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
TRUE_WORDS = {"1", "yes", "y", "true", "active", "current"}
FALSE_WORDS = {"0", "no", "n", "false", "inactive", "former"}
MAX_ROWS = 5000
# Line breaks and tabs are text in a spreadsheet cell (a description may have paragraphs);
# every other control character (NUL, vertical tab from Word, escape...) is not, and PostgreSQL
# refuses NUL outright.
TEXT_CONTROLS = frozenset("\t\n\r")


def _control_character(text):
    """The first character of `text` that is a control character and not text, or None."""
    for character in text:
        if unicodedata.category(character) == "Cc" and character not in TEXT_CONTROLS:
            return character
    return None


def _printable(text):
    """`text` without control characters, to show in a report."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in TEXT_CONTROLS)


@dataclass
class RowResult:
    line: int  # line number in the file, the header being line 1
    slug: str
    name: str
    reason: str = ""


@dataclass
class ImportReport:
    created: list[RowResult] = field(default_factory=list)
    updated: list[RowResult] = field(default_factory=list)
    rejected: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems with the file as a whole
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors and not self.rejected

    @property
    def written(self):
        """True when the rows are in the database (valid file and not a dry run)."""
        return self.ok and not self.dry_run

    def summary(self):
        if self.errors:
            return gettext("Nothing was imported: %(errors)s") % {"errors": " ".join(self.errors)}
        counts = gettext("%(created)s created, %(updated)s updated, %(rejected)s rejected") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "rejected": len(self.rejected),
        }
        if self.rejected:
            return gettext(
                "Nothing was imported (%(counts)s): fix the rejected rows and try again."
            ) % {"counts": counts}
        if self.dry_run:
            return gettext("Dry run, nothing saved: %(counts)s.") % {"counts": counts}
        return gettext("Imported: %(counts)s.") % {"counts": counts}


class _Rollback(Exception):
    pass


def import_members(*, data: bytes, dry_run: bool = False, user=None) -> ImportReport:
    """Create or update member organisations (matched by slug) from CSV bytes.

    The file must be UTF-8 (a byte-order mark, as Excel writes it, is fine). Columns:
    name, slug, country (ISO code) are required; the others in OPTIONAL_COLUMNS may be present.
    Columns left out keep their current value on update.
    """
    report = ImportReport(dry_run=dry_run)
    rows = _read_rows(data, report)
    if rows is None:
        return report
    countries = {country.code: country for country in Country.objects.all()}
    existing = {member.slug: member for member in MemberOrganisation.objects.all()}
    first_line_of_slug = {}
    try:
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment("Imported from the member spreadsheet")
            for line, row in rows:
                _import_row(line, row, countries, existing, first_line_of_slug, report)
            if not report.ok or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _read_rows(data, report):
    """[(line, {column: value})], or None with report.errors set."""
    if isinstance(data, str):
        text = data
    else:
        try:
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            report.errors.append(
                f"The file is not UTF-8 text (unreadable byte at position {exc.start}). "
                "In Excel or LibreOffice choose “Save as… CSV UTF-8” and upload it again."
            )
            return None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        report.errors.append("The file is empty.")
        return None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        unknown = [name for name in header if name not in COLUMNS]
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if missing or unknown or duplicated:
            problems = []
            if missing:
                problems.append("missing column(s): " + ", ".join(missing))
            if unknown:
                problems.append("unknown column(s): " + ", ".join(repr(n) for n in unknown))
            if duplicated:
                problems.append("repeated column(s): " + ", ".join(duplicated))
            report.errors.append(
                "The header row is not the expected one ("
                + "; ".join(problems)
                + "). Expected columns: "
                + ", ".join(COLUMNS)
                + " (name, slug and country are required)."
            )
            return None
        reader.fieldnames = header
        rows = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                report.errors.append(f"The file has more than {MAX_ROWS} rows.")
                return None
            extra = row.pop(None, None)
            values = {key: (value or "").strip() for key, value in row.items()}
            if extra is not None:
                values["__extra__"] = "yes"
            if not any(v for k, v in values.items() if k != "__extra__"):
                continue  # blank line
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        report.errors.append(f"The file is not valid CSV: {exc}.")
        return None
    if not rows:
        report.errors.append("The file has a header row but no members.")
        return None
    return rows


def _import_row(line, row, countries, existing, first_line_of_slug, report):
    slug = row.get("slug", "")
    name = row.get("name", "")
    result = RowResult(line=line, slug=_printable(slug), name=_printable(name))

    def reject(reason):
        result.reason = reason
        report.rejected.append(result)

    if row.pop("__extra__", None):
        return reject("This row has more cells than the header has columns.")
    for column, value in row.items():
        character = _control_character(value)
        if character is not None:
            return reject(
                f"The {column} cell holds an invisible control character (U+{ord(character):04X}), "
                "which is not text: delete it in the spreadsheet and import again."
            )
    if not slug:
        return reject("The slug is empty.")
    if slug != slugify(slug):
        return reject(
            f"“{slug}” is not a valid slug: use lowercase letters, digits and hyphens, "
            f"e.g. “{slugify(slug) or 'my-organisation'}”."
        )
    if slug in first_line_of_slug:
        return reject(f"The slug “{slug}” is also used on line {first_line_of_slug[slug]}.")
    first_line_of_slug[slug] = line

    code = row.get("country", "").upper()
    country = countries.get(code)
    if country is None:
        return reject(f"Unknown country code “{row.get('country', '')}” (use ISO codes like TH).")

    values = {key: value for key, value in row.items() if key in OPTIONAL_COLUMNS}
    values["name"] = name
    values["country"] = country
    try:
        if "year_joined" in values:
            values["year_joined"] = int(values["year_joined"]) if values["year_joined"] else None
    except ValueError:
        return reject(f"Year joined “{row['year_joined']}” is not a year.")
    if "is_active" in values:
        word = values["is_active"].lower()
        if word in TRUE_WORDS or word == "":
            values["is_active"] = True
        elif word in FALSE_WORDS:
            values["is_active"] = False
        else:
            return reject(f"is_active “{row['is_active']}” should be yes or no.")

    member = existing.get(slug)
    is_new = member is None
    if is_new:
        member = MemberOrganisation(slug=slug)
    for key, value in values.items():
        setattr(member, key, value)
    try:
        member.full_clean(exclude=["logo"])
    except ValidationError as exc:
        return reject(_describe(exc))
    try:
        with transaction.atomic():
            member.save()
            events.changed(member)
    except IntegrityError as exc:  # a rule the database knows and full_clean did not catch
        return reject(f"The database refused this row ({exc}).")
    (report.created if is_new else report.updated).append(result)


def _describe(error):
    parts = []
    for field_name, messages in error.message_dict.items():
        label = "" if field_name == "__all__" else f"{field_name}: "
        parts.append(label + " ".join(messages))
    return "; ".join(parts)
