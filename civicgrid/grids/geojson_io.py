"""Import of a whole grid tree as one GeoJSON FeatureCollection (export: grids.geojson_export).

Format: one Feature per grid node, geometry a Polygon/MultiPolygon in WGS84 lon/lat, properties
``code``, ``name``, ``level`` (street/area/community/micro_grid/building_group or the Chinese
labels 街镇/片区/居村/微网格/楼组), ``parent_code``, ``number`` (optional: derived from the code),
``county_code`` (streets), ``area_kind`` (片区: town_community/police or 镇管社区/派出所片区;
default 镇管社区), ``community_kind`` (居村: residents/village or 居委会/村委会; default 居委会 —
micro-grids and 楼组/队组 take their 居村's), ``party_organisation`` and ``household_count``
(optional). On an update (replace) a kind left out keeps what the grid has.
grids.geojson_export writes exactly this format in parent-first order, so export → import →
export round-trips.

Validation looks at the whole file before anything is written and reports every problem at once
(`Problem`: feature index, code, name, severity, Chinese message). Any error-level problem means
nothing is saved; gaps between siblings are warnings only.

Existing trees: without ``replace`` every code in the file must be new (parents may already exist
in the database, so a community can be added under an existing area). With ``replace`` the file
is the truth for the subtrees it contains: nodes with a matching code are updated in place (their
primary key, and so every address and post hanging off them, stays), new codes are created, and
existing nodes under the file's top nodes that the file no longer lists are deleted — unless
anything still references them (addresses, posts, users, other apps' rows), which is an error.

Micro-grids may come without ``code`` and ``number``: then the system numbers all micro-grids of
that community west→east, north→south (GB/T 30428) before saving. A community must not mix
numbered and unnumbered micro-grids, and an unnumbered micro-grid cannot have building groups in
the same file (they could not name it as their parent).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np
import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape as to_shape

from civicgrid.grids import geometry as geo
from civicgrid.grids.choices import (
    CODE_LENGTH,
    LEVEL_DIGITS,
    LEVEL_ORDER,
    PARENT_LEVEL,
    AreaKind,
    CommunityKind,
    GridLevel,
)
from civicgrid.grids.codes import CodeError, derive_code
from civicgrid.grids.services import order_west_east_north_south, references

ERROR = "error"
WARNING = "warning"
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告"}

# Accepted spellings of a level: the stored value, the label on screen, and the common synonyms
# of the seeds (街道/镇 for a street, 队组 for a village's building group).
LEVEL_ALIASES = {
    **{level.value: level.value for level in GridLevel},
    "街镇": GridLevel.STREET.value,
    "街道": GridLevel.STREET.value,
    "镇": GridLevel.STREET.value,
    "片区": GridLevel.AREA.value,
    "居村": GridLevel.COMMUNITY.value,
    "居委": GridLevel.COMMUNITY.value,
    "微网格": GridLevel.MICRO_GRID.value,
    "楼组": GridLevel.BUILDING_GROUP.value,
    "队组": GridLevel.BUILDING_GROUP.value,
}
LEVEL_DEPTH = {level.value: i for i, level in enumerate(LEVEL_ORDER)}
# Accepted spellings of the kinds: the stored value and the label (with the short forms).
AREA_KIND_ALIASES = {
    **{kind.value: kind.value for kind in AreaKind},
    **{str(kind.label): kind.value for kind in AreaKind},
}
COMMUNITY_KIND_ALIASES = {
    **{kind.value: kind.value for kind in CommunityKind},
    **{str(kind.label): kind.value for kind in CommunityKind},
    "居委": CommunityKind.RESIDENTS.value,
    "村委": CommunityKind.VILLAGE.value,
    "村": CommunityKind.VILLAGE.value,
}
# property → (the level it belongs to, accepted spellings)
KIND_PROPERTIES = {
    "area_kind": (GridLevel.AREA, AREA_KIND_ALIASES),
    "community_kind": (GridLevel.COMMUNITY, COMMUNITY_KIND_ALIASES),
}
# Chunk size for `code__in` look-ups: SQLite allows at most 32766 parameters in one statement.
LOOKUP_CHUNK = 2000
BULK_BATCH = 1000
MAX_HOUSEHOLDS = 10_000_000  # far above any street; keeps the integer column safe
UPDATE_FIELDS = [
    "name",
    "level",
    "number",
    "county_code",
    "parent_id",
    "code",
    "path",
    "geometry",
    "area_m2",
    "centroid_lon",
    "centroid_lat",
    "household_count",
    "party_organisation",
    "area_kind",
    "community_kind",
]


@dataclass(frozen=True)
class Tolerance:
    """How much drawing imprecision the checks forgive.

    A child may stick out of its parent, and siblings may overlap, as long as the offending area is
    at most `area_ratio` of the (smaller) polygon's area OR no wider than `distance_m` metres
    (a sliver along a shared edge). Gaps are reported by the same measure.
    """

    distance_m: float = 1.0
    area_ratio: float = 0.005


@dataclass
class Problem:
    index: int | None
    code: str
    name: str
    severity: str
    message: str

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS[self.severity]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    feature_count: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    numbered: int = 0
    dry_run: bool = False
    saved: bool = False

    @property
    def fatal(self) -> bool:
        return any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    def as_dict(self) -> dict:
        return {
            "saved": self.saved,
            "dry_run": self.dry_run,
            "fatal": self.fatal,
            "feature_count": self.feature_count,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "numbered": self.numbered,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass
class _Node:
    index: int | None  # None: an existing grid from the database, used for comparisons
    code: str
    name: str
    level: str
    parent_code: str
    number: int | None
    county_code: str
    party_organisation: str
    household_count: int
    geometry: dict | None
    # 片区/居村 kinds as given (None: not in the file — a default on create, unchanged on update)
    area_kind: str | None = None
    community_kind: str | None = None
    shape: object = None  # shapely geometry in lon/lat
    metric: object = None  # the same in metres on one local plane
    ok: bool = True  # False once a problem makes further checks on it meaningless


# --------------------------------------------------------------------------------------- import


class _Checker:
    def __init__(self, tolerance: Tolerance):
        self.tolerance = tolerance
        self.problems: list[Problem] = []

    def add(self, node_or_index, message, severity=ERROR, code="", name=""):
        if isinstance(node_or_index, _Node):
            node = node_or_index
            node.ok = node.ok and severity != ERROR
            self.problems.append(Problem(node.index, node.code, node.name, severity, message))
        else:
            self.problems.append(Problem(node_or_index, code, name, severity, message))


def _load(data) -> tuple[list | None, list[Problem]]:
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None, [Problem(None, "", "", ERROR, _("文件不是 UTF-8 编码的文本"))]
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            return None, [
                Problem(
                    None,
                    "",
                    "",
                    ERROR,
                    _("JSON 格式错误：第 %(line)d 行第 %(col)d 列，%(msg)s")
                    % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg},
                )
            ]
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return None, [
            Problem(
                None,
                "",
                "",
                ERROR,
                _("文件不是 GeoJSON FeatureCollection(type 必须为 FeatureCollection)"),
            )
        ]
    features = data.get("features")
    if not isinstance(features, list):
        return None, [Problem(None, "", "", ERROR, _("FeatureCollection 缺少 features 数组"))]
    if not features:
        return None, [Problem(None, "", "", ERROR, _("文件中没有任何要素"))]
    return features, []


def _as_int(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise ValueError
    return value


def _parse_feature(index: int, feature, check: _Checker) -> _Node | None:
    where = _("要素[%(i)d]") % {"i": index}
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        check.add(index, _("%(where)s 不是 GeoJSON Feature") % {"where": where})
        return None
    props = feature.get("properties")
    if not isinstance(props, dict):
        check.add(index, _("%(where)s 缺少 properties") % {"where": where})
        return None
    code = str(props.get("code") or "").strip()
    name = str(props.get("name") or "").strip()
    node = _Node(
        index=index,
        code=code,
        name=name,
        level="",
        parent_code=str(props.get("parent_code") or "").strip(),
        number=None,
        county_code=str(props.get("county_code") or "").strip(),
        party_organisation=str(props.get("party_organisation") or "").strip(),
        household_count=0,
        geometry=feature.get("geometry"),
    )
    label = str(props.get("level") or "").strip()
    node.level = LEVEL_ALIASES.get(label, "")
    if not node.level:
        check.add(
            node,
            _("%(where)s 层级“%(level)s”无效，应为 街镇/片区/居村/微网格/楼组")
            % {"where": where, "level": label},
        )
    for prop, (level, aliases) in KIND_PROPERTIES.items():
        given = str(props.get(prop) or "").strip()
        if not given:
            continue
        if node.level and node.level != level:
            check.add(
                node,
                _("%(where)s 只有%(level)s填写 %(prop)s")
                % {"where": where, "level": GridLevel(level).label, "prop": prop},
            )
        elif given not in aliases:
            check.add(
                node,
                _("%(where)s %(prop)s“%(value)s”无效，应为 %(choices)s")
                % {
                    "where": where,
                    "prop": prop,
                    "value": given,
                    "choices": "/".join(str(k) for k in aliases if not k.isascii()),
                },
            )
        else:
            setattr(node, prop, aliases[given])
    if not name:
        check.add(node, _("%(where)s 缺少名称 name") % {"where": where})
    elif len(name) > 100:
        check.add(node, _("%(where)s 名称超过 100 个字") % {"where": where})
    if len(node.party_organisation) > 100:
        check.add(node, _("%(where)s 党组织名称超过 100 个字") % {"where": where})
    try:
        node.number = _as_int(props.get("number"))
    except ValueError:
        check.add(node, _("%(where)s 序号 number 必须是非负整数") % {"where": where})
    try:
        node.household_count = _as_int(props.get("household_count")) or 0
        if node.household_count > MAX_HOUSEHOLDS:
            raise ValueError
    except ValueError:
        node.household_count = 0
        check.add(
            node,
            _("%(where)s 户数 household_count 必须是不超过 %(max)d 的非负整数")
            % {"where": where, "max": MAX_HOUSEHOLDS},
        )
    _parse_geometry(node, where, check)
    return node


def _parse_geometry(node: _Node, where: str, check: _Checker):
    geom = node.geometry
    if not geom:
        check.add(
            node,
            _("%(where)s（%(code)s）缺少几何 geometry")
            % {"where": where, "code": node.code or "无编码"},
        )
        return
    if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
        check.add(node, _("%(where)s 几何必须是 Polygon 或 MultiPolygon") % {"where": where})
        return
    try:
        shp = to_shape(geom)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        check.add(node, _("%(where)s 几何坐标无法解析：%(err)s") % {"where": where, "err": exc})
        return
    if shp.is_empty:
        check.add(node, _("%(where)s 几何为空") % {"where": where})
        return
    minx, miny, maxx, maxy = shp.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        check.add(
            node, _("%(where)s 坐标超出经纬度范围（应为 WGS84 经度、纬度）") % {"where": where}
        )
        return
    if not shp.is_valid:
        check.add(
            node,
            _("%(where)s 多边形无效（如自相交）：%(reason)s")
            % {"where": where, "reason": shapely.is_valid_reason(shp)},
        )
        return
    node.shape = shp
    # Keep exactly what was given (type + coordinates) so export reproduces the file.
    node.geometry = {"type": geom["type"], "coordinates": geom["coordinates"]}


def _check_codes(node: _Node, parent_code: str | None, check: _Checker):
    """Fill in code or number from the other and check they agree with the parent's code."""
    level = node.level
    digits = LEVEL_DIGITS[GridLevel(level)]
    length = CODE_LENGTH[GridLevel(level)]
    label = GridLevel(level).label
    if node.code:
        if not node.code.isdigit() or len(node.code) != length:
            check.add(
                node,
                _("%(level)s编码“%(code)s”应为 %(n)d 位数字")
                % {"level": label, "code": node.code, "n": length},
            )
            return
        from_code = int(node.code[-digits:])
        if node.number is None:
            node.number = from_code
        if level == GridLevel.STREET:
            if node.county_code and node.county_code != node.code[:6]:
                check.add(
                    node,
                    _("街镇编码“%(code)s”与区县代码“%(county)s”不符")
                    % {"code": node.code, "county": node.county_code},
                )
                return
            node.county_code = node.code[:6]
    elif node.number is None:
        if level == GridLevel.MICRO_GRID:
            return  # numbered by the system, see _auto_number
        check.add(node, _("缺少编码 code 和序号 number，无法确定%(level)s编码") % {"level": label})
        return
    if level != GridLevel.STREET and not parent_code:
        return  # reported as a missing parent
    try:
        expected = derive_code(
            level,
            node.number,
            parent_code,
            county_code=node.county_code,
            street_code=parent_code[:9] if level == GridLevel.COMMUNITY else None,
        )
    except CodeError as exc:
        check.add(node, _("无法生成编码：%(err)s") % {"err": exc})
        return
    if node.code and node.code != expected:
        check.add(
            node,
            _("编码“%(code)s”与上级编码和序号 %(number)d 推导出的“%(expected)s”不一致")
            % {"code": node.code, "number": node.number, "expected": expected},
        )
        return
    node.code = expected


