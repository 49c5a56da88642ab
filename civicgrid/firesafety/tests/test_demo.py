"""The demo's rental houses: every let self-built house coded (coverage 100 %), a realistic mix
of colours with a year of history, cases for the reds — quickly."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.demo.firesafety import build_demo_firesafety
from civicgrid.firesafety import services
from civicgrid.firesafety.choices import Colour
from civicgrid.firesafety.models import ColourChange, Inspection, RentalHouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_street(db):
    """A small demo street whose third 居村 is a village (新苗村) with its let self-built houses."""
    from civicgrid.demo.builder import DemoParams, build_demo_street

    return build_demo_street(
        DemoParams(
            seed=7, communities=3, micro_grids_per_street=6, households_per_building_group=30
        )
    )


def test_demo_houses(village_street):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = build_demo_firesafety(seed=7)
    elapsed = time.perf_counter() - started
    print(f"demo firesafety: {elapsed:.1f}s, {len(queries)} queries, {counts}")
    houses = RentalHouse.objects.count()
    assert houses >= 10 and counts["house"] == houses
    assert services.coverage(None)["ratio"] == 1.0
    colours = services.by_colour(RentalHouse.objects.all())
    assert colours["unrated"] == 0
    assert colours["green"] > colours["yellow"] >= 1
    assert colours["green"] > houses / 2
    # A year of history: changes red → yellow → green, a median for the battle map.
    assert (
        Inspection.objects.filter(
            inspected_at__lt=Inspection.objects.latest("inspected_at").inspected_at
        ).count()
        > houses
    )
    assert ColourChange.objects.filter(from_colour=Colour.RED, to_colour=Colour.YELLOW).exists()
    assert services.median_red_to_green(RentalHouse.objects.all()) is not None
    reds = list(RentalHouse.objects.filter(colour=Colour.RED))
    assert reds and all(h.case_id for h in reds)
    assert services.overdue_reds().exists()  # the oldest red is past its three working days
    assert len(queries) < 3000 and elapsed < 10
    assert build_demo_firesafety(seed=7) == {}  # twice adds nothing
