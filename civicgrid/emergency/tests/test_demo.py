"""The demo's flood duty: the seed's 29 flood-prone estates with their works, the replayed
typhoon at level III with its reports (each 积水 case closed), tasks and evacuations, two drills,
stock that matches its movements, within the builder's time budget."""

import time

import pytest
from django.db.models import Sum
from django.urls import reverse

from civicgrid.cases.choices import CaseStatus
from civicgrid.demo.accounts import build_posted_accounts
from civicgrid.demo.builder import DemoParams, build_demo_street
from civicgrid.demo.emergency import FLOOD_PRONE_ESTATES, build_demo_emergency
from civicgrid.demo.estates import build_demo_estates
from civicgrid.emergency import services
from civicgrid.emergency.models import (
    Drill,
    FloodPoint,
    FloodReport,
    FloodWork,
    Response,
    StockBalance,
    StockMovement,
    Task,
)

pytestmark = pytest.mark.django_db

# Each 居村 has 4–8 estates over its micro-grids: eight micro-grids each give every estate one, so
# the street has the seed's 29 flood-prone estates to choose from.
STREET = DemoParams(
    seed=7, communities=8, micro_grids_per_street=64, households_per_building_group=1
)


def test_the_demo_flood_duty():
    build_demo_street(STREET)
    build_demo_estates(seed=7)
    build_posted_accounts(seed=7)
    reverse("emergency:index")  # the URLconf loaded, as the full demo's earlier builders do
    started = time.perf_counter()
    counts = build_demo_emergency(seed=7)
    elapsed = time.perf_counter() - started
    # ≤ 1.5 s on an idle machine (about 2,000 queries, 35 steps of the case loop): a bound
    # against runaway loops, with room for a busy runner on a machine twice as slow.
    assert elapsed < 15, elapsed
    assert counts["points"] == FloodPoint.objects.count() == FLOOD_PRONE_ESTATES
    assert FloodPoint.objects.filter(estate__isnull=False).count() == FLOOD_PRONE_ESTATES
    assert FloodWork.objects.filter(kind="pump").count() == 20
    assert FloodWork.objects.filter(kind="enclosure").count() == 15
    # The replayed typhoon: raised at IV, raised to III, lifted; nothing left open.
    response = Response.objects.get()
    assert (response.kind, response.highest_level, response.state) == ("typhoon", "3", "lifted")
    assert list(response.events.values_list("action", flat=True)) == ["raise", "change", "lift"]
    assert counts["reports"] == FloodReport.objects.filter(response=response).count() == 6
    assert not FloodReport.objects.exclude(case__status=CaseStatus.CLOSED).exists()
    assert Task.objects.filter(response=response, state="done").count() > 10
    assert not Task.objects.filter(response=response, state="open").exists()
    summary = services.summary(response)
    assert summary["evacuated"] == 34 and summary["pump_starts"] > 0
    assert summary["filing_median"] is not None and summary["filing_median"] <= 5
    # Two drills; the flood drill's finding became a task and a case.
    assert Drill.objects.count() == 2
    assert set(Drill.objects.values_list("kind", flat=True)) == {"flood", "gas"}
    # Every balance equals its movements, none negative.
    for balance in StockBalance.objects.all():
        moved = StockMovement.objects.filter(store=balance.store, supply=balance.supply).aggregate(
            s=Sum("change")
        )["s"]
        assert balance.quantity == moved >= 0
    assert not services.board()["active"]
    # Running it twice adds nothing.
    assert build_demo_emergency(seed=7) == {}
