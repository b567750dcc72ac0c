import csv
import io
import itertools
import json
import re
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path
from urllib.parse import urlencode

import hypothesis
import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import models
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import strategies as st

from forumasia.mail import MESSAGE_END
from newsletter import exports, subscriptions
from newsletter.models import (
    Erasure,
    MailingList,
    Subscriber,
    SubscriberExport,
    Suppression,
    address_digest,
)
from newsletter.suppressions import suppress_erased
from tests.factories import (
    MailingListFactory,
    StaffUserFactory,
    SubscriberFactory,
    SuperUserFactory,
    SuppressionFactory,
    country,
)
from tests.forumasia.test_retries import DATABASE_QUEUE, run_worker

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:newsletter_subscriber_changelist")
CONFIRM_PATH = re.compile(r"/newsletter/confirm/[^\s\"/]+/")


def export_url(fmt="csv", query=""):
    return reverse("admin:newsletter_subscriber_export", args=[fmt]) + query


@pytest.fixture
def editor(client):
    """Staff without newsletter permissions (a publications editor), logged in."""
    user = StaffUserFactory(username="editor")
    user.user_permissions.add(Permission.objects.get(codename="view_subscriber"))
    client.force_login(user)
    return user


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_communications_staff_group_has_the_newsletter_permissions():
    codenames = set(
        Group.objects.get(name="Communications staff").permissions.values_list(
            "codename", flat=True
        )
    )

    assert {"view_subscriber", "export_subscribers", "delete_subscriber"} <= codenames
    assert {"view_subscriberexport", "change_mailinglist"} <= codenames
    assert "change_subscriber" not in codenames


def test_changelist_shows_subscribers_lists_and_the_monthly_chart(
    client, comms, monthly, django_assert_max_num_queries
):
    now = timezone.now()
    for months_ago in (0, 0, 1, 5):
        SubscriberFactory(confirmed_at=now - timedelta(days=30 * months_ago), lists=[monthly])

    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Monthly e-newsletter" in html
    assert "<svg" in html and html.count("<rect") == 24
    assert "(4 in all)" in html
    assert "Export: CSV for spreadsheets" in html


def test_mailing_lists_show_and_sort_by_their_confirmed_subscribers(client, comms, monthly, urgent):
    SubscriberFactory(lists=[monthly, urgent])
    SubscriberFactory(lists=[monthly])
    SubscriberFactory(status="pending", lists=[urgent])
    subscriptions.unsubscribe(subscriber=SubscriberFactory(lists=[urgent]))

    response = client.get(reverse("admin:newsletter_mailinglist_changelist") + "?o=-6")

    html = response.content.decode()
    assert response.status_code == 200
    assert "confirmed subscribers" in html.lower()
    assert re.findall(r'class="field-confirmed_subscriber_count">(\d+)<', html) == ["2", "1"]


# The columns of the list's names: Indonesian ends in _ind (modeltranslation avoids "_id").
LIST_LANGUAGES = ("en", "th", "ind")


def list_form(**fields):
    return {
        "slug": "",
        "is_public": "on",
        "position": "0",
        **{f"{field}_{lang}": "" for field in ("name", "description") for lang in LIST_LANGUAGES},
        **fields,
    }


def test_staff_name_and_describe_a_list_in_each_language_english_required(client, comms):
    add = reverse("admin:newsletter_mailinglist_add")

    html = client.get(add).content.decode()
    for field in ("name_en", "name_th", "name_ind", "description_th", "description_ind"):
        assert f'name="{field}"' in html
    refused = client.post(add, list_form(name_th="จดหมายข่าวรายเดือน", slug="monthly"))
    client.post(add, list_form(name_en="Monthly", name_th="จดหมายข่าวรายเดือน", slug="monthly"))
    # Lists with no Thai or Indonesian name: the empty names do not collide.
    client.post(add, list_form(name_en="Urgent appeals", slug="urgent"))
    client.post(add, list_form(name_en="Partners", slug="partners"))

    assert refused.status_code == 200 and refused.context["adminform"].form.errors["name_en"]
    assert list(
        MailingList.objects.order_by("slug").values_list("name", "name_en", "name_th", "name_ind")
    ) == [
        ("Monthly", "Monthly", "จดหมายข่าวรายเดือน", None),
        ("Partners", "Partners", None, None),
        ("Urgent appeals", "Urgent appeals", None, None),
    ]