def _metric_shapes(nodes, db_parents):
    """Project every polygon once onto one local metric plane (the file's mean latitude)."""
    shapes = [n.shape for n in nodes if n.shape is not None]
    shapes += [p["shape"] for p in db_parents.values() if p["shape"] is not None]
    if not shapes:
        return
    lat0 = float(np.mean([s.centroid.y for s in shapes]))
    for n in nodes:
        if n.shape is not None:
            n.metric = geo.local_metric(n.shape, lat0)
    for p in db_parents.values():
        if p["shape"] is not None:
            p["metric"] = geo.local_metric(p["shape"], lat0)


def _beyond_tolerance(excess, reference_area, tolerance: Tolerance) -> np.ndarray:
    """Vectorised: excess area above the ratio AND wider than the distance tolerance."""
    excess = np.asarray(excess, dtype=object)
    if len(excess) == 0:
        return np.zeros(0, dtype=bool)
    areas = shapely.area(excess)
    big = areas > tolerance.area_ratio * np.asarray(reference_area, dtype=float)
    result = np.zeros(len(excess), dtype=bool)
    if big.any():
        eroded = shapely.buffer(excess[big], -tolerance.distance_m / 2)
        result[big] = ~shapely.is_empty(eroded)
    return result


def validate(data, tolerance: Tolerance | None = None, replace: bool = False):
    """Parse and check a FeatureCollection. Returns (nodes, problems, plan).

    `plan` holds what saving would do: db parents, existing grids to update and to delete.
    """
    from civicgrid.grids.models import Grid

    tolerance = tolerance or Tolerance()
    check = _Checker(tolerance)
    features, problems = _load(data)
    if features is None:
        return [], problems, None
    nodes = [n for i, f in enumerate(features) if (n := _parse_feature(i, f, check)) is not None]
    valid_level = [n for n in nodes if n.level]

    # Parents: in the file (by the code given there) or already in the database.
    given_codes = {n.code for n in valid_level if n.code}
    wanted = {
        n.parent_code for n in valid_level if n.parent_code and n.parent_code not in given_codes
    }
    db_parents = {}
    for chunk in _chunks(sorted(wanted)):
        for g in Grid.objects.filter(code__in=chunk).only(
            "id", "code", "level", "geometry", "path"
        ):
            db_parents[g.code] = {
                "grid": g,
                "level": g.level,
                "shape": to_shape(g.geometry) if g.geometry else None,
                "metric": None,
            }
    by_given_code = {}
    for n in valid_level:
        if n.code and n.code not in by_given_code:
            by_given_code[n.code] = n

    def parent_level(n):
        if n.parent_code in by_given_code:
            return by_given_code[n.parent_code].level
        if n.parent_code in db_parents:
            return db_parents[n.parent_code]["level"]
        return None

    for n in valid_level:
        expected = PARENT_LEVEL.get(GridLevel(n.level))
        if expected is None:
            if n.parent_code:
                check.add(n, _("街镇是最上级，不能有上级编码 parent_code"))
            _check_codes(n, None, check)
            continue
        if not n.parent_code:
            check.add(
                n, _("%(level)s缺少上级编码 parent_code") % {"level": GridLevel(n.level).label}
            )
            continue
        plevel = parent_level(n)
        if plevel is None:
            check.add(
                n,
                _("上级网格“%(parent)s”既不在文件中也不在系统中") % {"parent": n.parent_code},
            )
            continue
        if plevel != expected:
            check.add(
                n,
                _("层级顺序错误：%(level)s的上级必须是%(expected)s，而“%(parent)s”是%(actual)s")
                % {
                    "level": GridLevel(n.level).label,
                    "expected": GridLevel(expected).label,
                    "parent": n.parent_code,
                    "actual": GridLevel(plevel).label,
                },
            )
            continue
        _check_codes(n, n.parent_code, check)

    _check_duplicates(valid_level, check)
    numbered = _auto_number(valid_level, check)
    db_siblings = _db_siblings(db_parents, valid_level, replace)
    _check_geometry(valid_level, db_parents, by_given_code, check, db_siblings)
    plan = _plan(valid_level, db_parents, replace, check)
    if plan is not None:
        plan["numbered"] = numbered
    # Reading order: file-level problems first, then by feature index (stable within a feature).
    problems = sorted(check.problems, key=lambda p: -1 if p.index is None else p.index)
    return nodes, problems, plan


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _check_duplicates(nodes, check):
    first = {}
    for n in nodes:
        if not n.code:
            continue
        if n.code in first:
            other = first[n.code]
            if n.level == GridLevel.COMMUNITY and other.level == GridLevel.COMMUNITY:
                check.add(
                    n,
                    _(
                        "居村序号 %(number)s 在街镇 %(street)s 内重复（与要素[%(other)d] %(oname)s 相同）"
                    )
                    % {
                        "number": n.number,
                        "street": n.code[:9],
                        "other": other.index,
                        "oname": other.name,
                    },
                )
            else:
                check.add(
                    n,
                    _("编码“%(code)s”重复（要素[%(other)d] %(oname)s 已使用）")
                    % {"code": n.code, "other": other.index, "oname": other.name},
                )
        else:
            first[n.code] = n


