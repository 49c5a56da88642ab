import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command

from civicgrid.grids.choices import LEVEL_ORDER, GridLevel
from civicgrid.grids.geojson_export import export_feature_collection
from civicgrid.grids.geojson_io import ERROR, WARNING, Tolerance, import_feature_collection
from civicgrid.grids.models import Grid, GridTreeRevision
from civicgrid.testing.factories import StaffMemberFactory, make_tree, rect
from civicgrid.testing.geojson import X0, Y0, S, feature, sample_collection

pytestmark = pytest.mark.django_db


def messages(report, severity=ERROR):
    return [p.message for p in report.problems if p.severity == severity]


def test_valid_import_round_trips_through_export():
    data = sample_collection()
    before = GridTreeRevision.objects.filter(pk=1).values_list("revision", flat=True).first() or 0
    report = import_feature_collection(json.dumps(data))
    assert report.problems == []
    assert report.saved and report.created == 12
    assert Grid.objects.count() == 12
    micro = Grid.objects.get(code="310115125002001")
    assert micro.level == GridLevel.MICRO_GRID
    assert micro.parent.code == "310115125002"
    assert micro.path == "/310115125/31011512501/310115125002/310115125002001/"
    assert micro.number == 1 and micro.household_count == 120
    assert micro.area_m2 > 0
    # bulk_create sends no signal: the revision is bumped once by the importer.
    assert GridTreeRevision.objects.get(pk=1).revision == before + 1

    exported = export_feature_collection()
    # Chinese level labels come back as the stored values; everything else is identical.
    expected = copy.deepcopy(data)
    for f in expected["features"]:
        f["properties"]["level"] = {
            "街镇": "street",
            "片区": "area",
            "居村": "community",
            "微网格": "micro_grid",
            "楼组": "building_group",
        }[f["properties"]["level"]]
    by_code = {f["properties"]["code"]: f for f in exported["features"]}
    assert set(by_code) == {f["properties"]["code"] for f in expected["features"]}
    for f in expected["features"]:
        got = by_code[f["properties"]["code"]]
        assert got["geometry"] == f["geometry"]
        for key, value in f["properties"].items():
            assert got["properties"][key] == value, key

    # Export → import into an empty database → export gives exactly the same document.
    text = json.dumps(exported)
    for level in reversed(LEVEL_ORDER):
        Grid.objects.filter(level=level).delete()
    assert Grid.objects.count() == 0
    assert import_feature_collection(text).saved
    assert export_feature_collection() == exported


def test_export_is_parent_first_and_subtree_only():
    tree = make_tree()
    subtree = export_feature_collection(tree["communities"][1])
    codes = [f["properties"]["code"] for f in subtree["features"]]
    assert codes[0] == tree["communities"][1].code
    assert len(codes) == 1 + 2 + 4
    assert all(c.startswith("310115125002") for c in codes)
    full = export_feature_collection()
    seen = set()
    for f in full["features"]:
        parent = f["properties"]["parent_code"]
        assert parent is None or parent in seen
        seen.add(f["properties"]["code"])


