import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import models
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from newsletter import subscriptions
from newsletter.models import Erasure, Subscriber, SubscriberExport
from tests.factories import StaffUserFactory, SubscriberFactory, SuperUserFactory, country

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


def test_changelist_offers_no_export_button_without_the_permission(client, editor):
    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert "Export:" not in response.content.decode()


def test_export_url_is_403_for_staff_without_the_export_permission(client, editor):
    SubscriberFactory()

    response = client.get(export_url())

    assert response.status_code == 403
    assert not SubscriberExport.objects.exists()


def test_export_url_is_not_for_anonymous_visitors(client):
    response = client.get(export_url())

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_export_streams_what_the_changelist_filters_and_search_select(
    client, comms, monthly, urgent
):
    SubscriberFactory(email="lan@example.org", name="Nguyễn Thị Lan", lists=[urgent])
    SubscriberFactory(email="minh@example.org", name="Trần Văn Minh", lists=[urgent])
    SubscriberFactory(email="lan.pending@example.org", status="pending", lists=[urgent])
    SubscriberFactory(email="lan.monthly@example.org", lists=[monthly])

    response = client.get(export_url("csv", "?status__exact=confirmed&list=urgent-appeals&q=lan"))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body, rows = read_csv(response)
    assert not body.startswith("\ufeff")
    assert [row[0] for row in rows] == ["email", "lan@example.org"]
    log = SubscriberExport.objects.get()
    assert (log.user, log.via, log.format, log.row_count) == (comms, "admin", "csv", 1)
    assert log.filters == {"status__exact": "confirmed", "list": "urgent-appeals", "q": "lan"}


def test_spreadsheet_export_starts_with_a_bom_and_round_trips_asian_scripts(client, comms):
    names = ["สมศรี ใจดี", "ច័ន្ទតារា សឹម", "နီလာ ဝင်း", "सीता श्रेष्ठ", "Lê Thu Hà"]
    for index, name in enumerate(names):
        SubscriberFactory(email=f"p{index}@example.org", name=name)

    body, rows = read_csv(client.get(export_url("csv-bom")))

    assert body.startswith("\ufeff")
    assert sorted(row[1] for row in rows[1:]) == sorted(names)


def test_export_neutralises_formulas_in_every_text_column(client, comms):
    SubscriberFactory(email="f@example.org", name="=1+2", organisation="@SUM(A1)")

    _, rows = read_csv(client.get(export_url()))

    assert rows[1][1:3] == ["'=1+2", "'@SUM(A1)"]


def test_export_with_invalid_filters_redirects_with_a_message(client, comms):
    response = client.get(export_url("csv", "?no_such_field=1"), follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "not valid" in response.content.decode()
    assert not SubscriberExport.objects.exists()


def test_unknown_export_format_is_a_404(client, comms):
    assert client.get(export_url("xlsx")).status_code == 404


def test_export_selected_action_exports_only_the_ticked_rows(client, comms):
    keep = SubscriberFactory(email="keep@example.org")
    SubscriberFactory(email="skip@example.org")

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


def rows_holding(text):
    """(table, column) of every stored text value, in every model, that contains `text`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        for values in model._default_manager.values_list(*columns) if columns else ():
            found += [
                (model._meta.db_table, column)
                for column, value in zip(columns, values, strict=True)
                if text in json.dumps(value, ensure_ascii=False).lower()
            ]
    return found


def test_erasing_a_subscriber_leaves_their_address_in_no_table(client, comms, monthly, urgent):
    address = "victim.person@example.org"
    Client().post(
        "/newsletter/",
        {"email": address, "name": "Victim Person", "consent": "on", "lists": ["e-newsletter"]},
    )
    Client().get(CONFIRM_PATH.search(mail.outbox[0].body).group(0))
    subscriptions.unsubscribe(subscriber=Subscriber.objects.get())
    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(minutes=11))
    Client().post(
        "/newsletter/",
        {
            "email": address.upper(),
            "name": "Someone Else",
            "consent": "on",
            "lists": ["urgent-appeals"],
        },
    )
    subscriber = Subscriber.objects.get()
    assert subscriber.signup_requests.get().name == "Someone Else"
    b"".join(client.get(export_url("csv", "?q=victim.person@example.org")).streaming_content)
    b"".join(client.get(export_url("csv", "?q=Victim+Person&status=confirmed")).streaming_content)
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
        user=comms, object_repr="note", action_flag=CHANGE, change_message=f"Wrote to {address}"
    )
    assert {table for table, _ in rows_holding(address)} >= {
        "newsletter_subscriber",
        "newsletter_subscriberexport",
        "django_admin_log",
    }

    client.post(
        CHANGELIST,
        {"action": "erase_selected", "_selected_action": [subscriber.pk], "confirm_erase": "yes"},
    )

    assert rows_holding(address) == []
    assert rows_holding("victim person") == []
    assert rows_holding("someone else") == []
    assert SubscriberExport.objects.count() == 3
    assert LogEntry.objects.count() == 2


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

    assert client.get(export_url()).status_code == 200
