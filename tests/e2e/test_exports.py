"""Communications staff prepare a large subscriber export as a file and download it when it is
ready, in real Chromium (the file is written by a task: at once here, by a worker in
production)."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from tests.factories import MailingListFactory, StaffUserFactory, SubscriberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_prepare_an_export_file_and_download_it(
    page, live_server, csp_violations, screenshot
):
    staff = StaffUserFactory(username="comms")
    staff.groups.add(Group.objects.get(name="Communications staff"))
    monthly = MailingListFactory(slug="e-newsletter", name="Monthly e-newsletter", is_default=True)
    SubscriberFactory(email="somsri@example.org", name="สมศรี ใจดี", lists=[monthly])
    SubscriberFactory(email="waiting@example.org", status="pending", lists=[monthly])

    page.goto(live_server.url + "/admin/")
    page.fill("#id_username", "comms")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/newsletter/subscriber/?status__exact=confirmed")
    screenshot("subscribers-export-tools")
    page.get_by_role("button", name="Prepare file: CSV for spreadsheets (UTF-8 with BOM)").click()

    assert "being prepared" in page.locator(".messagelist").inner_text()
    screenshot("subscriber-exports")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download", exact=True).click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[0] for row in rows] == ["email", "somsri@example.org"]
    assert rows[1][1] == "สมศรี ใจดี"
    assert csp_violations == []
