"""Search in scripts written without spaces between words (Thai, Khmer, Lao, Burmese): a word
from the middle of a sentence is found, marked, and the Latin-script route is unchanged; and
Burmese typed in the Zawgyi encoding is refused on save, naming the field.

The recall tests run on both databases (SQLite's fallback searches substrings too); what only
PostgreSQL has (the trigram index, the vector route left untouched) skips on SQLite."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forumasia import history
from publications import services
from publications.forms import is_zawgyi
from publications.models import Publication
from publications.search import matching_rows, search
from tests.factories import PublicationFactory, publisher

from .test_admin import ADD, form_data

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The trigram index and the full-text vector are PostgreSQL's (DATABASE_URL)",
)

# Sentences about human rights, each with a word taken from the middle of a run of letters
# (no space on either side), which PostgreSQL's parser alone cannot find.
SENTENCES = {
    "th": [
        (
            "คณะกรรมการสิทธิมนุษยชนแห่งชาติเรียกร้องให้รัฐบาลปล่อยตัวนักกิจกรรมที่ถูกควบคุมตัวโดยไม่มีเงื่อนไข",
            "ปล่อยตัว",  # release
        ),
        (
            "ผู้พิทักษ์สิทธิมนุษยชนหลายคนถูกคุกคามหลังจากเปิดเผยการทุจริตในจังหวัดชายแดนใต้",
            "คุกคาม",  # harassed
        ),
        ("เสรีภาพในการแสดงออกเป็นสิทธิขั้นพื้นฐานที่ทุกคนพึงได้รับ", "แสดงออก"),  # expression
    ],
    "km": [
        (
            "អង្គការសិទ្ធិមនុស្សបានអំពាវនាវឱ្យរដ្ឋាភិបាលដោះលែងអ្នកសកម្មជនដែលត្រូវបានចាប់ខ្លួន",
            "រដ្ឋាភិបាល",  # government
        ),
        ("សេរីភាពនៃការបញ្ចេញមតិគឺជាសិទ្ធិជាមូលដ្ឋានរបស់មនុស្សគ្រប់រូប", "បញ្ចេញមតិ"),  # expression
        (
            "អ្នកការពារសិទ្ធិមនុស្សជាច្រើនត្រូវបានគំរាមកំហែងដោយអាជ្ញាធរមូលដ្ឋាន",
            "គំរាមកំហែង",  # threatened
        ),
    ],
    "lo": [
        (
            "ອົງການສິດທິມະນຸດຮຽກຮ້ອງໃຫ້ລັດຖະບານປ່ອຍຕົວນັກເຄື່ອນໄຫວທີ່ຖືກຈັບກຸມ",
            "ລັດຖະບານ",  # government
        ),
        ("ເສລີພາບໃນການສະແດງຄວາມຄິດເຫັນແມ່ນສິດຂັ້ນພື້ນຖານຂອງທຸກຄົນ", "ຂັ້ນພື້ນຖານ"),  # basic
        (
            "ຄອບຄົວຂອງຜູ້ທີ່ຖືກບັງຄັບໃຫ້ຫາຍສາບສູນຍັງລໍຖ້າຄວາມຍຸຕິທຳ",
            "ຫາຍສາບສູນ",  # disappeared
        ),
    ],
    "my": [
        (
            "လူ့အခွင့်အရေးကာကွယ်သူများကိုဖမ်းဆီးထိန်းသိမ်းခြင်းကို ချက်ချင်းရပ်တန့်ရန် တောင်းဆိုသည်။",
            "ဖမ်းဆီး",  # arresting
        ),
        ("ထုတ်ဖော်ပြောဆိုခွင့်သည် လူတိုင်း၏အခြေခံအခွင့်အရေးဖြစ်သည်။", "အခြေခံ"),  # basic
        (
            "စစ်တပ်၏လေကြောင်းတိုက်ခိုက်မှုကြောင့် ရွာသားများစွာထွက်ပြေးခဲ့ရသည်။",
            "ရွာသား",  # villagers
        ),
    ],
}
CASES = [
    pytest.param(language, sentence, word, id=f"{language}-{number}")
    for language, sentences in SENTENCES.items()
    for number, (sentence, word) in enumerate(sentences)
]

# The title of the Universal Declaration of Human Rights in Burmese, as Unicode and as the
# same keys typed with the Zawgyi font.
BURMESE_UNICODE = "အပြည်ပြည်ဆိုင်ရာ လူ့အခွင့်အရေး ကြေညာစာတမ်း"
BURMESE_ZAWGYI = "အျပည္ျပည္ဆိုင္ရာ လူ႕အခြင့္အေရး ေၾကညာစာတမ္း"


def found(query):
    return list(search(Publication.objects.published(), query)[0])


def test_every_word_is_taken_from_inside_a_run_of_its_sentence():
    for sentence, word in (case for cases in SENTENCES.values() for case in cases):
        assert word in sentence
        assert word not in sentence.split()


@pytest.mark.parametrize(("language", "sentence", "word"), CASES)
def test_a_word_from_the_middle_of_a_sentence_in_the_body_is_found(language, sentence, word):
    statement = PublicationFactory(language=language, body=f"<p>{sentence}</p>")
    PublicationFactory(language=language, body="<p>ข่าว ព័ត៌មាន ຂ່າວ သတင်း</p>")

    assert found(word) == [statement]


@pytest.mark.parametrize(("language", "sentence", "word"), CASES)
def test_a_word_from_the_middle_of_a_title_is_found(language, sentence, word):
    statement = PublicationFactory(language=language, title=sentence[:255])

    assert found(word) == [statement]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The snippet cut around the word is PostgreSQL's; SQLite's fallback shows the summary",
)
def test_the_search_page_marks_the_word_in_the_title_and_in_a_snippet_of_the_body(client):
    sentence, word = SENTENCES["th"][1]
    PublicationFactory(
        language="th",
        title="ผู้พิทักษ์ถูกคุกคาม",
        body=f"<p>{'รายงาน ' * 60}</p><p>{sentence}</p>",
    )

    page = client.get("/search/", {"q": word}).content.decode()

    assert f"ผู้พิทักษ์ถูก<mark>{word}</mark>" in page
    assert f"<mark>{word}</mark>หลังจากเปิดเผย" in page


def test_a_word_in_two_scripts_must_be_in_both():
    both = PublicationFactory(
        title="Thailand: the human rights commission", body=f"<p>{SENTENCES['th'][0][0]}</p>"
    )
    PublicationFactory(title="Thailand: an unrelated report")
    PublicationFactory(body=f"<p>{SENTENCES['th'][0][0]}</p>")

    assert found(f"thailand {SENTENCES['th'][0][1]}") == [both]


def test_the_text_searched_by_substring_is_written_on_every_save():
    sentence, word = SENTENCES["km"][0]
    statement = PublicationFactory(title="Cambodia", body="<p>English only.</p>")
    assert statement.unspaced_text == ""

    statement.body = f"<p>Cambodia: {sentence}</p>"
    statement.save(update_fields=["body"])

    assert Publication.objects.get(pk=statement.pk).unspaced_text == sentence
    assert found(word) == [statement]


@postgres_only
def test_a_title_holding_the_word_ranks_before_newer_bodies_holding_it():
    sentence, word = SENTENCES["lo"][0]
    in_title = PublicationFactory(title=sentence, publish_at=timezone.now() - timedelta(days=30))
    in_body = PublicationFactory(body=f"<p>{sentence}</p>")

    assert found(word) == [in_title, in_body]


@postgres_only
def test_rows_written_in_bulk_are_found_after_the_index_is_rebuilt():
    sentence, word = SENTENCES["my"][2]
    statement = PublicationFactory()
    Publication.objects.filter(pk=statement.pk).update(body_text=sentence)
    assert found(word) == []

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert found(word) == [statement]


def test_a_restored_version_is_found_by_its_own_words():
    first, first_word = SENTENCES["th"][2]
    later, later_word = SENTENCES["th"][1]
    statement = PublicationFactory(body=f"<p>{first}</p>")
    author = publisher()
    services.save_publication(publication=statement, user=author)
    earliest = history.versions_of(statement).get()
    statement.body = f"<p>{later}</p>"
    services.save_publication(publication=statement, user=author)

    services.restore_version(version=earliest, user=author)

    assert found(first_word) == [statement]
    assert found(later_word) == []


@postgres_only
def test_a_theme_named_in_thai_is_still_found_through_the_vector():
    tagged = PublicationFactory(tags=["สิทธิมนุษยชน"])

    assert found("สิทธิมนุษยชน") == [tagged]


@postgres_only
def test_a_thai_word_is_matched_through_the_trigram_index_alone():
    word = SENTENCES["th"][0][1]
    PublicationFactory(body=f"<p>{SENTENCES['th'][0][0]}</p>")
    with CaptureQueriesContext(connection) as queries:
        matching_rows(Publication.objects.published(), [word])
    bare = Publication.objects.filter(unspaced_text__contains=word).order_by().values("pk")

    with connection.cursor() as cursor:
        # A handful of rows are cheaper to read whole; the plan through the index is what
        # 100,000 publications get (bench/scripts_search.py).
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = bare.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Bitmap Index Scan on pub_unspaced_text_trgm" in plan
    # No condition without an index beside it in the OR (a case-insensitive title match would
    # make PostgreSQL read every row).
    assert "UPPER(" not in queries.captured_queries[0]["sql"]


@postgres_only
def test_latin_words_keep_the_full_text_route_and_its_ranking():
    in_body = PublicationFactory(title="A report", body="<p>Detention of students.</p>")
    in_title = PublicationFactory(title="Detention of students")

    with CaptureQueriesContext(connection) as queries:
        results = found("detention")

    assert results == [in_title, in_body]
    assert not any(" LIKE " in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_text_of_rows_written_before_it():
    before = [("publications", "0021_translation_key_indexes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("publications", "Publication")
    sentence, word = SENTENCES["lo"][2]
    for slug, text in (("lao", f"Laos: {sentence}"), ("english", "Laos: a report")):
        old.objects.create(
            title=slug,
            slug=slug,
            status="published",
            publish_at=timezone.now(),
            body_text=text,
            translation_key=uuid.uuid4(),
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    texts = dict(Publication.objects.values_list("slug", "unspaced_text"))
    assert texts == {"lao": sentence, "english": ""}
    assert [item.slug for item in Publication.objects.filter(unspaced_text__contains=word)] == [
        "lao"
    ]


# --- Zawgyi ------------------------------------------------------------------------------------


def test_zawgyi_is_told_from_unicode_burmese_and_other_scripts():
    assert is_zawgyi(BURMESE_ZAWGYI)
    assert not is_zawgyi(BURMESE_UNICODE)
    for sentence, _ in SENTENCES["my"]:
        assert not is_zawgyi(sentence)
    assert not is_zawgyi("Universal Declaration of Human Rights")
    assert not is_zawgyi("")


def test_a_body_pasted_in_zawgyi_is_refused_naming_the_field_and_kept_in_the_form(client):
    client.force_login(publisher())
    data = form_data(language="my", body=f"<p>{BURMESE_ZAWGYI}</p>")

    response = client.post(ADD, data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.errors) == ["body"]
    assert "The body looks like Burmese typed in the Zawgyi font encoding" in str(
        form.errors["body"]
    )
    assert BURMESE_ZAWGYI in form["body"].value()
    assert not Publication.objects.exists()


def test_a_title_in_zawgyi_is_refused_naming_the_title(client):
    client.force_login(publisher())

    response = client.post(ADD, form_data(language="my", title=BURMESE_ZAWGYI))

    errors = response.context["adminform"].form.errors
    assert list(errors) == ["title"]
    assert "The title looks like Burmese" in str(errors["title"])


def test_unicode_burmese_is_saved(client):
    client.force_login(publisher())
    data = form_data(
        language="my",
        title=BURMESE_UNICODE,
        slug="udhr-my",
        standfirst=SENTENCES["my"][0][0],
        body=f"<p>{SENTENCES['my'][1][0]}</p><p>{SENTENCES['my'][2][0]}</p>",
    )

    response = client.post(ADD, data)

    assert response.status_code == 302
    assert Publication.objects.get(slug="udhr-my").title == BURMESE_UNICODE
