"""The demo's 主动治理 on a small street: a handful of 一弄一案 items (one 返潮), a hot micro-grid,
yesterday's anomaly warned, patrol tasks (one finding → a case with source 主动发现), in budget."""

import time

import pytest
from django.db import transaction

from civicgrid.accounts.models import User
from civicgrid.cases import services as cases
from civicgrid.cases.models import Case, Category
from civicgrid.demo.builder import DemoParams, build_demo_street
from civicgrid.demo.proactive import build_demo_proactive
from civicgrid.grids.models import Grid
from civicgrid.proactive.models import Anomaly, HotspotCell, PatrolTask, StandingProblem

pytestmark = pytest.mark.django_db


def test_the_demo_proactive_governance(settings):
    build_demo_street(
        DemoParams(
            seed=7, communities=2, micro_grids_per_street=12, households_per_building_group=1
        )
    )
    # On a street of 12 micro-grids a neighbourhood is a third of the street, too wide for Gi*
    # to single one out (the demo street has 251); here each micro-grid is its own neighbourhood.
    settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M = -1
    # The demo's cases run before this builder: intake's caches (locator, calendar) are warm.
    with transaction.atomic():
        cases.do_report(
            user=User.objects.get(username="operator"),
            category=Category.objects.get(family="event", code="0102"),
            description="预热",
            micro_grid=Grid.objects.filter(level="micro_grid").first(),
            reporter_name="居民",
            reporter_phone="13900001111",
        )
        transaction.set_rollback(True)
    started = time.perf_counter()
    figures = build_demo_proactive(seed=7)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, elapsed  # a bound against runaway loops; `make demo` prints the real time
    states = dict(StandingProblem.objects.values_list("category__code", "state"))
    assert states == {"0102": "in_progress", "0201": "recurred", "0101": "open"}
    posters = StandingProblem.objects.get(category__code="0201")
    assert (posters.recurrences, posters.case_count) == (1, 4)
    garbage = StandingProblem.objects.get(category__code="0102")
    # 4 at its building group in 25 days, 2 of yesterday's 4 (the other 2 were next door).
    assert garbage.case_count == 6 and garbage.owner is not None
    hot = HotspotCell.objects.filter(category__isnull=True, is_hot=True)
    assert hot.filter(micro_grid=garbage.micro_grid).exists()
    # Hot in the period before too (the 小广告 before they were cleaned): persistent.
    assert hot.get(micro_grid=garbage.micro_grid).trend in {"new", "intensifying", "persistent"}
    assert Anomaly.objects.filter(category__code="0102", count=4).exists()
    assert PatrolTask.objects.count() == 2 == figures["tasks"]
    assert Case.objects.filter(source="proactive").count() == 1
    assert figures["items"] == 3 and figures["anomalies"] == 1
