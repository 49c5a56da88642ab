"""The locator: exact against shapely, lowest code on shared boundaries, revision-driven
rebuilds, and the locate endpoints."""

import math

import numpy as np
import pytest
import shapely
from django.urls import reverse
from rest_framework.test import APIClient

from civicgrid.grids import locator
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.locator import GridIndex
from civicgrid.grids.models import Grid
from civicgrid.grids.synthetic import generate_tree
from civicgrid.testing.factories import UserFactory, rect


def brute_force(codes, geoms, x, y):
    """Lowest code among the polygons that cover each point, by plain shapely; -1 if none."""
    hits = shapely.intersects_xy(np.asarray(geoms)[:, None], x[None, :], y[None, :])
    out = np.full(len(x), -1)
    for p in range(len(x)):
        polys = np.flatnonzero(hits[:, p])
        if len(polys):
            out[p] = min(polys, key=lambda i: (codes[i], i))
    return out


@pytest.fixture(scope="module")
def tiling():
    nodes = generate_tree(
        21,
        streets=2,
        communities_per_street=3,
        micro_grids_per_street=40,
        building_groups_per_micro_grid=(0, 0),
    )
    geoms = [shapely.geometry.shape(n.geometry) for n in nodes if n.level == GridLevel.MICRO_GRID]
    # Codes in an order unrelated to the input order, so "lowest code" is really tested.
    rng = np.random.default_rng(5)
    codes = [f"{c:015d}" for c in rng.permutation(len(geoms))]
    return codes, geoms


def test_agrees_with_shapely_on_random_points(tiling):
    codes, geoms = tiling
    index = GridIndex(codes, geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    rng = np.random.default_rng(1)
    x = rng.uniform(minx - 0.003, maxx + 0.003, 6000)
    y = rng.uniform(miny - 0.003, maxy + 0.003, 6000)
    expected = brute_force(codes, geoms, x, y)
    assert (expected == -1).any() and (expected >= 0).sum() > 3000
    assert np.array_equal(index.locate_many(x, y), expected)
    assert [index.locate(a, b) for a, b in zip(x[:500], y[:500], strict=True)] == list(
        expected[:500]
    )


def test_shared_vertices_and_edges_go_to_the_lowest_code(tiling):
    codes, geoms = tiling
    index = GridIndex(codes, geoms)
    coords = shapely.get_coordinates(np.asarray(geoms))
    # Every vertex (shared by 2–4 grids or on the outer edge) and points on edges.
    x = np.r_[coords[:, 0], (coords[:-1, 0] + coords[1:, 0]) / 2]
    y = np.r_[coords[:, 1], (coords[:-1, 1] + coords[1:, 1]) / 2]
    expected = brute_force(codes, geoms, x, y)
    shared = shapely.intersects_xy(np.asarray(geoms)[:, None], x[None, :], y[None, :]).sum(axis=0)
    assert (shared >= 3).sum() > 50  # vertices where three or more grids meet are included
    assert np.array_equal(index.locate_many(x, y), expected)
    sample = range(0, len(x), 7)
    assert [index.locate(x[i], y[i]) for i in sample] == [expected[i] for i in sample]


def test_four_squares_meeting_in_a_point():
    squares = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(0, 1, 1, 2)]
    squares.append(shapely.box(1, 1, 2, 2))
    codes = ["40", "20", "30", "10"]
    index = GridIndex(codes, squares)
    assert index.locate(1.0, 1.0) == 3  # code 10, the north-east square
    assert index.locate(1.0, 0.5) == 1  # edge between 40 and 20 → 20
    assert index.locate(0.5, 1.0) == 2  # edge between 40 and 30 → 30
    assert index.locate(0.0, 0.0) == 0  # outer corner, only 40
    assert index.locate(0.25, 0.25) == 0
    assert list(index.locate_many([1.0, 1.0, 0.5, 2.0], [1.0, 0.5, 1.0, 2.0])) == [3, 1, 2, 3]


def test_outside_nan_and_out_of_range_points_are_minus_one(tiling):
    codes, geoms = tiling
    index = GridIndex(codes, geoms)
    lons = [0.0, math.nan, 121.5, math.inf, -math.inf, 500.0, 121.5, -200.0]
    lats = [0.0, 31.1, math.nan, 31.1, 31.1, 31.1, 95.0, -100.0]
    assert list(index.locate_many(lons, lats)) == [-1] * len(lons)
    assert [index.locate(a, b) for a, b in zip(lons, lats, strict=True)] == [-1] * len(lons)
    assert len(index.locate_many([], [])) == 0