def _auto_number(nodes, check) -> int:
    """Number code-less micro-grids west→east, north→south within their community."""
    by_parent = defaultdict(list)
    for n in nodes:
        if n.level == GridLevel.MICRO_GRID and n.parent_code:
            by_parent[n.parent_code].append(n)
    count = 0
    for parent_code, micros in by_parent.items():
        missing = [m for m in micros if not m.code and m.number is None]
        if not missing:
            continue
        if len(missing) != len(micros):
            for m in missing:
                check.add(
                    m,
                    _("居村“%(parent)s”内的微网格须全部带编号或全部不带编号（由系统编排）")
                    % {"parent": parent_code},
                )
            continue
        if any(m.shape is None for m in micros):
            continue  # geometry problems already reported; no order without polygons
        if len(micros) > 999:
            for m in missing:
                check.add(m, _("一个居村最多 999 个微网格（3 位序号）"))
            continue
        order = order_west_east_north_south([m.shape for m in micros])
        for number, i in enumerate(order, start=1):
            m = micros[i]
            m.number = number
            m.code = derive_code(GridLevel.MICRO_GRID, number, parent_code)
            count += 1
    return count


def _db_siblings(db_parents, nodes, replace):
    """Children already in the database under a database parent of the file's nodes: the file's
    new children must not overlap them either. (Under --replace, file nodes replace the rows with
    their own code, so those are left out.)"""
    from civicgrid.grids.models import Grid

    if not db_parents:
        return []
    in_file = {n.code for n in nodes if n.code}
    out = []
    pks = [p["grid"].pk for p in db_parents.values()]
    for chunk in _chunks(pks):
        qs = Grid.objects.filter(parent_id__in=chunk).select_related("parent")
        for g in qs.only("id", "code", "name", "level", "geometry", "parent__code"):
            if g.code in in_file or not g.geometry:
                continue
            out.append(
                _Node(
                    index=None,
                    code=g.code,
                    name=g.name,
                    level=g.level,
                    parent_code=g.parent.code,
                    number=None,
                    county_code="",
                    party_organisation="",
                    household_count=0,
                    geometry=g.geometry,
                    shape=to_shape(g.geometry),
                )
            )
    return out


