"""The synthetic tiling: gap- and overlap-free, nested, exact counts, deterministic, valid."""

from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely

from civicgrid.grids.choices import GridLevel
from civicgrid.grids.synthetic import generate_tree, number_west_east_north_south


@pytest.fixture(scope="module")
def synthetic_tree():
    return generate_tree(7)


@pytest.fixture(scope="module")
def shapes(synthetic_tree):
    return [shapely.geometry.shape(node.geometry) for node in synthetic_tree]


def _children(synthetic_tree):
    children = defaultdict(list)
    for i, node in enumerate(synthetic_tree):
        if node.parent is not None:
            children[node.parent].append(i)
    return children


def _assert_tiles(parent, pieces):
    """`pieces` tile `parent`: no pairwise overlap, no gap, nothing outside."""
    arr = np.asarray(pieces, dtype=object)
    index = shapely.STRtree(arr)
    left, right = index.query(arr, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(arr[left[pairs]], arr[right[pairs]]))
    # Neighbours share edges and vertices only: zero-area intersections.
    assert float(overlap.sum()) == pytest.approx(0.0, abs=1e-15)
    union = shapely.union_all(arr)
    assert union.area == pytest.approx(sum(p.area for p in pieces), rel=1e-9)
    assert union.area == pytest.approx(parent.area, rel=1e-9)
    assert union.symmetric_difference(parent).area < parent.area * 1e-9


def test_default_counts_match_kangqiao(synthetic_tree):
    counts = Counter(node.level for node in synthetic_tree)
    assert counts[GridLevel.STREET] == 1
    assert counts[GridLevel.AREA] == 2
    assert counts[GridLevel.COMMUNITY] == 6
    assert counts[GridLevel.MICRO_GRID] == 251
    children = _children(synthetic_tree)
    for i, node in enumerate(synthetic_tree):
        if node.level == GridLevel.MICRO_GRID:
            assert 3 <= len(children[i]) <= 6
            assert node.party_organisation == f"第{node.number}网格党小组"


def test_parents_come_first_and_levels_nest(synthetic_tree):
    order = list(GridLevel)
    for i, node in enumerate(synthetic_tree):
        if node.parent is None:
            assert node.level == GridLevel.STREET
            assert node.county_code == "310115"
            continue
        assert node.parent < i
        assert (
            order.index(GridLevel(node.level)) == order.index(synthetic_tree[node.parent].level) + 1
        )


def test_all_polygons_valid_and_not_rectangles(shapes):
    assert all(s.is_valid and not s.is_empty for s in shapes)
    micro_rect = [s for s in shapes if s.area == pytest.approx(s.envelope.area, rel=1e-9)]
    assert not micro_rect


def test_every_parent_is_tiled_by_its_children(synthetic_tree, shapes):
    for parent, kids in _children(synthetic_tree).items():
        _assert_tiles(shapes[parent], [shapes[k] for k in kids])


def test_street_is_tiled_by_all_micro_grids(synthetic_tree, shapes):
    micro = [
        s
        for s, node in zip(shapes, synthetic_tree, strict=True)
        if node.level == GridLevel.MICRO_GRID
    ]
    _assert_tiles(shapes[0], micro)


def test_neighbours_share_exact_vertices(synthetic_tree, shapes):
    # Every vertex of a micro-grid that lies on another micro-grid's boundary is one of that
    # micro-grid's vertices too: no T-junctions, so shared edges are identical.
    micro = [
        s
        for s, node in zip(shapes, synthetic_tree, strict=True)
        if node.level == GridLevel.MICRO_GRID
    ]
    vertex_sets = [set(map(tuple, shapely.get_coordinates(s).tolist())) for s in micro]
    strtree = shapely.STRtree(micro)
    shared = 0
    for i, poly in enumerate(micro):
        for j in strtree.query(poly, predicate="touches"):
            common = shapely.intersection(poly.boundary, micro[j].boundary)
            for xy in shapely.get_coordinates(common).tolist():
                assert tuple(xy) in vertex_sets[i] and tuple(xy) in vertex_sets[j]
                shared += 1
    assert shared > 1000