def test_empty_missing_and_degenerate_inputs():
    empty = GridIndex([], [])
    assert empty.locate(121.5, 31.1) == -1
    assert list(empty.locate_many([121.5], [31.1])) == [-1]
    index = GridIndex(["2", "1"], [None, rect(0, 0, 1, 1)])  # GeoJSON dicts work too
    assert index.locate(0.5, 0.5) == 1
    assert index.locate(5, 5) == -1
    with pytest.raises(ValueError):
        GridIndex(["1"], [])


def test_holes_and_overlaps_stay_exact():
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (3, 1), (3, 3), (1, 3)]])
    inner = shapely.box(1, 1, 3, 3)
    overlap = shapely.box(3.5, 3.5, 6, 6)  # overlaps the ring's corner
    codes = ["5", "7", "6"]
    geoms = [ring, inner, overlap]
    index = GridIndex(codes, geoms)
    rng = np.random.default_rng(2)
    x, y = rng.uniform(-1, 7, 20000), rng.uniform(-1, 7, 20000)
    x = np.r_[x, 2, 1, 3.5, 3.75]
    y = np.r_[y, 2, 2, 3.5, 3.75]
    expected = brute_force(codes, geoms, x, y)
    assert np.array_equal(index.locate_many(x, y), expected)
    assert index.locate(2, 2) == 1  # inside the hole: the inner polygon
    assert index.locate(1, 2) == 0  # on the hole's edge: ring (code 5) beats inner (code 7)
    assert index.locate(3.75, 3.75) == 0  # in both ring and overlap: code 5 beats 6


# ----------------------------------------------------------------------------- database layer


@pytest.fixture(autouse=True)
def fresh_locator():
    locator.invalidate_locator(drop=True)
    yield
    locator.invalidate_locator(drop=True)


def test_locate_point_gives_micro_grid_ancestors_and_building_group(tree):
    micro = tree["micro_grids"][0]
    point = shapely.geometry.shape(micro.geometry).representative_point()
    result = locator.locate_point(point.x, point.y)
    assert result.micro_grid.id == micro.id and result.micro_grid.code == micro.code
    assert result.community.id == micro.parent_id
    assert result.area.id == tree["area"].id
    assert result.street.id == tree["street"].id
    group = Grid.objects.get(id=result.building_group.id)
    assert group.parent_id == micro.id
    assert shapely.geometry.shape(group.geometry).intersects(point)
    assert result.as_dict()["micro_grid"]["name"] == micro.name
    assert locator.locate_point(0.0, 0.0) is None
    assert locator.locate_point("x", None) is None


def test_locate_point_on_shared_edge_takes_lowest_code(tree):
    # make_tree puts community 1 west of community 2; their micro-grids share x = 121.51.
    west = [m for m in tree["micro_grids"] if m.parent_id == tree["communities"][0].id]
    east = [m for m in tree["micro_grids"] if m.parent_id == tree["communities"][1].id]
    lat = shapely.geometry.shape(west[0].geometry).representative_point().y
    edge_lon = shapely.geometry.shape(west[0].geometry).bounds[2]
    result = locator.locate_point(edge_lon, lat)
    assert result.micro_grid.code == min(west[0].code, east[0].code)


def test_locate_points_returns_ids(tree):
    points = [
        shapely.geometry.shape(m.geometry).representative_point() for m in tree["micro_grids"]
    ]
    lons = [p.x for p in points] + [0.0, math.nan]
    lats = [p.y for p in points] + [0.0, 31.1]
    ids = locator.locate_points(np.array(lons), np.array(lats))
    assert list(ids) == [m.id for m in tree["micro_grids"]] + [-1, -1]


def test_rebuilds_when_the_tree_revision_changes(tree, settings, django_assert_max_num_queries):
    settings.CIVICGRID_LOCATOR_CHECK_SECONDS = 3600
    first = locator.get_locator()
    # Within the interval the revision is not even read.
    with django_assert_max_num_queries(0):
        assert locator.get_locator() is first
    moved = tree["micro_grids"][0]
    far = rect(100.0, 10.0, 100.01, 10.01)
    moved.geometry = far
    moved.save()  # bumps GridTreeRevision in the same transaction
    assert locator.get_locator() is first  # still cached: the check interval has not passed
    locator.invalidate_locator()  # what the interval expiring does
    assert locator.locate_point(100.005, 10.005).micro_grid.id == moved.id
    assert locator.get_locator() is not first
    # Unchanged revision: a check reads one row and keeps the index.
    second = locator.get_locator()
    locator.invalidate_locator()
    with django_assert_max_num_queries(1):
        assert locator.get_locator() is second


