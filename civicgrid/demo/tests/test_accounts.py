"""Every posted 网格长 and 专职网格员 of the demo street has an account (no password until an
administrator sets one) and every 专职 a 巡块责任区 with rounds, so patrol coverage covers the
whole street."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.dashboard.tiles import TILES
from civicgrid.demo.accounts import build_posted_accounts
from civicgrid.demo.fieldwork import build_demo_fieldwork
from civicgrid.fieldwork.models import Patrol, PatrolArea
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.grids.scoping import visible_micro_grids

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def posted(small_demo):
    build_demo_fieldwork(seed=7, now=NOW)
    return build_posted_accounts(seed=7, now=NOW)


def test_every_posted_leader_and_full_time_worker_has_an_account(posted, client):
    posts = GridPost.objects.filter(
        role__in=[PostRole.LEADER, PostRole.FULL_TIME], end_date__isnull=True
    )
    assert posts.exists() and not posts.filter(staff__user__isnull=True).exists()
    new = User.objects.filter(username__regex=r"^g[lw]\d{15}")
    assert new.count() == sum(v for k, v in posted.items() if k.startswith("account:"))
    worker = new.filter(role=Role.GRID_WORKER).order_by("username").first()
    assert worker.is_active and not worker.has_usable_password()
    assert worker.last_name and worker.staff_member.name == worker.last_name + worker.first_name
    # Scoped by their posts like any grid worker.
    code = worker.username[2:17]
    assert list(visible_micro_grids(worker).values_list("code", flat=True)) == [code]
    # No sign-in until the administrator gives a password; then it works.
    assert not client.login(username=worker.username, password="")
    worker.set_password("given-by-admin-2026")
    worker.save()
    assert client.login(username=worker.username, password="given-by-admin-2026")


def test_every_full_time_worker_walks_an_area_and_coverage_has_a_spread(posted):
    full_time = GridPost.objects.filter(role=PostRole.FULL_TIME, end_date__isnull=True)
    areas = set(PatrolArea.objects.values_list("worker_id", "micro_grid_id"))
    assert {(p.staff.user_id, p.micro_grid_id) for p in full_time} <= areas
    assert (
        posted["patrol"]
        == Patrol.objects.filter(note="巡查完毕").count()
        - Patrol.objects.filter(worker__username="gridworker", note="巡查完毕").count()
    )
    micro = list(Grid.objects.filter(level=GridLevel.MICRO_GRID).values_list("pk", flat=True))
    tile = TILES["patrol"](micro, NOW.date() - datetime.timedelta(days=13), NOW.date(), NOW)
    assert tile["areas"] == len(areas)
    rates = [row["rate"] for row in tile["communities"]]
    assert all(r is not None for r in rates)
    assert 60 < tile["total"]["rate"] < 100
    assert min(rates) < max(rates)


def test_building_again_adds_nothing(posted):
    users, areas = User.objects.count(), PatrolArea.objects.count()
    again = build_posted_accounts(seed=7, now=NOW)
    assert again["patrol_area"] == 0 and User.objects.count() == users
    assert PatrolArea.objects.count() == areas