def test_changelist_offers_no_export_button_without_the_permission(client, editor):
    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "Export:" not in response.content.decode()


def test_export_url_is_403_for_staff_without_the_export_permission(client, editor):
    SubscriberFactory()

    response = client.post(export_url())

    assert response.status_code == 403
    assert not SubscriberExport.objects.exists()


def test_export_url_is_not_for_anonymous_visitors(client):
    response = client.post(export_url())

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_export_streams_what_the_changelist_filters_and_search_select(
    client, comms, monthly, urgent
):
    SubscriberFactory(email="lan@example.org", name="Nguyễn Thị Lan", lists=[urgent])
    SubscriberFactory(email="minh@example.org", name="Trần Văn Minh", lists=[urgent])
    SubscriberFactory(email="lan.pending@example.org", status="pending", lists=[urgent])
    SubscriberFactory(email="lan.monthly@example.org", lists=[monthly])

    response = client.post(export_url("csv", "?status__exact=confirmed&list=urgent-appeals&q=lan"))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body, rows = read_csv(response)
    assert not body.startswith("\ufeff")
    assert [row[0] for row in rows] == ["email", "lan@example.org"]
    log = SubscriberExport.objects.get()
    assert (log.user, log.via, log.format, log.row_count) == (comms, "admin", "csv", 1)
    assert log.filters == {"status": "confirmed", "lists": 1, "search": True}


def test_spreadsheet_export_starts_with_a_bom_and_round_trips_asian_scripts(client, comms, monthly):
    names = ["สมศรี ใจดี", "ច័ន្ទតារា សឹម", "နီလာ ဝင်း", "सीता श्रेष्ठ", "Lê Thu Hà"]
    for index, name in enumerate(names):
        SubscriberFactory(email=f"p{index}@example.org", name=name, lists=[monthly])

    body, rows = read_csv(client.post(export_url("csv-bom")))

    assert body.startswith("\ufeff")
    assert sorted(row[1] for row in rows[1:]) == sorted(names)


def test_export_neutralises_formulas_in_every_text_column(client, comms, monthly):
    SubscriberFactory(email="f@example.org", name="=1+2", organisation="@SUM(A1)", lists=[monthly])

    _, rows = read_csv(client.post(export_url()))

    assert rows[1][1:3] == ["'=1+2", "'@SUM(A1)"]


def test_export_with_invalid_filters_redirects_with_a_message(client, comms):
    response = client.post(export_url("csv", "?no_such_field=1"), follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "not valid" in response.content.decode()
    assert not SubscriberExport.objects.exists()


def test_unknown_export_format_is_a_404(client, comms):
    assert client.post(export_url("xlsx")).status_code == 404


# Query parameters the subscribers' changelist reads (its filters, search, ordering and page).
CHANGELIST_PARAMETERS = [
    "q",
    "status__exact",
    "list",
    "country__id__exact",
    "country__isnull",
    "created_at__gte",
    "created_at__lt",
    "o",
    "p",
]
# What a log entry may say of its filters: the kinds, never a value typed.
LOGGED_KINDS = {
    *exports.FILTER_KINDS.values(),
    "other",
    "selected",
    "one subscriber's data",
    exports.EVERYONE_KIND,
}


@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    typed=st.dictionaries(
        st.sampled_from(CHANGELIST_PARAMETERS), st.text(min_size=1, max_size=40), max_size=4
    ),
    search=st.text(min_size=1, max_size=40),
)
@hypothesis.example(typed={"status__exact": "confirmed"}, search="nul\x00in the search")
def test_the_export_log_keeps_what_kinds_of_filter_were_used_never_what_was_typed(
    client, comms, monthly, typed, search
):
    """Every route an export is logged by (streamed, prepared as a file, ticked rows, one
    person's data) with anything typed into the changelist's filters and search."""
    SubscriberExport.objects.all().delete()  # the examples share one test transaction
    subscriber = Subscriber.objects.first() or SubscriberFactory(lists=[monthly])
    # A search alone is always a valid query; the other filters may be refused (nothing is
    # exported then), but what is logged must hold as well.
    answers = []
    for query in ({"q": search}, {**typed, "q": search}):
        query = "?" + urlencode(query)
        file_url = reverse("admin:newsletter_subscriber_export_file", args=["csv"])
        for choice in ({}, {exports.INCLUDE_EVERYONE: "yes"}):
            answers.append(client.post(export_url("csv", query), choice))
            answers.append(client.post(file_url + query, choice))
        for action in ("export_selected", "export_data"):
            selection = {"action": action, "_selected_action": [subscriber.pk]}
            answers.append(client.post(CHANGELIST + query, selection))

    assert all(answer.status_code < 500 for answer in answers)
    for answer in answers:
        if answer.streaming:
            b"".join(answer.streaming_content)  # a failure half-way shows here

    # Streamed, prepared and ticked at least; one person's data when the search finds them. A
    # NUL in the search is a filter no admin list takes (forumasia/admin_site.py): refused as
    # invalid, nothing is exported.
    if "\x00" not in search:
        assert SubscriberExport.objects.count() >= 3
    for export in SubscriberExport.objects.all():
        assert set(export.filters) <= LOGGED_KINDS
        for kind, value in export.filters.items():
            assert value is True or type(value) is int or kind == "status", (kind, value)
        assert export.filters.get("status", True) in {True, *Subscriber.Status.values}
        assert export.pending_query == ""  # the file was written (tasks run at once here)


