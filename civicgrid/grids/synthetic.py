"""Synthetic grid trees for the demo street and the benchmarks (pure geometry, no database).

`generate_tree(seed, ...)` returns a five-level tree (街镇 → 片区 → 居村 → 微网格 → 楼组) of
GeoJSON polygons in WGS84 lon/lat that tile without gaps or overlaps and are not plain
rectangles.

How the tiling is made, and why it is exact:

* One *jittered lattice* covers the whole city: a regular lattice of vertices ~60 m apart, each
  vertex moved by a random offset of at most 20 % of the spacing. Every polygon at every level
  is a union of lattice cells, and its rings are chained from the cells' edges, so two
  neighbouring polygons use the very same vertex coordinates along their shared boundary (no
  slivers, no T-junctions), and every parent is exactly the union of its children.
* Each street is a square block of lattice cells walked by one Hilbert curve. Every level is a
  run of consecutive cells along that curve — a community is a run of micro-grids, a
  micro-grid a run of 2×2 cell blocks, a building group a run of cells inside its micro-grid —
  so each polygon is edge-connected and compact, and nesting holds by construction.
* Micro-grids within a community (and building groups within a micro-grid) are numbered by
  `number_west_east_north_south`, the GB/T 30428 rule also used for imported grids.

Randomness comes from separate numpy streams per purpose, so the micro-grid geometry of a seed
does not depend on whether building groups are generated (`building_groups_per_micro_grid=(0, 0)`
skips them, the cheap path used by the locator benchmark).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from civicgrid.grids.choices import GridLevel
from civicgrid.grids.geometry import metres_to_degrees

# A micro-grid of about 4 lattice blocks of 125 m ≈ 250 m across (Kangqiao: 251 micro-grids
# over ~41 km², i.e. ~400 m; inner-city micro-grids are smaller).
BLOCK_M = 125.0
CELL_M = BLOCK_M / 2  # the lattice cell; 2×2 cells make one block
JITTER = 0.2  # of the cell size: below 1/4 every jittered cell stays a simple, convex quadrangle
COORD_DECIMALS = 7  # ≈1 cm; rounding the shared vertex array once keeps shared vertices equal

# Edge directions in lattice index space, counter-clockwise order (left turn = +1).
_E, _N, _W, _S = 0, 1, 2, 3


@dataclass
class SyntheticNode:
    """One grid of a generated tree; `parent` indexes the returned list (parents come first)."""

    level: str
    number: int
    name: str
    parent: int | None
    geometry: dict
    county_code: str = ""
    party_organisation: str = ""


# ----------------------------------------------------------------------------------- numbering


def number_west_east_north_south(polygons) -> list[int]:
    """1-based numbers of `polygons` in GB/T 30428 order: rows north→south, west→east in a row.

    `polygons` are shapely geometries or GeoJSON dicts. A polygon's position is its centroid
    (its representative point when the centroid falls outside, e.g. an L shape). Rows are bands
    half a typical polygon high: a row starts at the northernmost remaining polygon and takes
    every polygon whose position is less than half the median polygon height south of it.
    Ties are broken by index, so the result is deterministic.
    """
    shapes = [shapely.geometry.shape(p) if isinstance(p, dict) else p for p in polygons]
    if not shapes:
        return []
    arr = np.asarray(shapes, dtype=object)
    centroids = shapely.centroid(arr)
    inside = shapely.contains(arr, centroids)
    points = np.where(inside, centroids, shapely.point_on_surface(arr))
    bounds = shapely.bounds(arr)
    return _number_rows(shapely.get_x(points), shapely.get_y(points), bounds[:, 3] - bounds[:, 1])


def _number_rows(xs: np.ndarray, ys: np.ndarray, heights: np.ndarray) -> list[int]:
    n = len(xs)
    band = 0.5 * float(np.median(heights)) if n else 0.0
    order = sorted(range(n), key=lambda i: (-ys[i], xs[i], i))
    rows: list[list[int]] = []
    row_top = None
    for i in order:
        if row_top is None or ys[i] < row_top - band:
            rows.append([])
            row_top = ys[i]
        rows[-1].append(i)
    numbers = [0] * n
    k = 0
    for row in rows:
        for i in sorted(row, key=lambda i: (xs[i], -ys[i], i)):
            k += 1
            numbers[i] = k
    return numbers


# ------------------------------------------------------------------------------------- lattice


def _hilbert_xy(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell coordinates (x, y) of the Hilbert curve of side 2**order, in curve order."""
    side = 1 << order
    d = np.arange(side * side, dtype=np.int64)
    x = np.zeros_like(d)
    y = np.zeros_like(d)
    t = d.copy()
    s = 1
    while s < side:
        rx = 1 & (t // 2)
        ry = 1 & (t ^ rx)
        # Rotate the quadrant so the sub-curves join end to start.
        flip = ry == 0
        swap_x = np.where(flip & (rx == 1), s - 1 - x, x)
        swap_y = np.where(flip & (rx == 1), s - 1 - y, y)
        x, y = np.where(flip, swap_y, swap_x), np.where(flip, swap_x, swap_y)
        x = x + s * rx
        y = y + s * ry
        t = t // 4
        s *= 2
    return x, y


def _split(rng: np.random.Generator, total: int, parts: int, lo: int, hi: int) -> np.ndarray:
    """`parts` integers in [lo, hi], uneven, summing exactly to `total`."""
    if not (lo * parts <= total <= hi * parts):
        raise ValueError(f"cannot split {total} into {parts} parts of {lo}..{hi}")
    sizes = rng.integers(lo, hi + 1, size=parts)
    diff = total - int(sizes.sum())
    while diff:
        step = 1 if diff > 0 else -1
        room = np.flatnonzero(sizes < hi) if step > 0 else np.flatnonzero(sizes > lo)
        take = rng.choice(room, size=min(abs(diff), len(room)), replace=False)
        sizes[take] += step
        diff -= step * len(take)
    return sizes


def _uneven(rng: np.random.Generator, total: int, parts: int) -> np.ndarray:
    """`parts` positive integers summing to `total`, visibly uneven (Dirichlet weights)."""
    if parts > total:
        raise ValueError(f"cannot split {total} into {parts} non-empty parts")
    weights = rng.dirichlet(np.full(parts, 3.0))
    raw = 1 + weights * (total - parts)
    sizes = np.floor(raw).astype(np.int64)
    rest = total - int(sizes.sum())
    # Largest remainder, ties by index.
    sizes[np.argsort(-(raw - sizes), kind="stable")[:rest]] += 1
    return sizes


class _Lattice:
    """The jittered vertex lattice of the whole city, in lon/lat, shared by every polygon."""

    def __init__(self, seed: int, cells_x: int, cells_y: int, origin: tuple[float, float]):
        lon0, lat0 = origin
        dlon, dlat = metres_to_degrees(CELL_M, lat0)
        rng = np.random.default_rng([seed, 1])
        jitter = rng.uniform(-JITTER, JITTER, size=(cells_y + 1, cells_x + 1, 2))
        ix = np.arange(cells_x + 1)[None, :] + jitter[:, :, 0]
        iy = np.arange(cells_y + 1)[:, None] + jitter[:, :, 1]
        # `origin` is the centre of the whole city.
        lons = lon0 + (ix - cells_x / 2) * dlon
        lats = lat0 + (iy - cells_y / 2) * dlat
        self.width = cells_x + 1
        self.coords = np.round(
            np.stack([lons.ravel(), lats.ravel()], axis=1), COORD_DECIMALS
        )  # vertex id = y * width + x


def _region_rings(labels: np.ndarray, x0: int, y0: int, width: int) -> dict[int, list[list[int]]]:
    """The rings (as global vertex ids) of every label in a square block of lattice cells.

    `labels[y, x]` is the region of cell (x0 + x, y0 + y). A cell side lies on its region's
    boundary when the cell on the other side has another label (or lies outside the block).
    Sides are oriented with the region on their left, so shells come out counter-clockwise and
    holes clockwise, as GeoJSON (RFC 7946) wants.
    """
    size_y, size_x = labels.shape
    ys, xs = np.mgrid[0:size_y, 0:size_x]
    pad = np.full((size_y + 2, size_x + 2), -1, dtype=np.int64)
    pad[1:-1, 1:-1] = labels
    sides = (
        # (boundary mask, start x, start y, end x, end y, direction)
        (pad[:-2, 1:-1] != labels, xs, ys, xs + 1, ys, _E),  # bottom
        (pad[1:-1, 2:] != labels, xs + 1, ys, xs + 1, ys + 1, _N),  # right
        (pad[2:, 1:-1] != labels, xs + 1, ys + 1, xs, ys + 1, _W),  # top
        (pad[1:-1, :-2] != labels, xs, ys + 1, xs, ys, _S),  # left
    )
    lab, start, end, direction = [], [], [], []
    for mask, sx, sy, ex, ey, d in sides:
        mask = mask & (labels >= 0)  # -1 marks cells outside every region of interest
        lab.append(labels[mask])
        start.append((y0 + sy[mask]) * width + x0 + sx[mask])
        end.append((y0 + ey[mask]) * width + x0 + ex[mask])
        direction.append(np.full(int(mask.sum()), d, dtype=np.int64))
    lab = np.concatenate(lab)
    start = np.concatenate(start)
    end = np.concatenate(end)
    direction = np.concatenate(direction)
    order = np.argsort(lab, kind="stable")
    lab, start, end, direction = lab[order], start[order], end[order], direction[order]
    cuts = np.flatnonzero(np.diff(lab)) + 1
    bounds = zip(np.r_[0, cuts], np.r_[cuts, len(lab)], strict=True)
    rings = {}
    for lo, hi in bounds:
        rings[int(lab[lo])] = _chain(
            start[lo:hi].tolist(), end[lo:hi].tolist(), direction[lo:hi].tolist()
        )
    return rings


def _chain(starts: list[int], ends: list[int], dirs: list[int]) -> list[list[int]]:
    """Chain oriented edges into closed rings.

    Where a region touches itself at a vertex (two cells meeting only diagonally) the vertex has
    two outgoing edges; always taking the leftmost turn keeps every ring simple: the region then
    gets a shell and a hole touching it in one point, which is a valid polygon.
    """
    out: dict[int, list[tuple[int, int, int]]] = {}
    for k, (s, e, d) in enumerate(zip(starts, ends, dirs, strict=True)):
        out.setdefault(s, []).append((k, e, d))
    used = [False] * len(starts)
    rings = []
    for first in range(len(starts)):
        if used[first]:
            continue
        ring = [starts[first]]
        k, e, d = first, ends[first], dirs[first]
        used[k] = True
        while True:
            options = [o for o in out[e] if not used[o[0]] or o[0] == first]
            if len(options) > 1:
                # Left turn first, then straight, then right.
                options.sort(key=lambda o, d=d: (d + 1 - o[2]) % 4)
            k, nxt, nd = options[0]
            if k == first:
                break
            used[k] = True
            ring.append(e)
            e, d = nxt, nd
        ring.append(ring[0])
        rings.append(ring)
    return rings


def _to_geojson(rings: list[list[int]], coords: np.ndarray) -> dict:
    # Signed area in lattice coordinates is exact: >0 shell (counter-clockwise), <0 hole.
    parts = [coords[ring] for ring in rings]
    shells = [p for p in parts if _signed_area(p) > 0]
    holes = [p for p in parts if _signed_area(p) <= 0]
    if len(shells) == 1:
        return {
            "type": "Polygon",
            "coordinates": [shells[0].tolist(), *[h.tolist() for h in holes]],
        }
    # Not produced by Hilbert runs (always edge-connected), kept for safety.
    polys = []
    for shell in shells:
        poly = shapely.Polygon(shell)
        inner = [
            h.tolist() for h in holes if poly.contains(shapely.Polygon(h).representative_point())
        ]
        polys.append([shell.tolist(), *inner])
    return {"type": "MultiPolygon", "coordinates": polys}


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


# ------------------------------------------------------------------------------------ the tree


def _street_order(micro_grids: int, min_blocks: int) -> int:
    """Hilbert order of a street's block grid: room for ≥ max(1.5, min_blocks) blocks a grid."""
    need = max(1.5, float(min_blocks)) * micro_grids
    order = 0
    while 4**order < need:
        order += 1
    return order


def _street_layout(streets: int) -> tuple[int, int]:
    """Columns × rows of street blocks: fewest empty slots, at most 2:1, then nearest square
    (160 streets → 16 × 10, so a city's bounding box is nearly all grid)."""
    best = None
    for cols in range(1, streets + 1):
        rows = math.ceil(streets / cols)
        if max(cols, rows) > 2 * min(cols, rows) and streets > 2:
            continue
        key = (cols * rows - streets, abs(cols - rows), -cols)
        if best is None or key < best[0]:
            best = (key, cols, rows)
    return best[1], best[2]


def generate_tree(
    seed: int,
    *,
    streets: int = 1,
    areas_per_street: int = 2,
    communities_per_street: int = 6,
    micro_grids_per_street: int = 251,
    building_groups_per_micro_grid: tuple[int, int] = (3, 6),
    county_code: str = "310115",
    first_street_number: int = 125,
    origin: tuple[float, float] = (121.55, 31.13),
    micro_grids_per_community: tuple[int, int] | None = None,
    communities_per_area: tuple[int, int] | None = None,
) -> list[SyntheticNode]:
    """A deterministic synthetic grid tree; see the module docstring for how it tiles.

    Streets sit side by side in a near-square arrangement centred on `origin` (lon, lat).
    Communities get uneven micro-grid counts summing to `micro_grids_per_street`; micro-grids
    get between `building_groups_per_micro_grid[0]` and `[1]` building groups ((0, 0): none).
    `micro_grids_per_community=(lo, hi)` bounds each community's micro-grids (康桥: 3–5) where
    the totals allow it, `communities_per_area` each area's communities alike; otherwise the
    counts are uneven without bounds.
    """
    bg_lo, bg_hi = building_groups_per_micro_grid
    if streets < 1 or not (
        1 <= areas_per_street <= communities_per_street <= micro_grids_per_street
    ):
        raise ValueError("need streets ≥ 1 and 1 ≤ areas ≤ communities ≤ micro-grids per street")
    if not (0 <= bg_lo <= bg_hi) or (bg_hi > 0 and bg_lo < 1):
        raise ValueError("building_groups_per_micro_grid must be (0, 0) or (lo ≥ 1, hi ≥ lo)")
    if (
        first_street_number + streets - 1 > 999
        or micro_grids_per_street > 999 * communities_per_street
    ):
        raise ValueError("street or micro-grid numbers would not fit their 3-digit codes")

    # Each micro-grid takes whole 2×2 blocks (at least two, so it is never a bare quadrangle); a
    # building group needs at least one cell. Not depending on building groups otherwise keeps
    # the micro-grids of a seed the same with or without them.
    min_blocks = max(2, math.ceil(bg_hi / 4))
    order = _street_order(micro_grids_per_street, min_blocks)
    block_side = 1 << order
    side = 2 * block_side  # street side in cells
    n_blocks = block_side * block_side
    cols, rows = _street_layout(streets)
    lattice = _Lattice(seed, cols * side, rows * side, origin)
    hx, hy = _hilbert_xy(order + 1)  # cells in curve order; cells 4k..4k+3 form block k

    rng_tree = np.random.default_rng([seed, 2])
    rng_groups = np.random.default_rng([seed, 3])
    avg = n_blocks / micro_grids_per_street
    block_lo = max(min_blocks, math.floor(avg * 0.5))
    block_hi = max(block_lo, math.ceil(avg * 1.6))

    nodes: list[SyntheticNode] = []
    for s in range(streets):
        # Street s fills block row s // cols (south to north), column s % cols (west to east).
        x0, y0 = (s % cols) * side, (s // cols) * side
        blocks = _split(rng_tree, n_blocks, micro_grids_per_street, block_lo, block_hi)
        if micro_grids_per_community is not None and (
            micro_grids_per_community[0] * communities_per_street
            <= micro_grids_per_street
            <= micro_grids_per_community[1] * communities_per_street
        ):
            per_community = _split(
                rng_tree, micro_grids_per_street, communities_per_street, *micro_grids_per_community
            )
        else:
            per_community = _uneven(rng_tree, micro_grids_per_street, communities_per_street)
        if communities_per_area is not None and (
            communities_per_area[0] * areas_per_street
            <= communities_per_street
            <= communities_per_area[1] * areas_per_street
        ):
            per_area = _split(
                rng_tree, communities_per_street, areas_per_street, *communities_per_area
            )
        else:
            per_area = _uneven(rng_tree, communities_per_street, areas_per_street)

        # Labels along the curve: micro-grid index of each cell, community of each micro-grid...
        micro_of_cell = np.repeat(np.arange(micro_grids_per_street), 4 * blocks)
        community_of_micro = np.repeat(np.arange(communities_per_street), per_community)
        area_of_community = np.repeat(np.arange(areas_per_street), per_area)

        def grid_of(values, _x0=x0, _y0=y0):
            labels = np.empty((side, side), dtype=np.int64)
            labels[hy, hx] = values
            return _region_rings(labels, _x0, _y0, lattice.width)

        micro_rings = grid_of(micro_of_cell)
        community_rings = grid_of(community_of_micro[micro_of_cell])
        area_rings = grid_of(area_of_community[community_of_micro[micro_of_cell]])
        street_rings = grid_of(np.zeros(side * side, dtype=np.int64))

        street_number = first_street_number + s
        street_index = len(nodes)
        nodes.append(
            SyntheticNode(
                level=GridLevel.STREET.value,
                number=street_number,
                name=f"第{street_number}街道",
                parent=None,
                geometry=_to_geojson(street_rings[0], lattice.coords),
                county_code=county_code,
            )
        )
        micro_geoms = [
            _to_geojson(micro_rings[m], lattice.coords) for m in range(micro_grids_per_street)
        ]
        micro_shells = [lattice.coords[micro_rings[m][0]] for m in range(micro_grids_per_street)]
        first_micro = np.r_[0, np.cumsum(per_community)]
        first_cell = np.r_[0, np.cumsum(4 * blocks)]
        community = 0
        for a in range(areas_per_street):
            area_index = len(nodes)
            nodes.append(
                SyntheticNode(
                    level=GridLevel.AREA.value,
                    number=a + 1,
                    name=f"第{a + 1}片区",
                    parent=street_index,
                    geometry=_to_geojson(area_rings[a], lattice.coords),
                )
            )
            for _ in range(per_area[a]):
                c = community
                community += 1
                community_index = len(nodes)
                nodes.append(
                    SyntheticNode(
                        level=GridLevel.COMMUNITY.value,
                        number=c + 1,
                        name=f"第{c + 1}居委",
                        parent=area_index,
                        geometry=_to_geojson(community_rings[c], lattice.coords),
                    )
                )
                members = list(range(first_micro[c], first_micro[c + 1]))
                numbers = _number_rings([micro_shells[m] for m in members])
                for m, number in sorted(zip(members, numbers, strict=True), key=lambda t: t[1]):
                    micro_index = len(nodes)
                    nodes.append(
                        SyntheticNode(
                            level=GridLevel.MICRO_GRID.value,
                            number=number,
                            name=f"第{number}网格",
                            parent=community_index,
                            geometry=micro_geoms[m],
                            party_organisation=f"第{number}网格党小组",
                        )
                    )
                    if bg_hi:
                        nodes.extend(
                            _building_groups(
                                rng_groups,
                                (bg_lo, bg_hi),
                                (int(first_cell[m]), int(first_cell[m + 1])),
                                (hx, hy, x0, y0),
                                lattice,
                                micro_index,
                            )
                        )
    return nodes


def _building_groups(rng, count_range, cell_range, curve, lattice, micro_index):
    """Split one micro-grid's run of cells into 3–6 (or as asked) runs, numbered W→E, N→S."""
    lo, hi = cell_range
    hx, hy, x0, y0 = curve
    cells = hi - lo
    count = int(rng.integers(count_range[0], min(count_range[1], cells) + 1))
    sizes = _uneven(rng, cells, count)
    # Only the micro-grid's cells are labelled; everything else is "outside" (-1).
    xs, ys = hx[lo:hi], hy[lo:hi]
    bx0, by0 = int(xs.min()), int(ys.min())
    labels = np.full((int(ys.max()) - by0 + 1, int(xs.max()) - bx0 + 1), -1, dtype=np.int64)
    labels[ys - by0, xs - bx0] = np.repeat(np.arange(count), sizes)
    rings = _region_rings(labels, x0 + bx0, y0 + by0, lattice.width)
    geoms = [_to_geojson(rings[g], lattice.coords) for g in range(count)]
    numbers = _number_rings([lattice.coords[rings[g][0]] for g in range(count)])
    out = []
    for g, number in sorted(zip(range(count), numbers, strict=True), key=lambda t: t[1]):
        out.append(
            SyntheticNode(
                level=GridLevel.BUILDING_GROUP.value,
                number=number,
                name=f"{number}号楼组",
                parent=micro_index,
                geometry=geoms[g],
            )
        )
    return out


def _number_rings(shells: list[np.ndarray]) -> list[int]:
    """`number_west_east_north_south` on shell coordinate arrays (no holes needed for it)."""
    return number_west_east_north_south([shapely.Polygon(shell) for shell in shells])
