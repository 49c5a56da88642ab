"""The bulletin's tests: an issue compiled on Monday 2026-11-23 (the kit's clock) over the days
2026-11-01..2026-11-23, from a street where the tests put known figures."""

import datetime

import pytest

FIRST = datetime.date(2026, 11, 1)
LAST = datetime.date(2026, 11, 23)


@pytest.fixture
def users(users):
    """The kit's users; the 领导 (leader) is in the 宣传/党建办 group, so approves the 社区报 —
    the 带班领导 (dutyleader) is not, and may not."""
    from django.contrib.auth.models import Group

    from civicgrid.bulletin.services import APPROVER_GROUP

    Group.objects.get(name=APPROVER_GROUP).user_set.add(users["leader"])
    return users


@pytest.fixture
def compile_issue(users, clock):
    from civicgrid.bulletin import services

    def make(number=42, user=None, **fields):
        values = {
            "number": number,
            "issue_date": LAST,
            "next_date": datetime.date(2026, 12, 9),
            "period_first": FIRST,
            "period_last": LAST,
            "pages": 8,
        } | fields
        return services.do_compile_issue(user or users["operator"], **values)

    return make


def walk_to_published(issue, users):
    """An issue edited, approved and published through the services."""
    from civicgrid.bulletin import services

    article = issue.articles.first()
    services.do_edit_article(
        users["operator"], article, title=article.title, body=article.body, byline="本报编辑部"
    )
    services.do_approve(users["leader"], issue)
    return services.do_publish(users["leader"], issue)
