"""Benchmark: civicgrid's GridIndex against geopandas.sjoin on a city of micro-grids.

    make bench-locate                       # 160 streets × 251 = 40,160 micro-grids, 1,000,000 points
    .venv/bin/python bench/locate.py --grids 2000 --points 100000   # a quick run

No database: the tiling comes from civicgrid.grids.synthetic. Both sides answer the same
question (which micro-grid covers each point; on a shared boundary the lowest code), every
answer is compared, and the last line is `locate_ratio_vs_sjoin=<civicgrid pts/s ÷ sjoin pts/s>`.
sjoin is timed on a ready GeoDataFrame of points (building the point geometries is reported
separately and not charged to it), plus resolving its boundary duplicates to the lowest code.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

import numpy as np
import shapely


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--grids", type=int, default=40_160, help="about this many micro-grids (251 a street)"
    )
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="best of N timed runs each")
    args = parser.parse_args(argv)

    import django

    django.setup()  # only for the GridLevel choices the generator imports; no database is used
    import geopandas as gpd

    from civicgrid.grids.locator import GridIndex
    from civicgrid.grids.synthetic import generate_tree

    per_street = 251
    streets = max(1, round(args.grids / per_street))
    t = time.perf_counter()
    nodes = generate_tree(
        args.seed,
        streets=streets,
        micro_grids_per_street=per_street,
        building_groups_per_micro_grid=(0, 0),
    )
    micro = [n for n in nodes if n.level == "micro_grid"]
    # Codes as the database derives them: street + community + number, 15 digits.
    codes, stack = [], []
    for node in nodes:
        depth = {"street": 0, "area": 1, "community": 2, "micro_grid": 3}[node.level]
        del stack[depth:]
        if node.level == "street":
            stack.append(node.county_code + f"{node.number:03d}")
        elif node.level == "area":
            stack.append(stack[0])
        elif node.level == "community":
            stack.append(stack[0] + f"{node.number:03d}")
        else:
            stack.append(stack[2] + f"{node.number:03d}")
            codes.append(stack[3])
    geoms = np.array([shapely.geometry.shape(n.geometry) for n in micro], dtype=object)
    print(
        f"grids: {len(micro):,} micro-grids in {streets} streets ({time.perf_counter() - t:.1f} s)"
    )

    # Points over the bounding box plus a 1 % margin: a few % fall outside every grid.
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    mx, my = 0.01 * (maxx - minx), 0.01 * (maxy - miny)
    rng = np.random.default_rng(args.seed)
    lons = rng.uniform(minx - mx, maxx + mx, args.points)
    lats = rng.uniform(miny - my, maxy + my, args.points)

    t = time.perf_counter()
    index = GridIndex(codes, geoms)
    build = time.perf_counter() - t
    print(
        f"civicgrid index build: {build:.2f} s "
        f"({index._nx * index._ny:,} cells, {index.boundary_cells:,} boundary cells)"
    )
    ours_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        ours = index.locate_many(lons, lats)
        ours_times.append(time.perf_counter() - t)
    ours_time = min(ours_times)

    # Single-point latency: median over many calls, settled and boundary cells alike.
    sample = list(zip(lons[:20_000].tolist(), lats[:20_000].tolist(), strict=True))
    latencies = []
    for lon, lat in sample:
        t = time.perf_counter_ns()
        index.locate(lon, lat)
        latencies.append(time.perf_counter_ns() - t)
    single_ok = all(index.locate(lon, lat) == ours[i] for i, (lon, lat) in enumerate(sample[:5000]))

    code_arr = np.array(codes)
    polys = gpd.GeoDataFrame({"code": code_arr}, geometry=geoms, crs="EPSG:4326")
    t = time.perf_counter()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lons, lats), crs="EPSG:4326")
    make_points = time.perf_counter() - t
    sjoin_times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        joined = gpd.sjoin(points, polys, predicate="intersects", how="inner")
        # Boundary points match several grids: keep the lowest code, as civicgrid does.
        best = (
            joined[["index_right", "code"]]
            .reset_index()
            .sort_values(["index", "code"])
            .drop_duplicates("index")
        )
        theirs = np.full(args.points, -1, dtype=np.int64)
        theirs[best["index"].to_numpy()] = best["index_right"].to_numpy()
        sjoin_times.append(time.perf_counter() - t)
    sjoin_time = min(sjoin_times)

    disagree = int((ours != theirs).sum())
    ours_rate = args.points / ours_time
    sjoin_rate = args.points / sjoin_time
    outside = int((ours < 0).sum())
    print(f"points: {args.points:,} ({outside / args.points:.1%} outside every grid)")
    print(f"civicgrid locate_many: {ours_time:.3f} s = {ours_rate:,.0f} points/s")
    print(
        f"geopandas.sjoin: {sjoin_time:.3f} s = {sjoin_rate:,.0f} points/s "
        f"(+{make_points:.3f} s to build the point geometries, not counted)"
    )
    print(
        f"single-point locate: median {statistics.median(latencies) / 1000:.2f} µs, "
        f"p99 {np.percentile(latencies, 99) / 1000:.2f} µs over {len(latencies):,} calls"
    )
    print(f"single-point answers agree with locate_many: {single_ok}")
    print(f"disagreements with sjoin (lowest code on boundaries): {disagree}")
    ratio = ours_rate / sjoin_rate
    print(
        f"locate_ratio_vs_sjoin={ratio:.2f}" if math.isfinite(ratio) else "locate_ratio_vs_sjoin=0"
    )
    return 0 if disagree == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
