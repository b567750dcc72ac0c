import pytest
from django.core import signing
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from newsletter import subscriptions, tokens
from newsletter.models import MailingList, SignupRequest, Subscriber, SubscriberExport

BEFORE = [("newsletter", "0002_communications_staff_group")]


@pytest.mark.django_db(transaction=True)
def test_confirmation_links_mailed_before_signup_requests_still_confirm_what_was_asked():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    monthly = old.get_model("newsletter", "MailingList").objects.create(
        name="Monthly", slug="monthly", is_default=True
    )
    subscriber = old.get_model("newsletter", "Subscriber").objects.create(
        email="early@example.org",
        name="ស្រីពៅ",
        status="pending",
        consent_text="I agree.",
        consented_at=timezone.now(),
        confirmation_round=3,
    )
    old.get_model("newsletter", "Subscription").objects.create(
        subscriber=subscriber, mailing_list=monthly, subscribed_at=timezone.now()
    )
    mailed_link = signing.dumps({"s": subscriber.pk, "r": 3}, salt=tokens.CONFIRM_SALT)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app back at its latest
    confirmed = subscriptions.confirm(token=mailed_link)

    assert (confirmed.status, confirmed.name, confirmed.consent_text) == (
        "confirmed",
        "ស្រីពៅ",
        "I agree.",
    )
    assert list(confirmed.lists.values_list("slug", flat=True)) == ["monthly"]


def migrated_from(target, make_rows):
    """Migrate back to `target`, let `make_rows(old_apps)` write rows as that code did, then
    migrate every app forward again."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    make_rows(executor.loader.project_state([target]).apps)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_export_log_rows_keep_no_typed_text_once_migrated():
    def make_rows(old):
        log = old.get_model("newsletter", "SubscriberExport").objects
        log.create(via="admin", row_count=1, format="csv", filters={"q": "Nguyễn Thị Lan"})
        log.create(
            via="admin",
            row_count=3,
            format="csv-bom",
            filters={"selected": 3, "status__exact": "confirmed", "q": "lan@example.org"},
        )
        log.create(
            via="command",
            row_count=2,
            format="csv",
            filters={"status": "pending", "list": "urgent-appeals", "since": "2025-01-31"},
        )
        log.create(via="admin", row_count=1, format="json", filters={"subscriber": 41})
        log.create(
            via="admin",
            row_count=0,
            format="csv",
            filters={"q": "somsri", "country__id__exact": "7"},
            file_state="preparing",
        )

    migrated_from(("newsletter", "0005_export_pending_query_and_cancelled_state"), make_rows)

    logged = SubscriberExport.objects.order_by("pk")
    assert [export.filters for export in logged] == [
        {"search": True},
        {"selected": 3, "status": "confirmed", "search": True},
        {"status": "pending", "lists": 1, "sign-up date": True},
        {"one subscriber's data": True},
        {"search": True, "countries": 1},
    ]
    # The export still being prepared keeps its query for the task, until the file is written.
    assert [export.pending_query for export in logged] == [
        "",
        "",
        "",
        "",
        "q=somsri&country__id__exact=7",
    ]


@pytest.mark.django_db(transaction=True)
def test_names_stored_with_control_characters_are_cleaned_once_migrated():
    def make_rows(old):
        subscriber = old.get_model("newsletter", "Subscriber").objects.create(
            email="typed@example.org",
            name="Lan\x1b[2J\nNguyễn",
            organisation="Legal\tAid\x7f",
            source_page="/members/\x07",
        )
        old.get_model("newsletter", "SignupRequest").objects.create(
            subscriber=subscriber,
            round=2,
            name="Someone\u2028Else",
            consent_text="I agree.",
            requested_at=timezone.now(),
        )
        old.get_model("newsletter", "Subscriber").objects.create(email="plain@example.org")

    migrated_from(("newsletter", "0006_export_log_without_typed_text"), make_rows)

    assert list(
        Subscriber.objects.order_by("pk").values_list("name", "organisation", "source_page")
    ) == [("Lan[2J Nguyễn", "Legal Aid", "/members/"), ("", "", "")]
    assert SignupRequest.objects.get().name == "Someone Else"


@pytest.mark.django_db(transaction=True)
def test_subscribers_and_signups_from_before_languages_are_mailed_in_english():
    def make_rows(old):
        subscriber = old.get_model("newsletter", "Subscriber").objects.create(
            email="before@example.org", status="pending", confirmation_round=2
        )
        old.get_model("newsletter", "SignupRequest").objects.create(
            subscriber=subscriber, round=2, consent_text="I agree.", requested_at=timezone.now()
        )

    migrated_from(("newsletter", "0007_typed_text_on_one_line"), make_rows)

    assert Subscriber.objects.get().language == "en"
    assert SignupRequest.objects.get().language == "en"


@pytest.mark.django_db(transaction=True)
def test_lists_named_before_languages_keep_their_name_and_description_as_the_english_ones():
    def make_rows(old):
        lists = old.get_model("newsletter", "MailingList").objects
        lists.create(name="Monthly", slug="monthly", description="Once a month.", is_default=True)
        lists.create(name="Urgent appeals", slug="urgent")

    migrated_from(("newsletter", "0008_subscriber_language"), make_rows)

    assert list(
        MailingList.objects.order_by("slug").values_list(
            "slug", "name_en", "description_en", "name_th", "name_ind"
        )
    ) == [
        ("monthly", "Monthly", "Once a month.", None, None),
        ("urgent", "Urgent appeals", None, None, None),
    ]
    with translation.override("th"):
        monthly = MailingList.objects.get(slug="monthly")
        assert (monthly.name, monthly.description) == ("Monthly", "Once a month.")


@pytest.mark.django_db(transaction=True)
def test_going_back_before_languages_keeps_the_english_names_edited_since():
    MailingList.objects.create(
        name_en="Monthly e-newsletter", name_th="จดหมายข่าวรายเดือน", slug="monthly"
    )
    MailingList.objects.filter(slug="monthly").update(name_en="Monthly bulletin")

    executor = MigrationExecutor(connection)
    executor.migrate([("newsletter", "0008_subscriber_language")])
    old = executor.loader.project_state([("newsletter", "0008_subscriber_language")]).apps
    names = list(old.get_model("newsletter", "MailingList").objects.values_list("name", flat=True))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert names == ["Monthly bulletin"]
