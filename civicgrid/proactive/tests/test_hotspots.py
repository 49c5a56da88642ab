"""Getis-Ord Gi* against a hand-computed example, neighbours from polygons, the trend rules,
and the stored cells of a computation."""

import datetime
import math

import numpy as np
import pytest

from civicgrid.proactive import hotspots
from civicgrid.proactive.choices import Trend
from civicgrid.proactive.models import HotspotCell
from civicgrid.proactive.tests.conftest import at
from civicgrid.testing.world import IN_MICRO


def chain(n):
    """Binary weights of n cells in a row, each its own neighbour too."""
    w = np.eye(n)
    for i in range(n - 1):
        w[i, i + 1] = w[i + 1, i] = 1
    return w


def test_gi_star_by_hand():
    # Five cells in a row with counts x = [2, 2, 2, 8, 6]:
    #   n = 5, x̄ = 20 / 5 = 4, Σx² / n = (4 + 4 + 4 + 64 + 36) / 5 = 22.4,
    #   S = sqrt(22.4 − 16) = sqrt(6.4).
    # Cell 3 (count 8): neighbours 2, 3, 4 → Σw = 3, Σw² = 3, Σwx = 2 + 8 + 6 = 16,
    #   numerator = 16 − 4 × 3 = 4, sqrt((5 × 3 − 3²) / 4) = sqrt(1.5),
    #   Gi* = 4 / (sqrt(6.4) × sqrt(1.5)) = 4 / sqrt(9.6) = 1.290994…
    # Cell 0 (count 2): neighbours 0, 1 → Σw = 2, Σwx = 4, numerator = 4 − 8 = −4,
    #   sqrt((5 × 2 − 2²) / 4) = sqrt(1.5) → Gi* = −1.290994…
    # Cell 4 (count 6): neighbours 3, 4 → Σwx = 14, numerator = 14 − 8 = 6 → 6 / sqrt(9.6).
    # Cell 1: neighbours 0, 1, 2 → Σwx = 6, numerator = 6 − 12 = −6 → −6 / sqrt(9.6).
    # Cell 2: neighbours 1, 2, 3 → Σwx = 12, numerator = 0 → 0.
    z = hotspots.gi_star([2, 2, 2, 8, 6], chain(5))
    d = math.sqrt(9.6)
    assert z == pytest.approx([-4 / d, -6 / d, 0.0, 4 / d, 6 / d])
    assert z[3] == pytest.approx(1.290994, abs=1e-6)


def test_gi_star_degenerate_cases():
    assert list(hotspots.gi_star([3, 3, 3], chain(3))) == [0, 0, 0]  # S = 0
    # Every cell neighbours every cell: the denominator is 0 → 0.
    assert list(hotspots.gi_star([1, 5, 9], np.ones((3, 3)))) == [0, 0, 0]
    assert list(hotspots.gi_star([4], np.eye(1))) == [0]


def square(x0, y0, size=0.001):
    return {
        "type": "Polygon",
        "coordinates": [
            [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]
        ],
    }


def test_neighbours_touching_or_within_the_distance():
    # A and B share an edge; C is 0.0003° of longitude east of B (≈ 28.6 m at 31°N); D is far.
    a, b = square(121.500, 31.1), square(121.501, 31.1)
    c, d = square(121.5023, 31.1), square(121.520, 31.1)
    w50 = hotspots.neighbour_weights([a, b, c, d], 50)
    assert w50.tolist() == [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]]
    w20 = hotspots.neighbour_weights([a, b, c, d], 20)
    assert w20[1, 2] == 0 and w20[0, 1] == 1


@pytest.mark.parametrize(
    ("zs", "expected"),
    [
        ([0.1, 0.5, 0.2, 2.5], Trend.NEW),
        ([0.1, 0.5, 2.0, 2.5], Trend.INTENSIFYING),
        ([2.2, 0.5, 3.0, 2.5], Trend.PERSISTENT),  # hot before, and now, falling
        ([2.2, 0.5, 0.3, 2.5], Trend.PERSISTENT),  # hot now and once earlier
        ([0.1, 0.5, 2.5, 1.0], Trend.DIMINISHING),
        ([2.5, 0.5, 0.3, 1.0], Trend.NONE),
    ],
)
def test_trend_rules(zs, expected):
    assert hotspots.trend(zs, [z >= 1.96 for z in zs]) == expected