def test_export_selected_action_exports_only_the_ticked_rows(client, comms, monthly):
    keep = SubscriberFactory(email="keep@example.org", lists=[monthly])
    SubscriberFactory(email="skip@example.org", lists=[monthly])

    response = client.post(CHANGELIST, {"action": "export_selected", "_selected_action": [keep.pk]})

    _, rows = read_csv(response)
    assert [row[0] for row in rows[1:]] == ["keep@example.org"]
    log = SubscriberExport.objects.get()
    assert log.row_count == 1
    assert log.filters == {"selected": 1}


def test_export_selected_action_is_refused_without_the_permission(client, editor):
    subscriber = SubscriberFactory()

    response = client.post(
        CHANGELIST, {"action": "export_selected", "_selected_action": [subscriber.pk]}
    )

    assert not isinstance(response, StreamingHttpResponse)
    assert not SubscriberExport.objects.exists()


def test_download_one_subscribers_data_as_json(client, comms, monthly):
    subscriber = SubscriberFactory(
        email="me@example.org", name="गीता गुरुङ", country=country("NP"), lists=[monthly]
    )

    response = client.post(
        CHANGELIST, {"action": "export_data", "_selected_action": [subscriber.pk]}
    )

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["name"] == "गीता गुरुङ"
    assert "गीता".encode() in response.content  # readable UTF-8, not \\u escapes
    assert data["lists"][0]["list"] == "Monthly e-newsletter"


def test_a_subscribers_data_names_their_lists_in_english_whatever_they_read(client, comms, monthly):
    MailingList.objects.filter(pk=monthly.pk).update(name_th="จดหมายข่าวรายเดือน")
    subscriber = SubscriberFactory(language="th", lists=[monthly])

    response = client.post(
        CHANGELIST, {"action": "export_data", "_selected_action": [subscriber.pk]}
    )

    assert json.loads(response.content)["lists"][0]["list"] == "Monthly e-newsletter"


def test_data_download_wants_exactly_one_subscriber(client, comms):
    ids = [SubscriberFactory().pk, SubscriberFactory().pk]

    response = client.post(
        CHANGELIST, {"action": "export_data", "_selected_action": ids}, follow=True
    )

    assert "Choose exactly one subscriber" in response.content.decode()


def test_erasing_asks_for_confirmation_then_deletes_and_counts(client, comms, monthly):
    subscriber = SubscriberFactory(email="erase.me@example.org", lists=[monthly])
    selection = {"action": "erase_selected", "_selected_action": [subscriber.pk]}

    ask = client.post(CHANGELIST, selection)
    assert ask.status_code == 200
    assert "cannot be undone" in ask.content.decode()
    assert Subscriber.objects.exists()

    done = client.post(CHANGELIST, {**selection, "confirm_erase": "yes"}, follow=True)

    assert "Erased 1 subscriber" in done.content.decode()
    assert not Subscriber.objects.exists()
    assert Erasure.objects.get().erased_by == comms