def test_bulk_change_reaches_locator_after_bump(tree, settings):
    from civicgrid.grids.signals import bump_tree_revision

    settings.CIVICGRID_LOCATOR_CHECK_SECONDS = 0
    micro = tree["micro_grids"][1]
    point = shapely.geometry.shape(micro.geometry).representative_point()
    assert locator.locate_point(point.x, point.y).micro_grid.id == micro.id
    # A bulk update skips signals; the importer's explicit bump is what makes it visible.
    Grid.objects.filter(id=micro.id).update(geometry=None)
    assert locator.locate_point(point.x, point.y).micro_grid.id == micro.id
    bump_tree_revision()
    assert locator.locate_point(point.x, point.y) is None


# ---------------------------------------------------------------------------------- endpoint


@pytest.fixture
def client(db):
    api = APIClient()
    api.force_authenticate(UserFactory())
    return api


def test_locate_endpoint(tree, client):
    micro = tree["micro_grids"][2]
    point = shapely.geometry.shape(micro.geometry).representative_point()
    response = client.get(reverse("grid-locate"), {"lon": point.x, "lat": point.y})
    assert response.status_code == 200
    body = response.json()
    assert body["micro_grid"] == {"id": micro.id, "code": micro.code, "name": micro.name}
    assert body["community"]["id"] == micro.parent_id
    assert body["street"]["code"] == tree["street"].code
    assert body["building_group"]["code"].startswith(micro.code)
    outside = client.get(reverse("grid-locate"), {"lon": 10, "lat": 10})
    assert outside.status_code == 200 and outside.json() == {"micro_grid": None}


@pytest.mark.parametrize(
    "params, field, words",
    [
        ({"lat": 31.1}, "lon", "缺少经度"),
        ({"lon": "", "lat": 31.1}, "lon", "缺少经度"),
        ({"lon": "东经121", "lat": 31.1}, "lon", "经度必须是数字"),
        ({"lon": 121.5, "lat": "nan"}, "lat", "纬度超出范围"),
        ({"lon": 181, "lat": 31.1}, "lon", "经度超出范围"),
        ({"lon": 121.5, "lat": -91}, "lat", "纬度超出范围"),
    ],
)
def test_locate_endpoint_rejects_bad_coordinates(client, params, field, words):
    response = client.get(reverse("grid-locate"), params)
    assert response.status_code == 400
    assert words in str(response.json()[field])


def test_locate_endpoints_need_login(tree):
    anonymous = APIClient()
    assert anonymous.get(reverse("grid-locate"), {"lon": 1, "lat": 1}).status_code == 403
    batch = anonymous.post(reverse("grid-locate-batch"), {"points": [[1, 1]]}, format="json")
    assert batch.status_code == 403


def test_batch_endpoint(tree, client):
    points = [
        shapely.geometry.shape(m.geometry).representative_point() for m in tree["micro_grids"]
    ]
    body = {"points": [[p.x, p.y] for p in points] + [[0, 0]]}
    response = client.post(reverse("grid-locate-batch"), body, format="json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["micro_grid"]["id"] for r in results[:-1]] == [m.id for m in tree["micro_grids"]]
    assert results[-1] == {"micro_grid": None}
    assert results[0]["community"]["id"] == tree["micro_grids"][0].parent_id


@pytest.mark.parametrize(
    "body, words",
    [
        ({}, "points"),
        ({"points": "121,31"}, "points"),
        ({"points": [[121.5, 31.1], [121.5]]}, "第 2 个点"),
        ({"points": [[121.5, 31.1], [121.5, "北纬"]]}, "第 2 个点的纬度必须是数字"),
        ({"points": [[121.5, 31.1], [True, 31.1]]}, "第 2 个点的经度必须是数字"),
        ({"points": [[121.5, 31.1], [121.5, 120]]}, "第 2 个点的纬度超出范围"),
        ({"points": [[121.5, 31.1]] * 10_001}, "一次最多定位 10000 个点"),
    ],
)
def test_batch_endpoint_rejects_bad_input(tree, client, body, words):
    response = client.post(reverse("grid-locate-batch"), body, format="json")
    assert response.status_code == 400
    assert words in str(response.json())
