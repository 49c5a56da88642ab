"""The demo's party data on the demo's small street (2 居村, 8 micro-grids, built by the demo's
own builder): one organisation per micro-grid headed by its 网格长, the 12 five-star branches of
2018 on the honour roll with their official names, ~3,000 双报到 members, a year of 三会一课, the
service points with the red gas station of 汤巷馨村, the co-building signing."""

import time

import pytest
from django.utils import timezone

from civicgrid.demo.party import FIVE_STAR_2018, build_demo_party
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.party import services
from civicgrid.party.models import CoBuilding, Member, Organisation, ServicePoint

pytestmark = pytest.mark.django_db


def test_the_demo_party(small_demo):
    started = time.perf_counter()
    counts = build_demo_party(seed=7)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, elapsed  # the full street's budget (1.5 s) is checked by `make demo`
    micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    assert counts["micro_grid_organisations"] == micro.count() == 8
    cover = services.coverage()
    assert (cover["covered"], cover["uncovered"], cover["head_mismatch"]) == (8, [], [])
    # Every micro-grid organisation is headed by the micro-grid's 网格长.
    for org in Organisation.objects.filter(grid__level=GridLevel.MICRO_GRID):
        leader = GridPost.objects.get(micro_grid=org.grid, role=PostRole.LEADER, end_date=None)
        assert org.secretary.staff_id == leader.staff_id
    roll = services.star_roll(2018)
    assert [r["name"] for r in roll] == sorted(name for name, *_ in FIVE_STAR_2018)
    assert "中共上海市普陀区桃浦镇城市管理行政执法中队支部委员会" in {r["name"] for r in roll}
    assert counts["dual_report"] == 3000
    assert Member.objects.filter(dual_report_community__isnull=False).count() == 3000
    summary = services.completion_summary(services.life_completion(timezone.localdate().year))
    assert 80 <= summary["percent"] < 100
    assert ServicePoint.objects.filter(kind="red_station").get().name == "汤巷馨村红色加油站"
    assert ServicePoint.objects.filter(tier="town").count() == 1
    assert ServicePoint.objects.filter(tier="station").count() == 2
    agreement = CoBuilding.objects.get()
    assert len(agreement.partners) == 100 and len(agreement.projects) == 7
    assert build_demo_party(seed=7) == {}
