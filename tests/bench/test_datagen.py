"""The benchmark's row generators make rows PostgreSQL's COPY accepts (no database needed)."""

import random
from datetime import UTC, datetime

from bench import datagen

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_copy_line_escapes_and_nulls():
    line = datagen.copy_line(["a\tb\nc\\d", None, True, False, [1], NOW])
    fields = line.rstrip("\n").split("\t")
    assert fields[:4] == ["a\\tb\\nc\\\\d", "\\N", "t", "f"]
    assert fields[4] == "[1]"
    assert fields[5].startswith("2026-01-01T00:00:00")


def test_publication_rows_fit_the_columns_and_vary():
    rng = random.Random(1)
    text = datagen.TextMaker(random.Random(1), paragraph_pool=50)
    image = ("publications/images/x.jpg", [{"width": 400, "height": 250, "jpeg": "a", "webp": "b"}])
    rows = [datagen.publication_row(pid, rng, text, NOW, image) for pid in range(1, 301)]
    columns = datagen.PUBLICATION_COLUMNS
    assert all(len(row) == len(columns) for row in rows)
    by_name = [dict(zip(columns, row, strict=True)) for row in rows]
    assert len({row["slug"] for row in by_name}) == len(rows)
    assert {row["type"] for row in by_name} == set(datagen.TYPES)
    assert any(row["status"] == "draft" for row in by_name)
    assert any(row["publish_at"] > NOW for row in by_name)  # scheduled
    assert all(1000 < len(row["body"]) < 12000 for row in by_name)
    assert any(row["featured_image"] for row in by_name)


def test_iterfile_returns_every_line_as_utf8():
    lines = [datagen.copy_line([i, "ใจดี"]) for i in range(1000)]
    source = datagen.IterFile(lines)
    data = b""
    while chunk := source.read(777):
        data += chunk
    assert data.decode("utf-8") == "".join(lines)
    assert source.rows == 1000


def test_subscriber_rows_have_formula_names_to_neutralise():
    rng = random.Random(1)
    rows = [datagen.subscriber_row(sid, rng, NOW, [1, 2], "confirmed") for sid in range(1, 1001)]
    assert all(len(row) == len(datagen.SUBSCRIBER_COLUMNS) for row in rows)
    assert sum(row[2].startswith("=") for row in rows) == 2
    assert len({row[1] for row in rows}) == 1000