def stored_texts():
    """(table, column, text in lower case) of every stored text value, in every model: text
    and JSON columns, sessions decoded. Password hashes are left out: a salted hash holds no
    name, and its random letters would match a four-letter piece by chance."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
            and (model, field.attname) != (get_user_model(), "password")
        ]
        for values in model._default_manager.values_list(*columns) if columns else ():
            for column, value in zip(columns, values, strict=True):
                if model is Session and column == "session_data":
                    value = SessionStore().decode(value)
                yield model._meta.db_table, column, json.dumps(value, ensure_ascii=False).lower()


def rows_holding(*pieces):
    """(table, column) of every stored text value that contains one of `pieces`."""
    return sorted(
        {
            (table, column)
            for table, column, text in stored_texts()
            if any(p in text for p in pieces)
        }
    )


def fragments(*texts, length=4):
    """Every piece of `length` characters of `texts`, in lower case."""
    return {
        text.lower()[start : start + length]
        for text in texts
        for start in range(len(text) - length + 1)
    }


def email_texts(message_bytes):
    """A message as the file holds it and as a mail client shows it (every part decoded)."""
    message = message_from_bytes(message_bytes, policy=email_policy)
    parts = [part.get_content() for part in message.walk() if not part.is_multipart()]
    return [message_bytes.decode("utf-8", "replace"), *map(str, parts)]


def files_holding(folder, pieces):
    """The files under `folder` whose text (emails decoded too) holds one of `pieces`."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        texts = email_texts(path.read_bytes())
        if any(piece in text.lower() for text in texts for piece in pieces):
            found.append(path.name)
    return found


def sent_messages(folder):
    """The messages the file email backend wrote to `folder`, oldest first."""
    messages = []
    for path in sorted(Path(folder).iterdir()):
        for piece in path.read_bytes().split(MESSAGE_END):
            if piece.strip():
                messages.append(message_from_bytes(piece, policy=email_policy))
    return messages


def confirm_link_in(message):
    return CONFIRM_PATH.search(message.get_body(("plain",)).get_content()).group(0)


VICTIM = {
    "email": "wiroj.khq@vqxzine.example",
    "name": "วิโรจน์ ขำศักดิ์",
    "organisation": "Khqtsa Yzmuan Circle",
}
# Typed into a later sign-up for the same address by someone else; held for it all the same.
OTHER_SIGNUP = {"name": "ดวงแข พรหมมินทร์", "organisation": "Qorvex Lanbhuj Trust"}


def victim_fragments():
    """The pieces to hunt for: of the address's local part and its domain without the
    top-level part, and of each word of the names and organisations."""
    local, _, domain = VICTIM["email"].partition("@")
    words = [
        word
        for text in (VICTIM["name"], VICTIM["organisation"], *OTHER_SIGNUP.values())
        for word in text.split()
    ]
    return fragments(local, domain.rsplit(".", 1)[0], *words)


