"""Hotspots (热点): Getis-Ord Gi* on micro-grid case counts, per period and category, and the
trend of each micro-grid over the periods.

Gi* of cell i over n cells with counts x and binary weights w (w_ij = 1 when j is i itself or
one of its neighbours, else 0):

    x̄ = Σx_j / n,   S = sqrt(Σx_j² / n − x̄²)
    Gi* = (Σ_j w_ij x_j − x̄ Σ_j w_ij) / (S · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

a z-score. Gi* is 0 when all counts are equal (S = 0) or the cell neighbours every cell (the
denominator is 0). A cell is **hot** when Gi* ≥ CIVICGRID_PROACTIVE_HOT_Z (1.96: 95 %) and its
neighbourhood holds at least CIVICGRID_PROACTIVE_HOT_MIN cases (Σ_j w_ij x_j ≥ 5): on sparse
counts — one category, a few cases over hundreds of micro-grids — a single case gives its
neighbourhood a z of 7 or more, and one case is no hotspot.

Neighbours come from the grid tree's geometry: two micro-grids are neighbours when their
polygons touch or lie within CIVICGRID_PROACTIVE_NEIGHBOUR_M metres of each other (lon/lat
projected to metres around the street's centre; at a street's size the error is negligible).

Trend of a micro-grid over the last CIVICGRID_PROACTIVE_PERIODS periods (oldest first, the
latest last), checked in this order:

- **new** (新增热点): hot in the latest period and in none of the earlier ones;
- **intensifying** (加剧热点): hot in the latest and the previous period, Gi* higher now;
- **persistent** (持续热点): hot in the latest period and in an earlier one otherwise;
- **diminishing** (减弱热点): hot in the previous period, not hot in the latest;
- otherwise no trend (非热点).
"""

import datetime
import math

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from shapely.geometry import shape

from civicgrid.cases.models import Case
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.proactive.choices import Trend
from civicgrid.proactive.models import HotspotCell

EARTH_M_PER_DEGREE = 111_320.0
# Cases that were no problem of the street's (refused, merged into another, withdrawn, sent
# back to 12345) are not counted.
NOT_COUNTED = ("not_filed", "merged", "withdrawn", "sent_back")


def gi_star(x, w) -> np.ndarray:
    """Gi* z-scores of counts `x` (n) under the binary weights `w` (n × n, self included)."""
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    n = len(x)
    if n < 2:
        return np.zeros(n)
    mean = x.mean()
    s = math.sqrt(max((x**2).mean() - mean**2, 0.0))
    if s == 0:
        return np.zeros(n)
    wsum = w.sum(axis=1)
    num = w @ x - mean * wsum
    spread = (n * (w**2).sum(axis=1) - wsum**2) / (n - 1)
    den = s * np.sqrt(np.maximum(spread, 0.0))
    out = np.zeros(n)
    ok = den > 0
    out[ok] = num[ok] / den[ok]
    return out


def neighbour_weights(geometries, distance_m: float) -> np.ndarray:
    """Binary weights (self included) from GeoJSON polygons in lon/lat: touching or within
    `distance_m` metres."""
    shapes = [shape(g) for g in geometries]
    n = len(shapes)
    w = np.eye(n)
    if n == 0:
        return w
    lat0 = np.mean([s.centroid.y for s in shapes])
    k = math.cos(math.radians(lat0))

    scale = np.array([EARTH_M_PER_DEGREE * k, EARTH_M_PER_DEGREE])
    flat = [shapely.transform(s, lambda xy: xy * scale) for s in shapes]
    if distance_m < 0:
        return w
    # One spatial-index query for every pair within the distance (touching: distance 0).
    left, right = shapely.STRtree(flat).query(flat, predicate="dwithin", distance=distance_m)
    w[left, right] = 1.0
    return w


def hot_cells(x, w, z, hot_z: float, hot_min: int) -> np.ndarray:
    """Which cells are hot (the module's rule): Gi* ≥ hot_z and ≥ hot_min cases around."""
    return (np.asarray(z) >= hot_z) & (np.asarray(w) @ np.asarray(x, dtype=float) >= hot_min)


