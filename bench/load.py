"""Build the benchmark data set in its own PostgreSQL database, fast (COPY, not the ORM).

Runs inside the harness process after `django.setup()`, against the bench database
(`forumasia_bench`, or `--database`) that bench/run.py points DATABASE_URL at.
"""

import io
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from PIL import Image, ImageDraw
from taggit.models import Tag, TaggedItem

from forumasia.files import owned_files
from forumasia.images import make_renditions
from members import demo as members_demo
from members.models import Country, MemberOrganisation
from newsletter.models import MailingList, Subscriber, Subscription
from publications import search
from publications.models import Attachment, PartnerOrganisation, Publication, Signature
from subsites.models import Pick, SubSite

from . import datagen

SEED = 20251128
DETAIL_ID = 1
DETAIL_SLUG = "bench-joint-statement-30-signatories"
# The detail page's folder of files holds the bench's one image (datagen.publication_row).
DETAIL_FILES_KEY = uuid.UUID("00000000-0000-4000-8000-000000000001")
IMAGE_NAME = f"publications/{DETAIL_FILES_KEY}/assembly.jpg"
BENCH_USER = "bench-admin"
# The bench sub-site (/sites/bench/): statements about the busiest countries, plus picks.
SUB_SITE_SLUG = "bench"
SUB_SITE_COUNTRIES = 3
SUB_SITE_PICKS = 3
# The columns each COPY writes: the models' own concrete fields (rows numbered by the database
# where the generator gives no id).
PUBLICATIONS = datagen.copy_fields(Publication)
TAGGED = datagen.copy_fields(TaggedItem, numbered=False)
COUNTRIES = datagen.copy_fields(Publication.countries.through, numbered=False)
SIGNATURES = datagen.copy_fields(Signature, numbered=False)
ATTACHMENTS = datagen.copy_fields(Attachment, numbered=False)


def link_line(fields, **values):
    return datagen.copy_line(datagen.model_row(fields, values))


def log(message):
    print(f"[load] {message}", flush=True)


def _copy(model, fields, lines) -> int:
    """COPY `lines` (rows in the order of `fields`, datagen.copy_fields) into `model`'s table."""
    source = datagen.IterFile(lines)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.cursor.copy_expert(sql, source, size=1 << 20)
    return source.rows


def _sync_sequence(model) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def _timed(label):
    class Timer:
        def __enter__(self):
            self.start = time.perf_counter()
            return self

        def __exit__(self, *exc):
            if exc[0] is None:
                log(f"{label}: {time.perf_counter() - self.start:.1f} s")

    return Timer()


# --- Base data: members, lists, tags, image, admin user, subscribers ----------------------------


