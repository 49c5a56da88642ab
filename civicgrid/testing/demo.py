"""The demo streets of the tests (civicgrid.demo's builders with small parameters)."""

import datetime

from civicgrid.demo.builder import DemoParams
from civicgrid.testing.world import SHANGHAI

# The demo's own tests: 1 street, 2 communities, 8 micro-grids, 3 households per building group.
SMALL_STREET = DemoParams(
    seed=7, communities=2, micro_grids_per_street=8, households_per_building_group=3
)
# The dashboard's world: the same street with 1 household per building group, and 150 cases
# built as of DEMO_NOW.
DEMO_WORLD_STREET = DemoParams(
    seed=7, communities=2, micro_grids_per_street=8, households_per_building_group=1
)
DEMO_NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)
DEMO_WORLD_CASES = 150


def load_every_programme():
    """`load_demo_street` on a small street with every programme (2 居村, 8 micro-grids, 80
    cases): the walks of demo/tests (test_crawl, test_timeline) build it once per module."""
    import io

    from django.core.management import call_command

    call_command(
        "load_demo_street",
        "--seed=7",
        "--communities=2",
        "--micro-grids-per-street=8",
        "--households-per-building-group=1",
        "--cases=80",
        stdout=io.StringIO(),
    )