def trend(zs, hot) -> str:
    """The trend of one cell from its Gi* and whether it was hot per period, oldest first (the
    module's rules)."""
    hot = list(hot)
    if not hot:
        return Trend.NONE
    latest, earlier = hot[-1], hot[:-1]
    previous = earlier[-1] if earlier else False
    if latest and not any(earlier):
        return Trend.NEW
    if latest and previous and zs[-1] > zs[-2]:
        return Trend.INTENSIFYING
    if latest:
        return Trend.PERSISTENT
    if previous:
        return Trend.DIMINISHING
    return Trend.NONE


def _micro_grids():
    rows = list(
        Grid.objects.filter(level=GridLevel.MICRO_GRID, geometry__isnull=False)
        .order_by("code")
        .values_list("pk", "geometry")
    )
    return [r[0] for r in rows], [r[1] for r in rows]


def period_bounds(end_day: datetime.date, periods: int, days: int):
    """[(first, last)] local days of `periods` periods of `days` days ending on `end_day`,
    oldest first."""
    out = []
    for k in range(periods - 1, -1, -1):
        last = end_day - datetime.timedelta(days=k * days)
        out.append((last - datetime.timedelta(days=days - 1), last))
    return out


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def compute(end_day: datetime.date | None = None) -> int:
    """Gi* and trends for the periods ending on `end_day` (yesterday by default), all
    categories together and each category with cases in the latest period; replaces the rows
    of that period. Returns how many cells were written."""
    end_day = end_day or timezone.localdate() - datetime.timedelta(days=1)
    days = settings.CIVICGRID_PROACTIVE_PERIOD_DAYS
    bounds = period_bounds(end_day, settings.CIVICGRID_PROACTIVE_PERIODS, days)
    hot_z = settings.CIVICGRID_PROACTIVE_HOT_Z
    hot_min = settings.CIVICGRID_PROACTIVE_HOT_MIN
    ids, geometries = _micro_grids()
    if len(ids) < 2:
        return 0
    position = {pk: i for i, pk in enumerate(ids)}
    w = neighbour_weights(geometries, settings.CIVICGRID_PROACTIVE_NEIGHBOUR_M)
    # counts[(category or None)][period][cell]
    counts: dict = {}
    for p, (first, last) in enumerate(bounds):
        rows = (
            Case.objects.filter(
                reported_at__gte=_aware(first),
                reported_at__lt=_aware(last + datetime.timedelta(days=1)),
                micro_grid_id__in=ids,
            )
            .exclude(status__in=NOT_COUNTED)
            .values_list("category_id", "micro_grid_id")
            .annotate(n=Count("pk"))
        )
        for category_id, grid_id, n in rows:
            for key in (None, category_id):
                grid = counts.setdefault(key, np.zeros((len(bounds), len(ids))))
                grid[p, position[grid_id]] += n
    cells = []
    first, last = bounds[-1]
    for key, table in counts.items():
        if table[-1].sum() == 0:
            continue
        zs = np.array([gi_star(row, w) for row in table])
        hots = np.array(
            [hot_cells(row, w, z, hot_z, hot_min) for row, z in zip(table, zs, strict=True)]
        )
        for i, pk in enumerate(ids):
            cell_trend = trend(list(zs[:, i]), list(hots[:, i]))
            # Per category, only the micro-grids with a trend (the map reads the all-category
            # cells, which are all kept).
            if key is not None and not cell_trend:
                continue
            cells.append(
                HotspotCell(
                    period_start=first,
                    period_end=last,
                    category_id=key,
                    micro_grid_id=pk,
                    count=int(table[-1, i]),
                    z=round(float(zs[-1, i]), 4),
                    is_hot=bool(hots[-1, i]),
                    trend=cell_trend,
                )
            )
    with transaction.atomic():
        HotspotCell.objects.filter(period_end=last).delete()
        HotspotCell.objects.bulk_create(cells, batch_size=1000)
    return len(cells)
