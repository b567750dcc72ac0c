"""Search in scripts without spaces at scale: `python -m bench.scripts_search [--publications
100000] [--skip-load] [--runs 30]`.

Builds its own database (`forumasia_bench_scripts`, dropped and recreated) with bench/load.py's
publications, then: every body's text is written (COPY leaves `body_text` empty), the bodies
of the Thai, Burmese and Khmer publications (datagen's languages) are rewritten in their own
script from the sentences below (one Thai body in RARE_EVERY also names Tak Bai, ตากใบ), and
the search columns are written by `manage.py rebuild_search_index`, as after any bulk load.
Prints the sizes of the table and its search indexes, and the time `search_publications()`
takes (page 1 of 20, as the search page calls it; median and 90th percentile of --runs calls
after a warm-up, in this process: the database's time and Django's) for a Thai word found in
many publications, a Thai word in few, and bench's common and rare Latin words.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

DB_NAME = "forumasia_bench_scripts"
SEED = 20261207
RARE_EVERY = 500
# Sentences about human rights, a paragraph's worth per script; words are not separated.
SENTENCES = {
    "th": [
        "คณะกรรมการสิทธิมนุษยชนแห่งชาติเรียกร้องให้รัฐบาลปล่อยตัวนักกิจกรรมที่ถูกควบคุมตัวโดยไม่มีเงื่อนไข",
        "ผู้พิทักษ์สิทธิมนุษยชนหลายคนถูกคุกคามหลังจากเปิดเผยการทุจริตในจังหวัดชายแดนใต้",
        "เสรีภาพในการแสดงออกเป็นสิทธิขั้นพื้นฐานที่ทุกคนพึงได้รับ",
        "นักศึกษาถูกตั้งข้อหาตามกฎหมายอาญามาตราหนึ่งร้อยสิบสองจากการปราศรัยในที่ชุมนุม",
        "องค์กรภาคประชาสังคมขอให้ศาลพิจารณาคดีอย่างเป็นธรรมและเปิดเผย",
        "ชุมชนที่ได้รับผลกระทบจากโครงการเหมืองแร่ยังไม่ได้รับการเยียวยา",
    ],
    "km": [
        "អង្គការសិទ្ធិមនុស្សបានអំពាវនាវឱ្យរដ្ឋាភិបាលដោះលែងអ្នកសកម្មជនដែលត្រូវបានចាប់ខ្លួន",
        "សេរីភាពនៃការបញ្ចេញមតិគឺជាសិទ្ធិជាមូលដ្ឋានរបស់មនុស្សគ្រប់រូប",
        "អ្នកការពារសិទ្ធិមនុស្សជាច្រើនត្រូវបានគំរាមកំហែងដោយអាជ្ញាធរមូលដ្ឋាន",
        "សហគមន៍ដែលរងផលប៉ះពាល់ពីការរំលោភយកដីធ្លីកំពុងរង់ចាំយុត្តិធម៌",
    ],
    "my": [
        "လူ့အခွင့်အရေးကာကွယ်သူများကိုဖမ်းဆီးထိန်းသိမ်းခြင်းကို ချက်ချင်းရပ်တန့်ရန် တောင်းဆိုသည်။",
        "ထုတ်ဖော်ပြောဆိုခွင့်သည် လူတိုင်း၏အခြေခံအခွင့်အရေးဖြစ်သည်။",
        "စစ်တပ်၏လေကြောင်းတိုက်ခိုက်မှုကြောင့် ရွာသားများစွာထွက်ပြေးခဲ့ရသည်။",
        "သတင်းထောက်များကို အကြောင်းမဲ့ထောင်ဒဏ်ချမှတ်ခြင်းကို ရပ်တန့်ရမည်။",
    ],
}
COMMON_THAI = "คุกคาม"  # harassed: in most Thai bodies
RARE_THAI = "ตากใบ"  # Tak Bai: one Thai body in RARE_EVERY
RARE_SENTENCE = "ครอบครัวของผู้เสียชีวิตในเหตุการณ์ตากใบยังคงเรียกร้องความยุติธรรม"


def script_body(rng, language, rare):
    paragraphs = []
    for _ in range(rng.randint(3, 7)):
        sentences = rng.sample(SENTENCES[language], k=min(4, len(SENTENCES[language])))
        paragraphs.append(f"<p>{' '.join(sentences)}</p>")
    if rare:
        paragraphs.append(f"<p>{RARE_SENTENCE}</p>")
    return "\n".join(paragraphs)


def rewrite_in_scripts(models, plain_text):
    """The bodies (and body texts) of the publications in SENTENCES' languages, in their
    script; every other row's body text from its body. Returns how many were rewritten."""
    from django.db import connection

    Publication = models.Publication
    rng = random.Random(SEED)
    rows = list(
        Publication.objects.filter(language__in=SENTENCES)
        .order_by("pk")
        .values_list("pk", "language")
    )
    thai = 0
    for start in range(0, len(rows), 2000):
        batch = []
        for pk, language in rows[start : start + 2000]:
            thai += language == "th"
            rare = language == "th" and thai % RARE_EVERY == 7
            batch.append(Publication(pk=pk, body=script_body(rng, language, rare)))
        for row in batch:
            row.body_text = plain_text(row.body)
        Publication.objects.bulk_update(batch, ["body", "body_text"])
    with connection.cursor() as cursor:
        # models.plain_text() in SQL: tags, then character references, become spaces.
        cursor.execute(
            "UPDATE publications_publication SET body_text = regexp_replace("
            "regexp_replace(body, '<[^>]*>', ' ', 'g'), '&[#a-zA-Z0-9]+;', ' ', 'g') "
            "WHERE body_text = ''"
        )
    return len(rows)


