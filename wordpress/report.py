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
    # An import into a sub-site: which, its picks, the old host and whether it is answered.
    sub_site: dict = field(default_factory=dict)
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

    def for_sub_site(self, *, name, slug, address, host, old_host, answered, picks, picks_added):
        self.sub_site = {
            "name": name,
            "slug": slug,
            "address": address,
            "host": host,
            "old_host": old_host,
            "answered": answered,
            "picks": picks,
            "picks_added": picks_added,
        }

    @property
    def redirect_count(self):
        return sum(self.redirects.values())

    def sub_site_lines(self):
        """Where the items went, and whether their old addresses are answered: only on the old
        host, when it is the sub-site's own (oldaddresses/redirects.py)."""
        info = self.sub_site
        lines = [
            f"Sub-site: {info['name']} ({info['slug']}, {info['address']}): "
            f"{info['picks']} publications in its picks, {info['picks_added']} of them new."
        ]
        if info["answered"]:
            lines.append(f"The old addresses on {info['old_host']} lead to the sub-site.")
            return lines
        now = f"its host is {info['host']}" if info["host"] else "it has no host of its own"
        lines.append(
            f"The {self.redirect_count} redirects are NOT answered: the old addresses on "
            f"{info['old_host']} are answered on the sub-site's own host only, and {now}. "
            f"Set the sub-site's host to {info['old_host']} (admin, Sub-sites, "
            f"{info['name']}) and point that domain at this server."
        )
        return lines

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
        forms = ", ".join(f"{n} {form}" for form, n in sorted(self.redirects.items()))
        made = f"{self.redirect_count} made ({forms})" if self.redirects else "none"
        lines.append(f"Redirects: {made}")
        if self.sub_site:
            lines.extend(self.sub_site_lines())
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
            "sub_site": self.sub_site,
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
            # Reports of runs before imports into sub-sites have none.
            sub_site=data.get("sub_site", {}),
        )