def _check_geometry(nodes, db_parents, by_given_code, check, db_siblings=()):
    tol = check.tolerance
    _metric_shapes(list(nodes) + list(db_siblings), db_parents)
    usable = [n for n in nodes if n.metric is not None and n.ok]

    # Containment: child minus parent, vectorised over all pairs.
    pairs = []
    for n in usable:
        parent = by_given_code.get(n.parent_code)
        pmetric = (
            parent.metric if parent is not None else db_parents.get(n.parent_code, {}).get("metric")
        )
        if pmetric is not None and PARENT_LEVEL.get(GridLevel(n.level)):
            pairs.append((n, pmetric))
    if pairs:
        children = np.array([n.metric for n, _p in pairs], dtype=object)
        parents = np.array([p for _n, p in pairs], dtype=object)
        outside = shapely.difference(children, parents)
        child_area = shapely.area(children)
        bad = _beyond_tolerance(outside, child_area, tol)
        out_area = shapely.area(outside)
        for k in np.flatnonzero(bad):
            n = pairs[k][0]
            check.add(
                n,
                _("超出上级网格“%(parent)s”范围 %(area).0f 平方米（占本网格 %(pct).1f%%)")
                % {
                    "parent": n.parent_code,
                    "area": out_area[k],
                    "pct": 100 * out_area[k] / child_area[k] if child_area[k] else 0,
                },
            )

    # Sibling overlaps and gaps, one parent at a time; STRtree keeps overlaps O(n log n).
    siblings = defaultdict(list)
    for n in usable:
        siblings[n.parent_code].append(n)
    for n in db_siblings:
        if n.parent_code in siblings:
            siblings[n.parent_code].append(n)
    for parent_code, group in siblings.items():
        if len(group) > 1:
            shapes = np.array([n.metric for n in group], dtype=object)
            tree = shapely.STRtree(shapes)
            left, right = tree.query(shapes, predicate="intersects")
            keep = left < right
            left, right = left[keep], right[keep]
            if len(left):
                inter = shapely.intersection(shapes[left], shapes[right])
                areas = shapely.area(shapes)
                smaller = np.minimum(areas[left], areas[right])
                bad = _beyond_tolerance(inter, smaller, tol)
                inter_area = shapely.area(inter)
                for k in np.flatnonzero(bad):
                    a, b = group[left[k]], group[right[k]]
                    if b.index is None:
                        a, b = b, a
                    if b.index is None:
                        continue  # two existing grids: not this file's problem
                    where = (
                        _("系统中已有网格")
                        if a.index is None
                        else _("要素[%(i)d]") % {"i": a.index}
                    )
                    check.add(
                        b,
                        _("与同级网格 %(where)s %(oname)s(%(ocode)s）重叠 %(area).0f 平方米")
                        % {
                            "where": where,
                            "oname": a.name,
                            "ocode": a.code,
                            "area": inter_area[k],
                        },
                    )
        parent = by_given_code.get(parent_code)
        if parent is None or parent.metric is None:
            continue
        covered = shapely.union_all([n.metric for n in group])
        gap = parent.metric.difference(covered)
        if _beyond_tolerance([gap], [parent.metric.area], tol)[0]:
            check.add(
                parent,
                _("下级网格未完全覆盖本网格：空隙 %(area).0f 平方米（占 %(pct).1f%%)")
                % {"area": gap.area, "pct": 100 * gap.area / parent.metric.area},
                severity=WARNING,
            )