def sizes():
    from django.db import connection

    names = ["publications_publication", "pub_search_vector", "pub_unspaced_text_trgm"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_relation_size(oid), pg_total_relation_size(oid) "
            "FROM pg_class WHERE relname = ANY(%s)",
            [names],
        )
        found = {name: (size, total) for name, size, total in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE unspaced_text <> ''), "
            "sum(octet_length(unspaced_text)), sum(octet_length(body_text)) "
            "FROM publications_publication"
        )
        rows, with_script, unspaced_bytes, body_bytes = cursor.fetchone()
    return found, rows, with_script, unspaced_bytes, body_bytes


def time_search(query, runs):
    from django.db import reset_queries

    from publications.models import Publication
    from publications.search import search_publications

    def once():
        started = time.perf_counter()
        page, count, _ = search_publications(
            query=query,
            publications=Publication.objects.published().for_cards(),
            page=1,
            per_page=20,
        )
        cards = list(page)
        reset_queries()
        return time.perf_counter() - started, count, len(cards)

    once()
    timings, count, shown = [], 0, 0
    for _ in range(runs):
        elapsed, count, shown = once()
        timings.append(elapsed * 1000)
    timings.sort()
    return {
        "median_ms": statistics.median(timings),
        "p90_ms": timings[int(len(timings) * 0.9) - 1],
        "count": count,
        "shown": shown,
    }


def explain(query):
    from django.db import connection

    from publications.models import Publication
    from publications.search import matching_rows

    queries = []
    original = connection.execute_wrapper

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with original(capture):
        matching_rows(Publication.objects.published(), [query])
    sql, params = queries[0]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-load", action="store_true", help="reuse the database")
    parser.add_argument("--database", default=DB_NAME)
    args = parser.parse_args(argv)

    from bench.run import base_env, recreate_database

    os.environ.update(base_env(args.database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_uncached"
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = f"/tmp/{args.database}-media"
    Path(os.environ["MEDIA_ROOT"]).mkdir(parents=True, exist_ok=True)
    if not args.skip_load:
        recreate_database(args.database)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import load
    from publications import models

    call_command("migrate", verbosity=0, interactive=False)
    if not args.skip_load:
        base = load.load_base(0)
        load.load_publications(args.publications, base["image"])
        started = time.perf_counter()
        rewritten = rewrite_in_scripts(models, models.plain_text)
        print(
            f"[scripts] {rewritten:,} bodies rewritten in Thai, Burmese or Khmer "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        started = time.perf_counter()
        call_command("rebuild_search_index", stdout=io.StringIO())
        print(f"[scripts] rebuild_search_index: {time.perf_counter() - started:.0f} s", flush=True)
        load.analyze()

    found, rows, with_script, unspaced_bytes, body_bytes = sizes()
    print(f"publications: {rows:,}, with text in scripts without spaces: {with_script:,}")
    print(
        f"body_text: {body_bytes / 2**20:.1f} MiB, unspaced_text: {unspaced_bytes / 2**20:.1f} MiB"
    )
    for name, (size, total) in found.items():
        print(f"{name}: {size / 2**20:.1f} MiB (with TOAST and indexes: {total / 2**20:.1f} MiB)")
    from bench.datagen import COMMON_WORD, RARE_WORD

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        print(f"PostgreSQL {cursor.fetchone()[0]}, load average {os.getloadavg()}")
    for label, query in (
        ("Thai, common", COMMON_THAI),
        ("Thai, rare", RARE_THAI),
        ("Latin, common", COMMON_WORD),
        ("Latin, rare", RARE_WORD),
    ):
        result = time_search(query, args.runs)
        print(
            f"{label} ({query}): median {result['median_ms']:.1f} ms, "
            f"p90 {result['p90_ms']:.1f} ms, {result['count']} results, {result['shown']} shown"
        )
    for query in (COMMON_THAI, RARE_THAI):
        print(f"--- matching_rows({query}) ---\n{explain(query)}")


if __name__ == "__main__":
    main()