def _bench_image():
    """One real photo-like JPEG and its renditions; many publications point at them."""
    image = Image.new("RGB", (1600, 1000))
    draw = ImageDraw.Draw(image)
    rng = random.Random(SEED)
    for y in range(0, 1000, 8):
        shade = 60 + y * 150 // 1000
        draw.rectangle((0, y, 1600, y + 8), fill=(shade, 90, 160 - shade // 3))
    for _ in range(400):
        x, y, r = rng.randint(0, 1600), rng.randint(0, 1000), rng.randint(4, 40)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    # A fresh database: what an earlier load left in the folder belongs to nothing now.
    if owned_files.exists(IMAGE_NAME):
        owned_files.delete(IMAGE_NAME)
    name = owned_files.save(IMAGE_NAME, ContentFile(buffer.getvalue()))
    renditions = make_renditions(Publication(featured_image=name).featured_image)
    return name, renditions


def load_base(subscribers: int) -> dict:
    """Everything except publications. Returns the ids the publication loader needs."""
    with _timed("members (members.demo.load)"):
        members_demo.load(io.StringIO())
    with _timed("mailing lists, tags, image, admin user"):
        lists = [
            MailingList.objects.create(
                slug="e-newsletter", name="Monthly e-newsletter", is_default=True, position=0
            ),
            MailingList.objects.create(
                slug="urgent-appeals", name="Urgent statements and appeals", position=1
            ),
            MailingList.objects.create(slug="reports", name="New reports", position=2),
        ]
        Tag.objects.bulk_create(
            Tag(name=name, slug=datagen.slugify_ascii(name)) for name in datagen.TAG_NAMES
        )
        PartnerOrganisation.objects.bulk_create(
            PartnerOrganisation(name=f"Partner organisation {number}")
            for number in range(1, datagen.PARTNERS + 1)
        )
        image = _bench_image()
        user_model = get_user_model()
        user_model.objects.filter(username=BENCH_USER).delete()
        user_model.objects.create_superuser(BENCH_USER, "bench@example.org", None)
    member_codes = [code for code, _ in members_demo.DEMO_COUNTRIES]
    main = list(Country.objects.filter(code__in=member_codes).values_list("pk", flat=True))
    other = list(Country.objects.exclude(code__in=member_codes).values_list("pk", flat=True))
    if subscribers:
        _load_subscribers(subscribers, main + other, [ml.pk for ml in lists])
    return {"image": image}


def _load_subscribers(count: int, country_ids: list[int], list_ids: list[int]) -> None:
    """`count` confirmed subscribers, plus 5% pending and 2% unsubscribed ones."""
    now = datetime.now(UTC)
    batches = [
        ("confirmed", count),
        ("pending", count // 20),
        ("unsubscribed", count // 50),
    ]

    fields = datagen.copy_fields(Subscriber)

    def lines():
        start = 1
        for status, n in batches:
            yield from datagen.subscriber_lines(
                fields, start, n, SEED + start, now, country_ids, status
            )
            start += n

    with _timed(f"subscribers: {sum(n for _, n in batches):,} rows (COPY)"):
        _copy(Subscriber, fields, lines())
        _sync_sequence(Subscriber)
    # Everyone is on the default list; 40% also on a second one. Set-based, in the database.
    table = Subscription._meta.db_table
    with _timed("subscriptions (INSERT … SELECT)"), connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            f"INSERT INTO {table} (subscriber_id, mailing_list_id, subscribed_at, unsubscribed_at)"
            f" SELECT id, %s, created_at, unsubscribed_at FROM {Subscriber._meta.db_table}",
            [list_ids[0]],
        )
        cursor.execute(
            f"INSERT INTO {table} (subscriber_id, mailing_list_id, subscribed_at, unsubscribed_at)"
            f" SELECT id, (ARRAY[%s, %s])[1 + id %% 2], created_at, unsubscribed_at"
            f" FROM {Subscriber._meta.db_table} WHERE (id * 7919) %% 10 < 4",
            [list_ids[1], list_ids[2]],
        )


# --- Publications, cumulative -------------------------------------------------------------------


def load_publications(upto: int, image) -> None:
    """Add publications with ids (current max + 1)..upto, with tags, countries, signatories."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Publication._meta.db_table}")
        start = cursor.fetchone()[0] + 1
    if start > upto:
        return
    rng = random.Random(SEED + start)
    text = datagen.TextMaker(random.Random(SEED))
    now = datetime.now(UTC)
    member_codes = [code for code, _ in members_demo.DEMO_COUNTRIES]
    main = list(Country.objects.filter(code__in=member_codes).values_list("pk", flat=True))
    other = list(Country.objects.exclude(code__in=member_codes).values_list("pk", flat=True))
    member_ids = list(MemberOrganisation.objects.active().values_list("pk", flat=True))
    partner_ids = list(PartnerOrganisation.objects.values_list("pk", flat=True))
    tag_ids = list(Tag.objects.order_by("pk").values_list("pk", flat=True))
    content_type = ContentType.objects.get_for_model(Publication).pk
    tagged, countries, signatures, attachments = [], [], [], []
    # The original the next rows translate, and how many translations it still gets.
    group = {"original": None, "wanted": 0, "languages": set()}

    def rows():
        for pid in range(start, upto + 1):
            if group["wanted"] and pid != DETAIL_ID:
                values = datagen.translation_row(pid, rng, group["original"], group["languages"])
                group["wanted"] -= 1
            else:
                values = datagen.publication_row(pid, rng, text, now, image)
                group.update(
                    original=values,
                    wanted=datagen.translations_wanted(rng),
                    languages={values["language"]},
                )
            if pid == DETAIL_ID:
                values = _detail_values(values, now, image)
                group["original"] = values
            else:
                for tag in datagen.pick_tags(rng, tag_ids):
                    tagged.append(
                        link_line(TAGGED, object_id=pid, content_type_id=content_type, tag_id=tag)
                    )
                for country in datagen.pick_countries(rng, main, other):
                    countries.append(link_line(COUNTRIES, publication_id=pid, country_id=country))
                for order, member in enumerate(
                    datagen.pick_signatories(rng, values["type"], member_ids)
                ):
                    signatures.append(
                        link_line(SIGNATURES, publication_id=pid, member_id=member, order=order)
                    )
                for order, partner in enumerate(
                    datagen.pick_partners(rng, values["type"], partner_ids), start=100
                ):
                    signatures.append(
                        link_line(SIGNATURES, publication_id=pid, partner_id=partner, order=order)
                    )
                if values["type"] == "report":
                    attachments.append(
                        link_line(
                            ATTACHMENTS,
                            publication_id=pid,
                            title="Full report (PDF)",
                            file=f"publications/{values['files_key']}/r{pid}.pdf",
                            language="en",
                            file_size=rng.randint(200_000, 8_000_000),
                        )
                    )
            yield datagen.copy_line(datagen.model_row(PUBLICATIONS, values))

    with _timed(f"publications {start:,}..{upto:,} (COPY)"):
        _copy(Publication, PUBLICATIONS, rows())
        _sync_sequence(Publication)
    with _timed(
        f"tags {len(tagged):,}, countries {len(countries):,}, signatures {len(signatures):,}, "
        f"attachments {len(attachments):,} (COPY)"
    ):
        _copy_links(tagged, countries, signatures, attachments)
    if start <= DETAIL_ID:
        _detail_relations(tag_ids, main, member_ids, content_type)


def _detail_values(values, now, image):
    """The detail page under test: a recent joint statement with an image."""
    return {
        **values,
        "type": "statement",
        "slug": DETAIL_SLUG,
        "files_key": DETAIL_FILES_KEY,
        "status": "published",
        "publish_at": now - timedelta(hours=1),
        "featured_image": image[0],
        "featured_image_alt": "Protesters hold placards at a peaceful assembly",
        "featured_image_renditions": image[1],
        "video_url": "",
        "language": "en",
    }


def _detail_relations(tag_ids, country_ids, member_ids, content_type):
    """30 signatories, 10 attachments, 4 tags and 3 countries for the detail page."""
    pid = DETAIL_ID
    _copy_links(
        [
            link_line(TAGGED, object_id=pid, content_type_id=content_type, tag_id=t)
            for t in tag_ids[:4]
        ],
        [link_line(COUNTRIES, publication_id=pid, country_id=c) for c in country_ids[:3]],
        [
            link_line(SIGNATURES, publication_id=pid, member_id=m, order=i)
            for i, m in enumerate(member_ids[:30])
        ],
        [
            link_line(
                ATTACHMENTS,
                publication_id=pid,
                title=f"Annex {i + 1}",
                file=f"publications/{DETAIL_FILES_KEY}/annex-{i + 1}.pdf",
                language="en" if i % 2 else "th",
                file_size=150_000 + i * 10_000,
                order=i,
            )
            for i in range(10)
        ],
    )


def _copy_links(tagged, countries, signatures, attachments):
    _copy(TaggedItem, TAGGED, tagged)
    _copy(Publication.countries.through, COUNTRIES, countries)
    _copy(Signature, SIGNATURES, signatures)
    _copy(Attachment, ATTACHMENTS, attachments)


# --- The sub-site ------------------------------------------------------------------------------


def load_sub_site() -> SubSite:
    """The bench sub-site, made again after the publications are in: statements about the
    SUB_SITE_COUNTRIES countries with the most publications, and picks pinned first (the detail
    page, so its copy on the sub-site is the same publication, and recent reports, which its
    criteria leave out). Its sign-up offers the default list, as the main site's does."""
    SubSite.objects.filter(slug=SUB_SITE_SLUG).delete()
    sub_site = SubSite.objects.create(
        name="Bench campaign",
        short_name="Bench",
        slug=SUB_SITE_SLUG,
        introduction="<p>Statements on the countries the network writes about most.</p>",
        publication_types=["statement"],
        mailing_list=MailingList.objects.get(is_default=True),
    )
    busiest = (
        Publication.countries.through.objects.values("country_id")
        .annotate(n=Count("id"))
        .order_by("-n", "country_id")[:SUB_SITE_COUNTRIES]
    )
    sub_site.countries.set([row["country_id"] for row in busiest])
    reports = (
        Publication.objects.published()
        .filter(type="report", translation_of=None)
        .order_by("-publish_at")
        .values_list("pk", flat=True)[: SUB_SITE_PICKS - 1]
    )
    Pick.objects.bulk_create(
        Pick(sub_site=sub_site, publication_id=pk, is_pinned=True, position=position)
        for position, pk in enumerate([DETAIL_ID, *reports])
    )
    return sub_site


# --- After loading ------------------------------------------------------------------------------


def analyze() -> None:
    with _timed("VACUUM ANALYZE"), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def fill_search_vectors() -> str:
    """Write the search vectors COPY left empty with the app's own command, so the benchmark
    searches the index the site builds (its text search configuration). Says what it did."""
    column = f"{Publication._meta.db_table}.search_vector"
    if not Publication.objects.filter(search_vector__isnull=True).exists():
        return f"{column} already filled"
    with _timed("manage.py rebuild_search_index"):
        call_command("rebuild_search_index", stdout=io.StringIO())
    return f"{column} filled by manage.py rebuild_search_index ('{search.CONFIG}' configuration)"


def bench_user():
    return get_user_model().objects.get(username=BENCH_USER)
