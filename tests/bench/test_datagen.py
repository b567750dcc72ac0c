"""The benchmark's row generators make rows PostgreSQL's COPY accepts, in the order of the
models' own fields (no database needed)."""

import random
from datetime import UTC, datetime

import pytest

from bench import datagen
from newsletter.models import Subscriber
from publications.models import Publication, Signature

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_copy_line_escapes_and_nulls():
    line = datagen.copy_line(["a\tb\nc\\d", None, True, False, [1], NOW])
    fields = line.rstrip("\n").split("\t")
    assert fields[:4] == ["a\\tb\\nc\\\\d", "\\N", "t", "f"]
    assert fields[4] == "[1]"
    assert fields[5].startswith("2026-01-01T00:00:00")


def test_publication_rows_give_every_field_without_a_default_and_vary():
    rng = random.Random(1)
    text = datagen.TextMaker(random.Random(1), paragraph_pool=50)
    image = ("publications/images/x.jpg", [{"width": 400, "height": 250, "jpeg": "a", "webp": "b"}])
    fields = datagen.copy_fields(Publication)
    rows = [datagen.publication_row(pid, rng, text, NOW, image) for pid in range(1, 301)]
    assert all(len(datagen.model_row(fields, row)) == len(fields) for row in rows)
    assert len({row["slug"] for row in rows}) == len(rows)
    assert {row["type"] for row in rows} == set(datagen.TYPES)
    assert any(row["status"] == "draft" for row in rows)
    assert any(row["publish_at"] > NOW for row in rows)  # scheduled
    assert all(1000 < len(row["body"]) < 12000 for row in rows)
    assert any(row["featured_image"] for row in rows)


def test_translation_rows_join_their_originals_group_once_per_language():
    rng = random.Random(3)
    text = datagen.TextMaker(random.Random(3), paragraph_pool=20)
    original = datagen.publication_row(10, rng, text, NOW)
    languages = {original["language"]}

    translations = [datagen.translation_row(11 + n, rng, original, languages) for n in range(3)]

    assert all(row["translation_of_id"] == 10 for row in translations)
    assert len({row["language"] for row in translations} | {original["language"]}) == 4
    assert len({row["slug"] for row in [original, *translations]}) == 4
    assert all(row["type"] == original["type"] for row in translations)
    fields = datagen.copy_fields(Publication)
    assert all(len(datagen.model_row(fields, row)) == len(fields) for row in translations)


def test_rows_follow_the_models_fields_defaults_and_all():
    fields = datagen.copy_fields(Signature, numbered=False)

    assert [field.attname for field in fields] == [
        "publication_id",
        "member_id",
        "partner_id",
        "order",
    ]
    assert datagen.model_row(fields, {"publication_id": 1, "member_id": 2}) == [1, 2, None, 0]
    with pytest.raises(ValueError, match="Signature.publication_id needs a value"):
        datagen.model_row(fields, {"member_id": 2})
    with pytest.raises(ValueError, match="no such field: signer_id"):
        datagen.model_row(fields, {"publication_id": 1, "member_id": 2, "signer_id": 3})


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
    fields = datagen.copy_fields(Subscriber)
    rows = [datagen.subscriber_row(sid, rng, NOW, [1, 2], "confirmed") for sid in range(1, 1001)]
    assert all(len(datagen.model_row(fields, row)) == len(fields) for row in rows)
    assert sum(row["name"].startswith("=") for row in rows) == 2
    assert len({row["email"] for row in rows}) == 1000