@pytest.mark.django_db(transaction=True)
def test_erasing_a_subscriber_leaves_their_address_in_no_table(
    migration_data, client, comms, settings, tmp_path
):
    """Every table (the task queue's results included), every file in private storage and
    every email the file backend wrote: no four-letter piece of the person's address (local
    and domain-specific parts), names or organisations is left anywhere once they are erased.
    Export files kept for staff are rewritten without them; one being prepared is cancelled."""
    settings.TASKS = DATABASE_QUEUE
    settings.EMAIL_BACKEND = "forumasia.mail.PrivateFileEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "sent-emails")
    MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter", is_default=True)
    MailingListFactory(slug="urgent-appeals", name="Urgent statements and appeals")
    colleague = SubscriberFactory(
        email="somsri@other.example", name="Somsri Jaidee", organisation="Legal Aid Clinic"
    )
    Client().post("/newsletter/", {**VICTIM, "consent": "on", "lists": ["e-newsletter"]})
    run_worker()
    Client().post(confirm_link_in(sent_messages(settings.EMAIL_FILE_PATH)[0]))
    subscriptions.unsubscribe(subscriber=Subscriber.objects.get(email=VICTIM["email"]))
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    Client().post(
        "/newsletter/",
        {
            "email": VICTIM["email"].upper(),
            **OTHER_SIGNUP,
            "consent": "on",
            "lists": ["urgent-appeals"],
        },
    )
    run_worker()
    subscriber = Subscriber.objects.get(email=VICTIM["email"])
    assert subscriber.signup_requests.get().name == OTHER_SIGNUP["name"]
    assert len(sent_messages(settings.EMAIL_FILE_PATH)) == 2
    b"".join(client.post(export_url("csv", "?q=wiroj.khq@vqxzine.example")).streaming_content)
    b"".join(client.post(export_url("csv", f"?q={VICTIM['name']}")).streaming_content)
    file_url = reverse("admin:newsletter_subscriber_export_file", args=["csv-bom"])
    # Everyone, not only confirmed subscribers on a list: the victim has unsubscribed.
    everyone_too = {exports.INCLUDE_EVERYONE: "yes"}
    client.post(file_url + "?q=Yzmuan", everyone_too)
    client.post(file_url, everyone_too)  # the victim and their colleague
    run_worker()
    client.post(file_url + "?q=Khqtsa")  # still being prepared when the erasure comes
    client.post(CHANGELIST, {"action": "export_data", "_selected_action": [subscriber.pk]})
    LogEntry.objects.create(
        user=comms,
        content_type=ContentType.objects.get_for_model(Subscriber),
        object_id=str(subscriber.pk),
        object_repr=str(subscriber),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Email"]}}]),
    )
    LogEntry.objects.create(
        user=comms,
        object_repr="note",
        action_flag=CHANGE,
        change_message=f"Wrote to {VICTIM['email']}",
    )
    pieces = victim_fragments()
    assert {table for table, _ in rows_holding(*pieces)} >= {
        "newsletter_subscriber",
        "newsletter_signuprequest",
        "newsletter_subscriberexport",  # the pending query of the export being prepared
        "django_admin_log",
    }
    assert len(files_holding(settings.PRIVATE_ROOT, pieces)) == 2
    assert len(files_holding(settings.EMAIL_FILE_PATH, pieces)) == 2

    erased = client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "confirm_erase": "yes"},
    )
    run_worker()

    assert erased.status_code == 302

    assert rows_holding(*pieces) == []
    assert files_holding(settings.PRIVATE_ROOT, pieces) == []
    assert files_holding(settings.EMAIL_FILE_PATH, pieces) == []
    assert DBTaskResult.objects.count() == 5  # the task queue's rows were walked too
    assert LogEntry.objects.count() == 2
    logged = list(SubscriberExport.objects.order_by("pk"))
    assert len(logged) == 6
    searched, everyone, preparing = logged[2:5]
    assert (searched.file_state, everyone.file_state, preparing.file_state) == (
        "ready",
        "ready",
        "cancelled",
    )
    assert [row[0] for row in downloaded(client, searched)] == ["email"]
    assert [row[0] for row in downloaded(client, everyone)] == ["email", colleague.email]


def downloaded(client, export):
    """The rows of an export's file, as staff download it."""
    url = reverse("admin:newsletter_subscriberexport_download", args=[export.pk])
    return read_csv(client.post(url))[1]


def test_subscribers_cannot_be_added_edited_or_deleted_in_the_admin(client, comms):
    subscriber = SubscriberFactory()
    change_url = reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])

    assert client.get(reverse("admin:newsletter_subscriber_add")).status_code == 403
    assert client.post(change_url, {"email": "other@example.org"}).status_code == 403
    page = client.get(change_url)
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.email != "other@example.org"


def test_export_log_is_visible_and_read_only(client, comms):
    log = SubscriberExport.objects.create(via="command", row_count=3, format="csv")

    listing = client.get(reverse("admin:newsletter_subscriberexport_changelist"))
    change = client.post(
        reverse("admin:newsletter_subscriberexport_change", args=[log.pk]), {"row_count": 0}
    )

    assert listing.status_code == 200
    assert change.status_code == 403
    log.refresh_from_db()
    assert log.row_count == 3