def test_every_fatal_problem_is_reported_together_and_nothing_is_saved():
    data = sample_collection()
    f = data["features"]
    f[3]["geometry"] = None  # micro-grid without geometry
    f[5]["geometry"] = {  # bow-tie: self-intersecting building group
        "type": "Polygon",
        "coordinates": [[[X0, Y0], [X0 + S, Y0 + S], [X0 + S, Y0], [X0, Y0 + S], [X0, Y0]]],
    }
    # micro-grid 2 of community 2 sticks far out of its community (east by half a cell)
    f[-2]["geometry"] = rect(X0 + 1.5 * S, Y0, X0 + 2.5 * S, Y0 + S / 2)
    f[-1]["geometry"] = rect(X0 + 1.5 * S, Y0, X0 + 2.5 * S, Y0 + S / 2)
    f += [
        feature("31011512501", "重复片区", "片区", "310115125", rect(X0, Y0, X0 + S, Y0 + S)),
        # code does not match parent + number
        feature(
            "310115125001009",
            "错号网格",
            "微网格",
            "310115125001",
            rect(X0, Y0, X0 + S, Y0 + S / 2),
            number=3,
        ),
        # micro-grid directly under a street
        feature("310115125777", "越级网格", "微网格", "310115125", rect(X0, Y0, X0 + S, Y0 + S)),
        # parent missing
        feature(
            "310115125900001", "孤儿网格", "微网格", "310115125900", rect(X0, Y0, X0 + S, Y0 + S)
        ),
        # a second area lying on the first one (sibling overlap), whose community reuses
        # community number 1 of the street
        feature("31011512502", "第二片区", "片区", "310115125", rect(X0, Y0, X0 + 2 * S, Y0 + S)),
        feature("310115125001", "同号居委", "居村", "31011512502", rect(X0, Y0, X0 + S, Y0 + S)),
        {
            "type": "Feature",
            "geometry": rect(X0, Y0, X0 + S, Y0 + S),
            "properties": {"code": "x", "level": "村"},
        },
        "not a feature",
    ]
    f[2]["properties"]["household_count"] = 10**12
    report = import_feature_collection(json.dumps(data))
    assert report.fatal and not report.saved
    assert Grid.objects.count() == 0
    text = "\n".join(messages(report))
    assert "要素[3]（310115125001001）缺少几何" in text
    assert "自相交" in text and "Self-intersection" in text
    assert "超出上级网格“310115125002”范围" in text
    assert "重叠" in text
    assert "编码“31011512501”重复" in text
    assert "推导出的“310115125001003”不一致" in text
    assert "层级顺序错误：微网格的上级必须是居村" in text
    assert "上级网格“310115125900”既不在文件中也不在系统中" in text
    assert "居村序号 1 在街镇 310115125 内重复" in text
    assert "层级“村”无效" in text
    assert f"要素[{len(f) - 1}] 不是 GeoJSON Feature" in text
    assert "户数 household_count 必须是不超过" in text
    by_index = {p.index for p in report.errors}
    assert {2, 3, 5, 10, len(f) - 2, len(f) - 1} <= by_index
    for p in report.problems:
        assert p.severity in (ERROR, WARNING) and p.message


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("{not json", "JSON 格式错误"),
        (json.dumps({"type": "Feature"}), "不是 GeoJSON FeatureCollection"),
        (json.dumps([1, 2]), "不是 GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "没有任何要素"),
        (b"\xff\xfe\x00", "UTF-8"),
    ],
)
def test_unreadable_files_are_reported_not_raised(payload, expected):
    report = import_feature_collection(payload)
    assert report.fatal and expected in report.errors[0].message
    assert Grid.objects.count() == 0


def test_gaps_are_warnings_only():
    data = sample_collection()
    # The area is larger than its two communities: a strip east of them is covered by nobody.
    data["features"][0]["geometry"] = rect(X0, Y0, X0 + 2.5 * S, Y0 + S)
    data["features"][1]["geometry"] = rect(X0, Y0, X0 + 2.5 * S, Y0 + S)
    report = import_feature_collection(json.dumps(data))
    assert not report.fatal and report.saved
    warnings = [p for p in report.problems if p.severity == WARNING]
    assert [p.code for p in warnings] == ["31011512501"]
    assert "空隙" in warnings[0].message and "20.0%" in warnings[0].message
    assert Grid.objects.count() == 12


def test_tolerance_forgives_slivers_and_is_a_parameter():
    data = sample_collection()
    # Community 1's first micro-grid pokes 0.4 % of its area (a 2 m strip) out of the community to the north.
    micro = data["features"][3]
    micro["geometry"] = rect(X0, Y0 + S / 2, X0 + S, Y0 + S + 0.00002)
    data["features"][4]["geometry"] = micro["geometry"]
    assert not import_feature_collection(json.dumps(data), dry_run=True).fatal
    strict = import_feature_collection(
        json.dumps(data), dry_run=True, tolerance=Tolerance(distance_m=0.1, area_ratio=0.0001)
    )
    assert any("超出上级网格" in m for m in messages(strict))


def test_dry_run_saves_nothing():
    report = import_feature_collection(json.dumps(sample_collection()), dry_run=True)
    assert not report.fatal and not report.saved and report.created == 12
    assert Grid.objects.count() == 0


def test_existing_codes_need_replace():
    import_feature_collection(json.dumps(sample_collection()))
    report = import_feature_collection(json.dumps(sample_collection()))
    assert report.fatal
    assert "已存在于系统中" in messages(report)[0]
    assert len(report.errors) == 12


