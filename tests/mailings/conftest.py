from datetime import timedelta

import pytest
from django.utils import timezone

from mailings.models import Issue
from tests.factories import IssueFactory, IssueVariantFactory


def sent_issue(*, slug, days_ago=0, **kwargs):
    """A sent issue (English variant from the factory), its sending begun `days_ago` days ago."""
    issue = IssueFactory(slug=slug, **kwargs)
    started = timezone.now() - timedelta(days=days_ago)
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.SENT, started_at=started, finished_at=started
    )
    issue.refresh_from_db()
    return issue


@pytest.fixture
def thai_variant():
    def add(issue, **kwargs):
        return IssueVariantFactory(
            issue=issue,
            language="th",
            subject=kwargs.get("subject", "จดหมายข่าวรายเดือน"),
            preheader=kwargs.get("preheader", "แถลงการณ์ประจำเดือน"),
            introduction=kwargs.get("introduction", "<p>เรียนเพื่อนทุกท่าน</p>"),
        )

    return add
