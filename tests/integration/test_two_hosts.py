"""Two app hosts behind a load balancer stay one site (issue: production on more than one
machine). Host A and host B are separate gunicorn processes with production settings; they
share PostgreSQL, Redis (cache, rate limits) and an S3 bucket (uploads), and one task worker
serves both. Each test is one promise the deployment makes to editors and visitors."""

import re
import time
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import requests

from tests.integration.hosts import Browser, Worker
from tests.publications.test_admin import form_data, jpeg

pytestmark = pytest.mark.integration

CHANGELIST = "/admin/publications/publication/"
IMG_SRC = re.compile(r'<img[^>]+src="([^"]+)"')


@pytest.fixture(scope="module")
def editor(cluster):
    """The chief editor, logged in on host A only."""
    browser = Browser()
    browser.log_in(cluster.a, *cluster.admin)
    return browser


def publish_with_photo(cluster, editor, slug):
    data = form_data(
        title=f"Sample: {slug}",
        slug=slug,
        _transition="publish",
        featured_image_alt="Villagers marching with banners",
    )
    data.pop("featured_image", None)
    photo = jpeg(f"{slug}.jpg")
    response = editor.post_form(
        cluster.a.url + CHANGELIST + "add/",
        data,
        files={"featured_image": (photo.name, photo.read(), "image/jpeg")},
    )
    assert response.status_code == 302, response.text[-3000:]
    return f"/publications/{slug}/"


def test_a_login_on_host_a_is_valid_on_host_b(cluster, editor):
    on_b = editor.get(cluster.b.url + "/admin/")

    assert on_b.status_code == 200
    assert "Log out" in on_b.text and cluster.admin[0] in on_b.text


def test_an_image_uploaded_through_a_is_served_on_a_page_from_b(cluster, editor, s3_server):
    path = publish_with_photo(cluster, editor, "photo-through-host-a")

    # The worker makes the renditions; B's page shows the image once they are there.
    deadline = time.monotonic() + 30
    while not IMG_SRC.findall(page := requests.get(cluster.b.url + path, timeout=30).text):
        assert time.monotonic() < deadline, "no image on B's page after 30 s"
        time.sleep(0.3)
    sources = IMG_SRC.findall(page)
    # Publications' files come from the site itself (B reads them from the bucket's private
    # part, which nobody else may read).
    assert sources and all(source.startswith("/files/publications/") for source in sources)
    image = requests.get(cluster.b.url + sources[0], timeout=30)
    assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"
    name = sources[0].removeprefix("/files/")
    assert f"private/{name}" in s3_server.keys(cluster.bucket, prefix="private/publications/")


def test_unpublish_on_a_removes_the_item_from_bs_cached_pages_at_once(cluster, editor):
    path = publish_with_photo(cluster, editor, "taken-down-at-once")
    for _ in range(2):  # the second visit is served from the shared page cache
        assert "Sample: taken-down-at-once" in requests.get(cluster.b.url + "/", timeout=30).text
        assert requests.get(cluster.b.url + path, timeout=30).status_code == 200
    listed = editor.get(cluster.a.url + CHANGELIST + "?q=taken-down").text
    pk = re.search(r'name="_selected_action" value="(\d+)"', listed).group(1)

    response = editor.post_form(
        cluster.a.url + CHANGELIST,
        {"action": "unpublish", "_selected_action": pk, "index": "0"},
    )

    assert response.status_code == 302
    assert "Sample: taken-down-at-once" not in requests.get(cluster.b.url + "/", timeout=30).text
    assert requests.get(cluster.b.url + path, timeout=30).status_code == 404


def sign_up(host, email):
    response = Browser().post_form(host.url + "/newsletter/", {"email": email, "consent": "on"})
    assert response.status_code == 200 and "on its way" in response.text
    return response


def emails_to(mailbox, address, *, wait=30):
    """The messages the SMTP server has received for `address`, waiting up to `wait` s."""
    deadline = time.monotonic() + wait
    while True:
        found = [m for m in mailbox.messages if address in m["To"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_a_task_queued_on_a_is_done_by_the_worker(cluster):
    sign_up(cluster.a, "queued.on.a@example.org")

    (message,) = emails_to(cluster.mailbox, "queued.on.a@example.org")

    assert (
        "newsletter.subscriptions.send_signup_email" in cluster.worker.log()
    )  # sent by the worker
    text = message_from_bytes(message.as_bytes(), policy=default_policy)
    body = text.get_body(("plain",)).get_content()
    link = re.search(r"/newsletter/confirm/[^/\s]+/", body).group(0)
    assert requests.post(cluster.b.url + link, timeout=30).status_code == 200  # confirms


def test_queued_tasks_survive_a_worker_restart(cluster):
    cluster.worker.stop()  # SIGTERM, as systemd stops it
    sign_up(cluster.b, "while.no.worker@example.org")

    assert emails_to(cluster.mailbox, "while.no.worker@example.org", wait=3) == []
    health = requests.get(cluster.b.url + "/healthz", timeout=30)
    assert health.status_code == 200  # a stopped worker does not stop the site
    assert health.json()["tasks"]["waiting"] == 1

    cluster.worker = Worker("worker-2", cluster.environment, cluster.logs).start()

    assert len(emails_to(cluster.mailbox, "while.no.worker@example.org")) == 1
    assert requests.get(cluster.b.url + "/healthz", timeout=30).json()["tasks"]["waiting"] == 0


def test_the_sign_up_rate_limit_counts_requests_to_both_hosts(cluster):
    """20 sign-up attempts per client per 10 minutes, whichever host each one reaches."""
    cluster.redis.flushdb()  # the sign-ups of the tests above counted too
    visitor = Browser()
    answers = []
    for attempt in range(21):
        host = cluster.a if attempt % 2 else cluster.b
        response = visitor.post_form(host.url + "/newsletter/", {"email": "not-an-address"})
        answers.append(response.status_code)

    assert answers[:20] == [400] * 20  # counted, then refused as a form error
    assert answers[20] == 429


# Last: host A stays down.
def test_stopping_host_a_loses_nothing_host_b_answers(cluster, editor):
    path = publish_with_photo(cluster, editor, "written-before-a-stops")

    cluster.a.stop()

    assert not cluster.a.running
    with pytest.raises(requests.ConnectionError):
        requests.get(cluster.a.url + "/", timeout=5)
    assert requests.get(cluster.b.url + path, timeout=30).status_code == 200
    assert editor.get(cluster.b.url + "/admin/").status_code == 200  # still logged in
