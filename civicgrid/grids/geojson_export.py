"""Export of a grid tree as one GeoJSON FeatureCollection, in the format grids.geojson_io imports.

One Feature per grid node, parent-first (ordered by path), with the properties ``code``, ``name``,
``level``, ``parent_code``, ``number``, ``county_code`` (streets), ``area_kind`` (片区: 镇管社区 or
派出所片区), ``community_kind`` (居村: 居委会 or 村委会; its micro-grids and 楼组/队组 follow it),
``party_organisation`` and ``household_count``: export → import → export round-trips.
"""

import json

from django.db.models import Q

from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid


def grid_to_feature(grid) -> dict:
    parent_code = grid.path.strip("/").split("/")[-2] if grid.parent_id else None
    properties = {
        "code": grid.code,
        "name": grid.name,
        "level": grid.level,
        "parent_code": parent_code,
        "number": grid.number,
    }
    if grid.level == GridLevel.STREET:
        properties["county_code"] = grid.county_code
    if grid.level == GridLevel.AREA:
        properties["area_kind"] = grid.area_kind
    if grid.level == GridLevel.COMMUNITY:
        properties["community_kind"] = grid.community_kind
    properties["party_organisation"] = grid.party_organisation
    properties["household_count"] = grid.household_count
    return {"type": "Feature", "geometry": grid.geometry, "properties": properties}


def export_feature_collection(root=None, queryset=None) -> dict:
    """The whole tree, or the subtree under `root` (a Grid, or an iterable of Grids), parent-first.
    `queryset` narrows what may be exported (the API passes the user's visible grids).

    Ordering by `path` gives depth-first reading order with every parent before its children,
    which is also the order the importer needs. One query, whatever the size.
    """
    qs = Grid.objects.all() if queryset is None else queryset
    if root is not None:
        roots = [root] if isinstance(root, Grid) else list(root)
        # Selected nodes may contain each other: keep the outermost so no feature repeats.
        paths = sorted({r.path for r in roots})
        outer = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        condition = Q(pk__in=[])
        for p in outer:
            condition |= Q(path__startswith=p)
        qs = qs.filter(condition)
    qs = qs.order_by("path").only(
        "code",
        "name",
        "level",
        "parent_id",
        "path",
        "number",
        "county_code",
        "area_kind",
        "community_kind",
        "party_organisation",
        "household_count",
        "geometry",
    )
    return {
        "type": "FeatureCollection",
        "features": [grid_to_feature(g) for g in qs.iterator(chunk_size=2000)],
    }


def dumps(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=None, separators=(",", ":"))