def _plan(nodes, db_parents, replace, check):
    """Match the file against the database. Returns None when earlier errors block saving."""
    from civicgrid.grids.models import Grid

    codes = [n.code for n in nodes if n.code]
    existing = {}
    for chunk in _chunks(codes):
        for g in Grid.objects.filter(code__in=chunk):
            existing[g.code] = g
    plan = {"db_parents": {k: v["grid"] for k, v in db_parents.items()}, "existing": existing}
    plan["delete"] = []
    if not replace:
        for n in nodes:
            if n.code in existing:
                check.add(
                    n,
                    _("编码“%(code)s”已存在于系统中（如需更新请使用替换模式）") % {"code": n.code},
                )
        return plan
    # Replace: the subtrees rooted at the file's top nodes are what the file describes.
    in_file = set(codes)
    tops = [n for n in nodes if n.code and (not n.parent_code or n.parent_code not in in_file)]
    paths = sorted({existing[n.code].path for n in tops if n.code in existing})
    stale = []
    if paths:
        from django.db.models import Q

        condition = Q(pk__in=[])
        for p in paths:
            condition |= Q(path__startswith=p)
        stale = list(Grid.objects.filter(condition).only("id", "code", "name", "path", "level"))
        stale = [g for g in stale if g.code not in in_file]
    blocked = references(stale)
    for g in stale:
        if g.pk in blocked:
            check.add(
                None,
                _("替换后将删除网格“%(name)s”(%(code)s），但它仍被%(refs)s引用，不能删除")
                % {"name": g.name, "code": g.code, "refs": "、".join(blocked[g.pk])},
                code=g.code,
                name=g.name,
            )
    plan["delete"] = stale
    return plan