def test_replace_updates_creates_and_deletes_but_keeps_referenced_grids():
    import_feature_collection(json.dumps(sample_collection()))
    micro = Grid.objects.get(code="310115125001001")
    data = sample_collection()
    data["features"][3]["properties"]["name"] = "改名网格"
    # drop community 2's second micro-grid and its building group; add a building group
    data["features"] = [
        f for f in data["features"] if not f["properties"]["code"].startswith("310115125002002")
    ]
    data["features"].append(
        feature(
            "310115125001001002",
            "2楼组",
            "楼组",
            "310115125001001",
            rect(X0, Y0 + S / 2, X0 + S / 2, Y0 + S),
        )
    )
    data["features"][4]["geometry"] = rect(X0 + S / 2, Y0 + S / 2, X0 + S, Y0 + S)
    report = import_feature_collection(json.dumps(data), replace=True)
    assert report.saved, report.problems
    assert (report.created, report.updated, report.deleted) == (1, 10, 2)
    micro.refresh_from_db()
    assert micro.name == "改名网格"  # same row, so posts and addresses stay attached
    assert not Grid.objects.filter(code__startswith="310115125002002").exists()

    # A grid still holding a post cannot be deleted by a replace: error, nothing changes.
    staff = StaffMemberFactory()
    kept = Grid.objects.get(code="310115125002001")
    from civicgrid.grids.models import GridPost

    GridPost.objects.create(staff=staff, micro_grid=kept, role="full_time", start_date="2024-01-01")
    data["features"] = [
        f for f in data["features"] if not f["properties"]["code"].startswith("310115125002001")
    ]
    data["features"][3]["properties"]["name"] = "不应保存"
    report = import_feature_collection(json.dumps(data), replace=True)
    assert report.fatal and not report.saved
    assert any("仍被网格岗位 1 条引用" in m for m in messages(report))
    assert Grid.objects.filter(code="310115125002001").exists()
    micro.refresh_from_db()
    assert micro.name == "改名网格"


def test_import_under_an_existing_parent_checks_existing_siblings():
    tree = make_tree(communities=1, micro_per_community=2, groups_per_micro=1)
    community = tree["communities"][0]
    south = tree["micro_grids"][1]
    geometry = south.geometry
    Grid.objects.filter(parent=south).delete()
    south.delete()
    new = feature(None, "新网格", "微网格", community.code, geometry, number=2)
    data = {"type": "FeatureCollection", "features": [new]}
    report = import_feature_collection(json.dumps(data))
    assert report.saved, report.problems
    created = Grid.objects.get(code=community.code + "002")
    assert created.parent == community and created.name == "新网格"

    # A third micro-grid lying on the existing northern one overlaps an existing sibling.
    over = feature(
        None, "重叠网格", "微网格", community.code, tree["micro_grids"][0].geometry, number=3
    )
    report = import_feature_collection(
        json.dumps({"type": "FeatureCollection", "features": [over]})
    )
    assert report.fatal
    assert "与同级网格 系统中已有网格" in messages(report)[0]
    assert not Grid.objects.filter(code=community.code + "003").exists()