def test_a_single_case_is_no_hotspot():
    # One case in cell 0 of 20 cells in a row: x̄ = 0.05, S = sqrt(0.05 − 0.0025) = 0.2179;
    # cell 0 (neighbours 0, 1): (1 − 0.1) / (0.2179 × sqrt((20 × 2 − 4) / 19)) = 0.9 / 0.2999
    # = 3.0 ≥ 1.96, but its neighbourhood holds 1 case < 5: not hot.
    x = [1] + [0] * 19
    z = hotspots.gi_star(x, chain(20))
    assert z[0] == pytest.approx(0.9 / (math.sqrt(0.0475) * math.sqrt(36 / 19)), abs=1e-9)
    assert z[0] > 1.96
    assert not hotspots.hot_cells(x, chain(20), z, 1.96, 5).any()
    x = [5] + [0] * 19
    assert hotspots.hot_cells(x, chain(20), hotspots.gi_star(x, chain(20)), 1.96, 5)[0]


def test_period_bounds():
    assert hotspots.period_bounds(datetime.date(2026, 11, 22), 2, 7) == [
        (datetime.date(2026, 11, 9), datetime.date(2026, 11, 15)),
        (datetime.date(2026, 11, 16), datetime.date(2026, 11, 22)),
    ]


@pytest.mark.django_db
def test_compute_stores_the_latest_period(report, tree, settings, garbage):
    # Neighbours only themselves (distance < 0): Gi* is then the plain z-score of each count.
    settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M = -1
    settings.CIVICGRID_PROACTIVE_PERIOD_DAYS = 7
    settings.CIVICGRID_PROACTIVE_PERIODS = 2
    settings.CIVICGRID_PROACTIVE_HOT_Z = 1.5
    settings.CIVICGRID_PROACTIVE_HOT_MIN = 3
    # Latest week (16–22 Nov): micro-grid 0 has 5 cases, 1 has 1, 2 and 3 none.
    for d in (1, 2, 3, 4, 5):
        report(at(d), point=IN_MICRO[0])
    report(at(2), point=IN_MICRO[1])
    # The week before (9–15 Nov): one case in each of micro-grids 0, 1 and 2.
    for point in IN_MICRO[:3]:
        report(at(9), point=point)
    written = hotspots.compute(datetime.date(2026, 11, 22))
    # All categories: the 4 micro-grids; 暴露垃圾: the 1 with a trend.
    assert written == 5
    cells = {
        c.micro_grid_id: c
        for c in HotspotCell.objects.filter(category__isnull=True, period_end="2026-11-22")
    }
    top = cells[tree["micro_grids"][0].pk]
    # x = [5, 1, 0, 0]: x̄ = 1.5, S = sqrt((25 + 1) / 4 − 2.25) = sqrt(4.25);
    # Gi* = (5 − 1.5) / sqrt(4.25) = 1.6977 (w = I: sqrt((4·1 − 1) / 3) = 1).
    assert top.count == 5
    assert top.z == pytest.approx(3.5 / math.sqrt(4.25), abs=1e-4)
    # The week before: x = [1, 1, 1, 0], x̄ = 0.75, S = sqrt(0.75 − 0.5625) = 0.433,
    # Gi* = 0.25 / 0.433 = 0.577 < 1.5: not hot then, hot now → new.
    assert top.is_hot and top.trend == Trend.NEW
    # Micro-grid 2: 0 now (Gi* = −1.5 / sqrt(4.25) = −0.73), 0.577 before: no trend.
    quiet = cells[tree["micro_grids"][2].pk]
    assert (quiet.count, quiet.is_hot, quiet.trend) == (0, False, Trend.NONE)
    # Computing again replaces the period's cells.
    assert hotspots.compute(datetime.date(2026, 11, 22)) == 5
    assert HotspotCell.objects.count() == 5
