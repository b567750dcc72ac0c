import csv
import io
import unicodedata

import pytest
from django.core.files.storage import storages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forumasia.text import one_line
from newsletter import data_protection, exports, subscriptions
from newsletter.models import Subscriber, SubscriberExport
from tests.factories import SubscriberFactory, country

pytestmark = pytest.mark.django_db


def exported(queryset, *, fmt="csv", via="command", filters=None, user_id=None):
    """(the export's whole text, its rows as a spreadsheet reads them)."""
    export = exports.start_export(
        queryset=queryset, fmt=fmt, via=via, filters=filters or {}, user_id=user_id
    )
    text = "".join(export)
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
        ("a=b", "a=b"),
        (None, ""),
        ("\ufeff=HYPERLINK(1)", "'\ufeff=HYPERLINK(1)"),
        ("\u200b+1", "'\u200b+1"),
        ("\u202e@SUM(A1)", "'\u202e@SUM(A1)"),
        ("\uff1dcmd()", "'\uff1dcmd()"),
        ("\u3000 \u00a0-1", "'\u3000 \u00a0-1"),
        ("\u2028=1", "'\u2028=1"),
        ("ស្រីពៅ ម៉ៅ", "ស្រីពៅ ម៉ៅ"),
    ],
)
def test_neutralise_makes_formula_cells_text(value, cell):
    assert exports.neutralise(value) == cell


INVISIBLE_STARTS = st.sampled_from(
    ["", " ", "\t", "\r", "\n", "\x0b", "\x0c", "\x85", "\u00a0", "\u2028", "\u2029", "\u3000"]
    + ["\ufeff", "\u200b", "\u200d", "\u2060", "\u202e", "\u2066", "\u061c"]
)
FORMULA_LOOKALIKES = st.sampled_from(
    ["=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\ufe66", "\ufe62", "\ufe63"]
    + ["\ufe6b", "\u207a", "\u208a", "\u207c", "\u208c"]
)
ASIAN_NAMES = st.sampled_from(["สมชาย ใจดี", "ស្រីពៅ ម៉ៅ", "ဇော်မင်း ဦး", "Nguyễn Thị Lan", "नेपाल"])
CELL_TEXTS = st.one_of(
    st.text(),
    ASIAN_NAMES,
    st.builds(lambda name, rest: name + rest, ASIAN_NAMES, st.text(max_size=10)),
    st.builds(
        lambda starts, formula, rest: "".join(starts) + formula + rest,
        st.lists(INVISIBLE_STARTS, max_size=4),
        FORMULA_LOOKALIKES,
        st.one_of(ASIAN_NAMES, st.text(max_size=20)),
    ),
)


def spreadsheet_may_run(cell):
    """What a spreadsheet sees first: compatibility forms folded, unseen characters skipped."""
    shown = [
        character
        for character in unicodedata.normalize("NFKC", cell)
        if unicodedata.category(character) not in {"Cc", "Cf", "Zs", "Zl", "Zp"}
    ]
    return cell.startswith(("\t", "\r")) or (shown[:1] and shown[0] in "=+-@")


@settings(max_examples=300, deadline=None)
@given(text=CELL_TEXTS)
def test_no_cell_text_reaches_a_spreadsheet_as_a_formula_and_the_text_survives(text):
    cell = exports.neutralise(text)

    assert cell.startswith("'") or not spreadsheet_may_run(cell)
    assert cell in (text, "'" + text)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=CELL_TEXTS.map(lambda text: text.replace("\x00", "")))  # PostgreSQL text has no NUL
def test_exported_names_and_organisations_round_trip_neutralised(monthly, text):
    Subscriber.objects.all().delete()  # the examples share one test transaction
    SubscriberFactory(
        email="cell@example.org", name=text[:200], organisation=text[:200], lists=[monthly]
    )
    stored = one_line(text[:200]).strip()  # as every save stores it (test_models)

    _, rows = exported(Subscriber.objects.all(), fmt="csv-bom")

    assert rows[1][1] == rows[1][2] == exports.neutralise(stored)
    assert rows[1][1].startswith("'") or not spreadsheet_may_run(rows[1][1])


def test_export_logs_the_export_and_lists_active_lists(monthly, urgent, django_user_model):
    user = django_user_model.objects.create(username="comms")
    subscriber = SubscriberFactory(
        email="a@example.org", name="=cmd()", country=country("KH"), lists=[monthly, urgent]
    )
    subscriptions.update_preferences(subscriber=subscriber, lists=[urgent])

    _, rows = exported(
        Subscriber.objects.all(), via="admin", filters={"status": "confirmed"}, user_id=user.pk
    )

    assert rows[0] == exports.EXPORT_COLUMNS
    assert rows[1][:6] == [
        "a@example.org",
        "'=cmd()",
        "",
        "Cambodia",
        "urgent-appeals",
        "confirmed",
    ]
    log = SubscriberExport.objects.get()
    assert (log.user, log.via, log.row_count, log.filters) == (
        user,
        "admin",
        1,
        {"status": "confirmed"},
    )


