"""What an import did (or, for a dry run, would do): counts, problems, redirects.

The summary and the problem rows stay in memory (they are few); every row, redirects
included, also goes to a CSV writer as it happens, so a 100,000-post export does not keep
400,000 redirect rows in memory.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field

CSV_HEADER = ["section", "wordpress_id", "title", "detail", "new_url"]
# Sections of rows the summary lists one by one (the others are counted).
PROBLEM_SECTIONS = ("not public", "skipped", "kept", "missing media", "warning")
OUTCOMES = ("created", "updated", "unchanged", "kept", "deleted")
NOT_IMPORTED_NOTE = (
    "Not imported by design: comments, authors, navigation menus, and the old site's theme "
    "and plugin settings."
)


def _neutralise(value):
    """Spreadsheet formulas in a cell (=, +, -, @, tab, CR first) are shown as text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass
class Row:
    section: str
    wp_id: int | str
    title: str
    detail: str
    new_url: str = ""


@dataclass
class Report:
    site_url: str = ""
    version: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # "publication|statement|published" -> n
    outcomes: Counter = field(default_factory=Counter)
    redirects: Counter = field(default_factory=Counter)  # form -> n
    ignored: Counter = field(default_factory=Counter)
    problems: list[Row] = field(default_factory=list)
    csv_writer: object = None
    missing_seen: set = field(default_factory=set, repr=False)

    def attach_csv(self, stream):
        self.csv_writer = csv.writer(stream)
        self.csv_writer.writerow(CSV_HEADER)

    def add(self, section, wp_id, title, detail, new_url=""):
        row = Row(section, wp_id, title, detail, new_url)
        if section in PROBLEM_SECTIONS:
            self.problems.append(row)
        if self.csv_writer is not None:
            self.csv_writer.writerow(
                [_neutralise(value) for value in (section, wp_id, title, detail, new_url)]
            )

    def imported(self, *, kind, type_label, status, outcome, wp_id, title, new_url):
        self.counts[f"{kind}|{type_label}|{status}"] += 1
        self.outcomes[outcome] += 1
        self.add(outcome, wp_id, title, f"{kind}, {type_label}, {status}", new_url)

    def withhold(self, wp_id, title, reason):
        """A post public here only after an editor's review: not public on the old site."""
        self.add("not public", wp_id, title, f"{reason}: imported as a draft")

    def skip(self, wp_id, title, reason):
        self.outcomes["skipped"] += 1
        self.add("skipped", wp_id, title, reason)

    def missing(self, wp_id, title, url, reason):
        # A post often names one file twice (featured image and body): one row is enough.
        if (wp_id, url) not in self.missing_seen:
            self.missing_seen.add((wp_id, url))
            self.add("missing media", wp_id, title, f"{url}: {reason}")

    def warn(self, wp_id, title, message):
        self.add("warning", wp_id, title, message)

    def redirect(self, form, old_url, new_url, *, wp_id="", title=""):
        self.redirects[form] += 1
        self.add("redirect", wp_id, title, old_url, new_url)

    def section(self, name):
        return [row for row in self.problems if row.section == name]

    def lines(self):
        """The report as text lines, for the terminal and the admin page."""
        verb = "Would import" if self.dry_run else "Imported"
        lines = [
            f"{'DRY RUN — nothing was changed. ' if self.dry_run else ''}"
            f"WordPress site {self.site_url} (WXR {self.version})",
            "",
            f"{verb}:",
        ]
        if not self.counts:
            lines.append("  nothing")
        for key, count in sorted(self.counts.items()):
            kind, type_label, status = key.split("|")
            lines.append(f"  {count:>7}  {kind:<12} {type_label:<10} {status}")
        lines.append("")
        lines.append(
            "Outcome: "
            + ", ".join(f"{self.outcomes[name]} {name}" for name in (*OUTCOMES, "skipped"))
        )
        lines.append(
            "Redirects: "
            + (", ".join(f"{n} {form}" for form, n in sorted(self.redirects.items())) or "none")
        )
        if self.ignored:
            lines.append(
                "Ignored: " + ", ".join(f"{n} {what}" for what, n in sorted(self.ignored.items()))
            )
        lines.append(NOT_IMPORTED_NOTE)
        for name, heading in (
            ("not public", "Not public on the old site (imported as drafts, to review)"),
            ("skipped", "Skipped"),
            ("kept", "Changed on the new site since the last import (not overwritten)"),
            ("missing media", "Missing media (the import went on without them)"),
            ("warning", "Warnings"),
        ):
            rows = self.section(name)
            if rows:
                lines.append("")
                lines.append(f"{heading}: {len(rows)}")
                lines.extend(f"  #{row.wp_id} {row.title[:60]}: {row.detail}" for row in rows)
        return lines

    def as_dict(self):
        return {
            "site_url": self.site_url,
            "version": self.version,
            "dry_run": self.dry_run,
            "counts": dict(self.counts),
            "outcomes": dict(self.outcomes),
            "redirects": dict(self.redirects),
            "ignored": dict(self.ignored),
            "problems": [vars(row) for row in self.problems],
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            site_url=data["site_url"],
            version=data["version"],
            dry_run=data["dry_run"],
            counts=Counter(data["counts"]),
            outcomes=Counter(data["outcomes"]),
            redirects=Counter(data["redirects"]),
            ignored=Counter(data["ignored"]),
            problems=[Row(**row) for row in data["problems"]],
        )
