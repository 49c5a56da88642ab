"""The demo street's notification centres, filled by the same services as the demo's cases: the
operator, a department's handler and the grid worker each have a few unread items, older ones
read, and no e-mail or text waits for the made-up history."""

import datetime
from zoneinfo import ZoneInfo

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.demo.cases import build_demo_cases
from civicgrid.demo.fieldwork import build_demo_fieldwork
from civicgrid.messaging import inbox
from civicgrid.messaging.models import Delivery, Notification

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_demo_logins_find_unread_notifications(small_demo):
    build_demo_cases(60, seed=7, now=NOW)
    build_demo_fieldwork(seed=7, now=NOW)
    assert not Delivery.objects.exists()
    handler = (
        User.objects.filter(role=Role.DEPT_HANDLER, notifications__isnull=False)
        .order_by("username")
        .first()
    )
    for user in (
        User.objects.get(username="operator"),
        handler,
        User.objects.get(username="gridworker"),
    ):
        items = Notification.objects.filter(user=user)
        unread = items.filter(read_at__isnull=True)
        assert unread.exists(), user.username
        assert inbox.unread_count(user) == unread.count()
        # What is older than a day is read, but each one's newest three.
        newest = list(items.order_by("-created_at", "-pk")[:3])
        old = items.filter(created_at__lt=NOW - datetime.timedelta(days=1)).exclude(
            pk__in=[n.pk for n in newest]
        )
        assert not old.filter(read_at__isnull=True).exists(), user.username
    grid_items = Notification.objects.filter(user__username="gridworker").select_related("message")
    assert {n.message.kind for n in grid_items} & {"handle", "dispatch", "warning_red"}