def test_export_reads_subscribers_in_constant_queries(
    monthly, urgent, django_assert_max_num_queries
):
    for n in range(30):
        SubscriberFactory(country=country("NP"), lists=[monthly, urgent] if n % 2 else [monthly])

    # count + log insert + one chunk of subscribers (+ their lists, in the same query on
    # PostgreSQL, in one more query elsewhere)
    with django_assert_max_num_queries(4):
        _, rows = exported(Subscriber.objects.all())
    assert len(rows) == 31


def test_export_ends_each_row_with_the_language_the_subscriber_is_mailed_in(monthly, urgent):
    SubscriberFactory(email="a@example.org", language="th", lists=[monthly, urgent])
    SubscriberFactory(email="b@example.org", lists=[urgent])

    _, rows = exported(Subscriber.objects.all())

    assert rows[0][-1] == "language"
    assert {row[0]: (row[4], row[-1]) for row in rows[1:]} == {
        "a@example.org": ("e-newsletter, urgent-appeals", "th"),
        "b@example.org": ("urgent-appeals", "en"),
    }


def test_export_refuses_an_unknown_format(monthly):
    with pytest.raises(ValueError):
        exports.start_export(queryset=Subscriber.objects.all(), fmt="xls", via="x", filters={})
    assert not SubscriberExport.objects.exists()


def test_export_csv_chunks_are_the_same_rows_neutralised_with_lists(monthly, urgent):
    SubscriberFactory(
        email="a@example.org",
        name='=HYPERLINK("http://x")',
        organisation="@org",
        country=country("KH"),
        lists=[monthly, urgent],
    )
    SubscriberFactory(email="b@example.org", name="ស្រី", lists=[urgent])

    text, rows = exported(Subscriber.objects.order_by("email"), fmt="csv-bom", via="admin")

    assert text.startswith("\ufeff")
    assert rows[0] == exports.EXPORT_COLUMNS
    assert rows[1][:6] == [
        "a@example.org",
        '\'=HYPERLINK("http://x")',
        "'@org",
        "Cambodia",
        "e-newsletter, urgent-appeals",
        "confirmed",
    ]
    assert rows[2][:5] == ["b@example.org", "ស្រី", "", "", "urgent-appeals"]
    assert rows[1][6].endswith("+07:00")
    assert len(rows) == 3
    assert SubscriberExport.objects.get().row_count == 2


def test_export_csv_is_written_one_chunk_per_batch(monkeypatch, monthly):
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 10)
    for _ in range(25):
        SubscriberFactory(lists=[monthly])

    export = exports.start_export(
        queryset=Subscriber.objects.all(), fmt="csv", via="command", filters={}
    )
    chunks = list(export)

    assert len(chunks) == 3
    assert sum(chunk.count("\r\n") for chunk in chunks) == 26
    assert (export.row_count, export.rows_written) == (25, 25)


def test_an_export_is_on_record_before_its_first_row_goes_out(monthly, django_user_model):
    user = django_user_model.objects.create(username="comms")
    SubscriberFactory(email="a@example.org", lists=[monthly])

    exports.start_export(
        queryset=Subscriber.objects.all(), fmt="csv", via="admin", filters={}, user_id=user.pk
    )

    log = SubscriberExport.objects.get()
    assert (log.user, log.row_count) == (user, 1)


def test_an_empty_export_is_the_header_alone_and_logged_with_no_rows(monthly):
    text, rows = exported(Subscriber.objects.none(), fmt="csv-bom")

    assert text.startswith("\ufeff")
    assert rows == [exports.EXPORT_COLUMNS]
    assert SubscriberExport.objects.get().row_count == 0


def test_a_file_written_while_an_erasure_cancelled_its_export_is_deleted(
    comms, monthly, monkeypatch, settings
):
    leaving = SubscriberFactory(email="leaving@example.org", lists=[monthly])
    export = SubscriberExport.objects.create(
        user=comms,
        via="admin",
        row_count=0,
        format="csv",
        file_state="preparing",
        pending_query="q=leaving",
    )
    storage = storages["private"]
    save = storage.save

    def erased_meanwhile(name, content):
        stored = save(name, content)  # the rows read hold the person...
        data_protection.erase(subscriber=leaving)  # ...who is erased before the file is ready
        return stored

    monkeypatch.setattr(storage, "save", erased_meanwhile)

    exports.write_export_file.call(export_id=export.pk)

    export.refresh_from_db()
    assert (export.file_state, export.stored_name, export.pending_query) == ("cancelled", "", "")
    assert [path for path in settings.PRIVATE_ROOT.rglob("*") if path.is_file()] == []


def test_an_export_holds_confirmed_subscribers_on_a_list_unless_everyone_is_chosen(monthly):
    SubscriberFactory(email="on-a-list@example.org", lists=[monthly])
    SubscriberFactory(email="on-no-list@example.org")
    SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])
    SubscriberFactory(email="left@example.org", status="unsubscribed")

    default = exports.to_export(Subscriber.objects.all())
    everyone = exports.to_export(Subscriber.objects.all(), include_everyone=True)

    assert list(default.values_list("email", flat=True)) == ["on-a-list@example.org"]
    assert everyone.count() == 4