def test_superuser_gets_the_export_too(client):
    client.force_login(SuperUserFactory(username="root"))
    SubscriberFactory()

    assert client.post(export_url()).status_code == 200


# The newsletter's admin views that hand out subscribers' data (as a file to download).
HANDS_OUT_DATA = {
    "newsletter_subscriber_export",
    "newsletter_subscriber_export_file",
    "newsletter_subscriberexport_download",
}


def newsletter_admin_urls():
    """(URL name, path) of every named URL the admin serves for the newsletter's models, each
    converter filled with every value that names something: a row of the model, an export
    format."""
    for model in apps.get_app_config("newsletter").get_models():
        if not admin.site.is_registered(model):
            continue
        rows = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)[:1]]
        for pattern in admin.site.get_model_admin(model).get_urls():
            if not pattern.name:
                continue
            converters = list(pattern.pattern.converters)
            choices = [
                [*exports.CSV_FORMATS, "json"] if name == "fmt" else rows for name in converters
            ]
            for values in itertools.product(*choices):
                yield pattern.name, reverse(f"admin:{pattern.name}", args=values)


def test_no_newsletter_admin_url_hands_out_subscribers_data_to_a_get(client, monthly):
    """A link or an image on another site makes a logged-in superuser's browser send GETs:
    every admin URL of the newsletter app answers them with a page at most, never a file."""
    client.force_login(SuperUserFactory(username="root"))
    SubscriberFactory(email="walked@example.org", lists=[monthly])
    client.post(reverse("admin:newsletter_subscriber_export_file", args=["csv"]))
    assert SubscriberExport.objects.get().file_state == "ready"

    walked = list(newsletter_admin_urls())
    refused = set()
    for name, url in walked:
        response = client.get(url)
        assert not response.streaming, url
        assert "attachment" not in response.get("Content-Disposition", ""), url
        assert response["Content-Type"].startswith("text/html"), url
        if response.status_code == 405:
            refused.add(name)

    assert refused == HANDS_OUT_DATA
    for name in HANDS_OUT_DATA:  # each does hand out the data, to a POST
        url = next(url for walked_name, url in walked if walked_name == name)
        answer = client.post(url, follow=True)
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        assert b"walked@example.org" in body or b"is being prepared" in body, name


# --- Exports hold confirmed subscribers on a list unless staff choose everyone ------------------


@pytest.fixture
def everyone_kinds(monthly):
    """One subscriber of each kind an export may meet."""
    SubscriberFactory(email="on-a-list@example.org", lists=[monthly])
    SubscriberFactory(email="on-no-list@example.org")
    SubscriberFactory(email="never-confirmed@example.org", status="pending", lists=[monthly])
    subscriptions.unsubscribe(
        subscriber=SubscriberFactory(email="unsubscribed@example.org", lists=[monthly])
    )


EVERYONE = {
    "on-a-list@example.org",
    "on-no-list@example.org",
    "never-confirmed@example.org",
    "unsubscribed@example.org",
}


def test_the_default_export_holds_confirmed_subscribers_on_a_list_only(
    client, comms, everyone_kinds
):
    _, rows = read_csv(client.post(export_url()))

    assert [row[0] for row in rows[1:]] == ["on-a-list@example.org"]
    assert SubscriberExport.objects.get().filters == {}


def test_everyone_is_exported_only_when_staff_tick_the_choice_and_the_log_says_so(
    client, comms, everyone_kinds
):
    _, rows = read_csv(client.post(export_url(), {exports.INCLUDE_EVERYONE: "yes"}))

    assert {row[0] for row in rows[1:]} == EVERYONE
    log = SubscriberExport.objects.get()
    assert log.filters == {exports.EVERYONE_KIND: True}
    assert log.row_count == 4


@pytest.mark.parametrize(
    ("choice", "expected"), [({}, {"on-a-list@example.org"}), (None, EVERYONE)]
)
def test_a_prepared_file_honours_the_same_choice(client, comms, everyone_kinds, choice, expected):
    url = reverse("admin:newsletter_subscriber_export_file", args=["csv"])

    client.post(url, {exports.INCLUDE_EVERYONE: "yes"} if choice is None else choice)

    export = SubscriberExport.objects.get()
    assert {row[0] for row in downloaded(client, export)[1:]} == expected