def test_community_counts_uneven_and_exact(synthetic_tree):
    per_community = Counter(
        node.parent for node in synthetic_tree if node.level == GridLevel.MICRO_GRID
    ).values()
    assert sum(per_community) == 251
    assert len(set(per_community)) > 1
    numbers = sorted(node.number for node in synthetic_tree if node.level == GridLevel.COMMUNITY)
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_numbers_within_parent_are_1_to_n(synthetic_tree):
    children = _children(synthetic_tree)
    for kids in children.values():
        numbers = sorted(
            synthetic_tree[k].number for k in kids if synthetic_tree[k].level != GridLevel.COMMUNITY
        )
        assert numbers == list(range(1, len(numbers) + 1))


def test_micro_grids_numbered_north_to_south(synthetic_tree, shapes):
    # Number 1 lies in the community's northernmost row, the last one in its southernmost.
    children = _children(synthetic_tree)
    for parent, kids in children.items():
        if synthetic_tree[parent].level != GridLevel.COMMUNITY:
            continue
        by_number = sorted(kids, key=lambda k: synthetic_tree[k].number)
        first, last = shapes[by_number[0]], shapes[by_number[-1]]
        assert first.centroid.y > last.centroid.y


def test_deterministic_and_seed_dependent():
    a = generate_tree(3, micro_grids_per_street=40, communities_per_street=3)
    b = generate_tree(3, micro_grids_per_street=40, communities_per_street=3)
    c = generate_tree(4, micro_grids_per_street=40, communities_per_street=3)
    assert a == b
    assert [n.geometry for n in a] != [n.geometry for n in c]


def test_skipping_building_groups_keeps_micro_geometry():
    full = generate_tree(5, micro_grids_per_street=30, communities_per_street=3)
    bare = generate_tree(
        5,
        micro_grids_per_street=30,
        communities_per_street=3,
        building_groups_per_micro_grid=(0, 0),
    )
    assert not [n for n in bare if n.level == GridLevel.BUILDING_GROUP]

    # Parent indices shift (building groups follow their micro-grid in the list); the rest holds.
    def strip(nodes):
        return [
            (n.level, n.number, n.name, n.geometry)
            for n in nodes
            if n.level != GridLevel.BUILDING_GROUP
        ]

    assert strip(full) == strip(bare)


def test_several_streets_tile_and_sit_around_origin():
    synthetic_tree = generate_tree(
        11,
        streets=4,
        communities_per_street=3,
        micro_grids_per_street=20,
        building_groups_per_micro_grid=(0, 0),
        first_street_number=7,
        origin=(121.4, 31.2),
    )
    streets = [
        shapely.geometry.shape(n.geometry) for n in synthetic_tree if n.level == GridLevel.STREET
    ]
    assert [n.number for n in synthetic_tree if n.level == GridLevel.STREET] == [7, 8, 9, 10]
    city = shapely.union_all(streets)
    assert city.area == pytest.approx(sum(s.area for s in streets), rel=1e-9)
    assert city.geom_type == "Polygon"  # neighbouring streets share their boundaries exactly
    assert city.centroid.x == pytest.approx(121.4, abs=0.01)
    assert city.centroid.y == pytest.approx(31.2, abs=0.01)
    assert Counter(n.level for n in synthetic_tree)[GridLevel.MICRO_GRID] == 80


def test_rejects_impossible_parameters():
    with pytest.raises(ValueError):
        generate_tree(1, communities_per_street=10, micro_grids_per_street=5)
    with pytest.raises(ValueError):
        generate_tree(1, building_groups_per_micro_grid=(0, 3))
    with pytest.raises(ValueError):
        generate_tree(1, streets=2, first_street_number=999)


def test_numbering_rule_rows_then_columns():
    # A 3×2 arrangement given in scrambled order: rows north→south, west→east within a row.
    def box(x, y):
        return shapely.box(x, y, x + 1, y + 1)

    polygons = [box(1, 0), box(0, 1), box(2, 1), box(0, 0), box(1, 1), box(2, 0)]
    assert number_west_east_north_south(polygons) == [5, 1, 3, 4, 2, 6]
    # GeoJSON dicts work too; a slightly jittered row stays one row.
    jittered = [
        shapely.geometry.mapping(shapely.affinity.translate(p, 0, 0.1 * (i % 2)))
        for i, p in enumerate(polygons)
    ]
    assert number_west_east_north_south(jittered) == [5, 1, 3, 4, 2, 6]
    assert number_west_east_north_south([]) == []