def test_unnumbered_micro_grids_are_numbered_west_east_north_south():
    data = sample_collection()
    features = [f for f in data["features"] if f["properties"]["level"] not in ("微网格", "楼组")]
    # Four micro-grids in a 2×2 block of community 1, listed in a scrambled order, no codes.
    cx = X0
    cells = {
        "SE": rect(cx + S / 2, Y0, cx + S, Y0 + S / 2),
        "NW": rect(cx, Y0 + S / 2, cx + S / 2, Y0 + S),
        "SW": rect(cx, Y0, cx + S / 2, Y0 + S / 2),
        "NE": rect(cx + S / 2, Y0 + S / 2, cx + S, Y0 + S),
    }
    for name, geom in cells.items():
        features.append(feature(None, name, "micro_grid", "310115125001", geom))
    features.append(
        feature(None, "C2", "micro_grid", "310115125002", rect(X0 + S, Y0, X0 + 2 * S, Y0 + S))
    )
    report = import_feature_collection(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    assert report.saved, report.problems
    assert report.numbered == 5
    got = dict(Grid.objects.filter(level="micro_grid").values_list("name", "code"))
    assert got == {
        "NW": "310115125001001",
        "NE": "310115125001002",
        "SW": "310115125001003",
        "SE": "310115125001004",
        "C2": "310115125002001",
    }


def test_mixed_numbered_and_unnumbered_micro_grids_are_refused():
    data = sample_collection()
    data["features"][3]["properties"]["code"] = None
    report = import_feature_collection(json.dumps(data))
    assert report.fatal
    assert any("全部带编号或全部不带编号" in m for m in messages(report))


def test_large_tree_imports_in_few_queries(django_assert_max_num_queries):
    # 1 street, 1 area, 4 communities × 25 micro-grids × 4 building groups = 506 nodes.
    features = [
        feature(
            "310115125",
            "街道",
            "street",
            None,
            rect(X0, Y0, X0 + 4 * S, Y0 + S),
            county_code="310115",
        ),
        feature("31011512501", "片区", "area", "310115125", rect(X0, Y0, X0 + 4 * S, Y0 + S)),
    ]
    step = S / 5
    for c in range(4):
        ccode = f"310115125{c + 1:03d}"
        features.append(
            feature(
                ccode,
                f"居{c}",
                "community",
                "31011512501",
                rect(X0 + c * S, Y0, X0 + (c + 1) * S, Y0 + S),
            )
        )
        for m in range(25):
            r, k = divmod(m, 5)
            x, y = X0 + c * S + k * step, Y0 + S - (r + 1) * step
            mcode = f"{ccode}{m + 1:03d}"
            features.append(
                feature(mcode, f"网格{m}", "micro_grid", ccode, rect(x, y, x + step, y + step))
            )
            for g in range(4):
                gx = x + g * step / 4
                features.append(
                    feature(
                        f"{mcode}{g + 1:03d}",
                        f"楼组{g}",
                        "building_group",
                        mcode,
                        rect(gx, y, gx + step / 4, y + step),
                    )
                )
    payload = json.dumps({"type": "FeatureCollection", "features": features})
    with django_assert_max_num_queries(20):
        report = import_feature_collection(payload)
    assert report.saved and report.problems == []
    assert Grid.objects.count() == 506


def test_management_commands(tmp_path):
    path = tmp_path / "tree.geojson"
    path.write_text(json.dumps(sample_collection()), encoding="utf-8")
    out = io.StringIO()
    call_command("import_grids", str(path), "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and Grid.objects.count() == 0
    call_command("import_grids", str(path), stdout=io.StringIO())
    assert Grid.objects.count() == 12
    target = tmp_path / "out.geojson"
    call_command("export_grids", "--root", "310115125002", "-o", str(target), stdout=io.StringIO())
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert len(exported["features"]) == 5
    with pytest.raises(CommandError) as err:
        call_command("import_grids", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "已存在" in str(err.value) or "错误" in str(err.value)
    with pytest.raises(CommandError):
        call_command("export_grids", "--root", "999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="无法写入文件"):
        call_command("export_grids", "-o", str(tmp_path / "no-such-dir" / "out.geojson"))


def test_area_and_community_kinds_go_both_ways():
    """片区 kind and 居村 kind are exported and imported (values or Chinese labels); the
    micro-grids and 楼组 of a village become 队组-level village grids; a re-import without the
    kinds keeps them; a bad or misplaced kind is an error and nothing is saved."""
    data = sample_collection()
    by_code = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    by_code["31011512501"]["area_kind"] = "派出所片区"
    by_code["310115125002"]["community_kind"] = "村委会"
    report = import_feature_collection(json.dumps(data))
    assert report.saved, report.problems
    area = Grid.objects.get(code="31011512501")
    village = Grid.objects.get(code="310115125002")
    assert (area.area_kind, area.level_label) == ("police", "派出所片区")
    assert (village.community_kind, village.level_label) == ("village", "村委会")
    assert Grid.objects.get(code="310115125001").community_kind == "residents"
    group = Grid.objects.get(code="310115125002001001")
    assert group.community_kind == "village" and group.level_label == "队组"

    exported = export_feature_collection()
    props = {f["properties"]["code"]: f["properties"] for f in exported["features"]}
    assert props["31011512501"]["area_kind"] == "police"
    assert props["310115125002"]["community_kind"] == "village"
    assert props["310115125001"]["community_kind"] == "residents"
    assert "community_kind" not in props["310115125002001"]  # follows its 居村

    # Into an empty database and back: the same document, kinds included.
    for level in reversed(LEVEL_ORDER):
        Grid.objects.filter(level=level).delete()
    assert import_feature_collection(json.dumps(exported)).saved
    assert export_feature_collection() == exported

    # A replace without the kinds keeps them.
    for f in exported["features"]:
        f["properties"].pop("area_kind", None)
        f["properties"].pop("community_kind", None)
    assert import_feature_collection(json.dumps(exported), replace=True).saved
    assert Grid.objects.get(code="310115125002").community_kind == "village"
    assert Grid.objects.get(code="31011512501").area_kind == "police"


def test_bad_kinds_are_refused_with_nothing_saved():
    data = sample_collection()
    by_code = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    by_code["31011512501"]["area_kind"] = "街道办"
    by_code["310115125001001"]["community_kind"] = "village"
    report = import_feature_collection(json.dumps(data))
    assert not report.saved and Grid.objects.count() == 0
    errors = messages(report)
    assert any("area_kind“街道办”无效，应为 镇管社区/派出所片区" in m for m in errors), errors
    assert any("只有居村填写 community_kind" in m for m in errors), errors