def test_the_choice_to_include_everyone_is_labelled_in_plain_words(client, comms):
    html = client.get(CHANGELIST).content.decode()

    assert (
        '<input type="checkbox" name="include_everyone" value="yes"> Also include people who '
        "never confirmed or who unsubscribed — not for mailing"
    ) in html
    # Every export button submits the form that holds the choice.
    assert html.count('form="subscriber-export"') == 2 * len(exports.CSV_FORMATS)


# --- The suppression list -------------------------------------------------------------------

SUPPRESSIONS = reverse("admin:newsletter_suppression_changelist")


def test_communications_staff_may_see_add_and_lift_suppressions_not_edit_them():
    codenames = set(
        Group.objects.get(name="Communications staff").permissions.values_list(
            "codename", flat=True
        )
    )

    assert {"view_suppression", "add_suppression", "delete_suppression"} <= codenames
    assert "change_suppression" not in codenames


def test_the_suppression_list_shows_reason_date_and_address_or_erased_address(client, comms):
    SuppressionFactory(email="bounced@example.org", reason="bounce", detail="550 5.1.1")
    suppress_erased(email="gone@example.org")

    html = client.get(SUPPRESSIONS).content.decode()

    assert "bounced@example.org" in html and "Hard bounce" in html and "550 5.1.1" in html
    assert "erased address" in html and "Erased subscriber" in html
    assert "gone@example.org" not in html


def test_searching_by_address_finds_an_erased_one_by_its_digest(client, comms):
    SuppressionFactory(email="bounced@example.org")
    suppress_erased(email="gone@example.org")

    found = client.get(SUPPRESSIONS, {"q": "Gone@Example.org"}).context["cl"].result_list
    partial = client.get(SUPPRESSIONS, {"q": "bounced"}).context["cl"].result_list

    assert [row.digest for row in found] == [address_digest("gone@example.org")]
    assert [row.email for row in partial] == ["bounced@example.org"]


def test_staff_add_an_address_by_hand_and_it_leaves_the_audience(client, comms, monthly):
    SubscriberFactory(email="ask.me.not@example.org", lists=[monthly])

    response = client.post(
        reverse("admin:newsletter_suppression_add"),
        {"email": " Ask.Me.Not@example.org ", "detail": "Asked by phone"},
    )

    assert response.status_code == 302
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason) == ("ask.me.not@example.org", "manual")
    assert not Subscriber.objects.recipients([monthly.pk]).exists()


def test_an_address_already_suppressed_is_refused_with_a_message(client, comms):
    SuppressionFactory(email="bounced@example.org")
    suppress_erased(email="gone@example.org")

    for address in ("bounced@example.org", "GONE@example.org", ""):
        response = client.post(reverse("admin:newsletter_suppression_add"), {"email": address})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["email"]
    assert Suppression.objects.count() == 2


def test_deleting_a_suppression_lifts_it(client, comms, monthly):
    SubscriberFactory(email="back@example.org", lists=[monthly])
    suppression = SuppressionFactory(email="back@example.org")

    response = client.post(
        reverse("admin:newsletter_suppression_delete", args=[suppression.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Suppression.objects.exists()
    assert list(Subscriber.objects.recipients([monthly.pk]).values_list("email", flat=True)) == [
        "back@example.org"
    ]


def test_suppressions_are_never_edited(client, comms):
    suppression = SuppressionFactory(email="bounced@example.org", reason="bounce")
    url = reverse("admin:newsletter_suppression_change", args=[suppression.pk])

    page = client.get(url)
    client.post(url, {"email": "other@example.org", "detail": "changed"})

    assert page.status_code == 200 and "bounced@example.org" in page.content.decode()
    suppression.refresh_from_db()
    assert (suppression.email, suppression.detail) == ("bounced@example.org", "")


def test_staff_without_the_permissions_see_no_suppression_list(client, editor):
    suppression = SuppressionFactory()

    assert client.get(SUPPRESSIONS).status_code == 403
    assert (
        client.post(reverse("admin:newsletter_suppression_add"), {"email": "x@y.org"}).status_code
        == 403
    )
    delete = reverse("admin:newsletter_suppression_delete", args=[suppression.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Suppression.objects.count() == 1