def import_feature_collection(
    data, *, replace: bool = False, dry_run: bool = False, tolerance: Tolerance | None = None
) -> ImportReport:
    """Validate, and if nothing is fatal (and not a dry run) save the whole tree atomically."""
    nodes, problems, plan = validate(data, tolerance=tolerance, replace=replace)
    report = ImportReport(problems=problems, feature_count=len(nodes), dry_run=dry_run)
    if plan is None:
        return report
    report.numbered = plan["numbered"]
    existing = plan["existing"]
    report.created = sum(1 for n in nodes if n.code not in existing)
    report.updated = sum(1 for n in nodes if n.code in existing)
    report.deleted = len(plan["delete"])
    if report.fatal or dry_run:
        return report
    _save(nodes, plan)
    report.saved = True
    return report


def _save(nodes, plan):
    from civicgrid.grids.models import Grid
    from civicgrid.grids.signals import bump_tree_revision

    existing = plan["existing"]
    by_code = dict(plan["db_parents"])
    with transaction.atomic():
        # Delete stale nodes deepest first (parent is PROTECT).
        stale = sorted(plan["delete"], key=lambda g: -g.path.count("/"))
        for depth_group in _group_by_depth(stale):
            Grid.objects.filter(pk__in=[g.pk for g in depth_group]).delete()
        by_code.update(existing)
        now = timezone.now()
        ordered = sorted(nodes, key=lambda n: LEVEL_DEPTH[n.level])
        for level in LEVEL_ORDER:
            to_create, to_update = [], []
            for n in ordered:
                if n.level != level:
                    continue
                grid = existing.get(n.code) or Grid()
                before = [getattr(grid, f) for f in UPDATE_FIELDS] if grid.pk else None
                grid.name = n.name
                grid.level = n.level
                grid.number = n.number
                grid.county_code = n.county_code if n.level == GridLevel.STREET else ""
                grid.parent = by_code.get(n.parent_code) if n.parent_code else None
                grid.geometry = n.geometry
                grid.household_count = n.household_count
                grid.party_organisation = n.party_organisation
                # A kind the file leaves out: the default on create (refresh_derived_fields),
                # what the grid has on update; micro-grids and 楼组 take their 居村's.
                if n.area_kind is not None:
                    grid.area_kind = n.area_kind
                if n.community_kind is not None:
                    grid.community_kind = n.community_kind
                grid.refresh_derived_fields()
                by_code[grid.code] = grid
                if not grid.pk:
                    to_create.append(grid)
                elif before != [getattr(grid, f) for f in UPDATE_FIELDS]:
                    # Only rows that really change: a re-import of an unchanged tree is cheap.
                    grid.updated_at = now  # bulk_update skips auto_now
                    to_update.append(grid)
            if to_create:
                Grid.objects.bulk_create(to_create, batch_size=BULK_BATCH)
            if to_update:
                Grid.objects.bulk_update(
                    to_update, [*UPDATE_FIELDS, "updated_at"], batch_size=BULK_BATCH
                )
        # bulk_create/bulk_update send no signals: tell the locators once.
        bump_tree_revision()


def _group_by_depth(grids):
    groups = defaultdict(list)
    for g in grids:
        groups[g.path.count("/")].append(g)
    for depth in sorted(groups, reverse=True):
        yield groups[depth]


def problems_table(problems) -> str:
    """Plain-text table for the management command."""
    lines = []
    for p in problems:
        index = "-" if p.index is None else str(p.index)
        lines.append(
            f"{SEVERITY_LABELS[p.severity]}\t要素[{index}]\t{p.code or '-'}\t{p.name or '-'}\t{p.message}"
        )
    return "\n".join(lines)


__all__ = [
    "ERROR",
    "WARNING",
    "ImportReport",
    "Problem",
    "Tolerance",
    "import_feature_collection",
    "validate",
]
