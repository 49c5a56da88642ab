"""Possible duplicates: same category (or 归并组), open, within 72 hours, within 100 m or at the
same standard address or building group; nearest first."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.duplicates import category_group_field, distance_m, possible_duplicates
from civicgrid.cases.models import Category
from civicgrid.testing.world import category

LON, LAT = 121.505, 31.1075


def at(users, cat, lon, lat, description="垃圾"):
    return services.do_report(
        user=users["operator"],
        category=cat,
        description=description,
        lon=lon,
        lat=lat,
        source="supervision",
    ).case


def test_distance_is_metres():
    assert abs(distance_m(LON, LAT, LON, LAT + 0.001) - 111.2) < 0.5


def test_candidates_and_endpoint(api, users, garbage, clock):
    old = at(users, garbage, LON, LAT, "三天多以前")
    clock.advance(hours=80)
    near = at(users, garbage, LON, LAT + 0.00045)  # ≈ 50 m north
    nearer = at(users, garbage, LON + 0.0002, LAT)  # ≈ 19 m east
    at(users, garbage, LON + 0.001575, LAT)  # ≈ 150 m east: too far
    at(users, category("event", "0505"), LON, LAT)  # another category
    refused = at(users, garbage, LON, LAT)
    services.do_refuse_filing(refused, users["chief"], reason="重复")  # not open
    clock.advance(minutes=10)
    case = at(users, garbage, LON, LAT)

    found = possible_duplicates(case)
    assert [(d.case.pk, d.match) for d in found] == [(nearer.pk, "nearby"), (near.pk, "nearby")]
    assert 45 < found[1].distance < 55
    assert old.pk not in {d.case.pk for d in found}

    rows = api(users["operator"]).get(f"/api/cases/{case.number}/duplicates/").data
    assert [r["number"] for r in rows] == [nearer.number, near.number]
    assert rows[0]["distance_m"] < 25
    # Without a location there is nothing to compare.
    assert (
        possible_duplicates(
            services.do_report(user=users["operator"], category=garbage, description="x").case
        )
        == []
    )


# make_tree(): micro-grid 0 spans 121.500–121.510 × 31.105–31.110, its building groups split it
# at 121.505 (group 1 west, group 2 east).
def test_same_building_group_whatever_the_distance(api, users, garbage, clock):
    first = at(users, garbage, 121.504, 31.106, "楼下垃圾堆放")
    clock.advance(hours=2)
    other_group = at(users, garbage, 121.5053, 31.106)  # ≈ 124 m east, the next building group
    clock.advance(hours=2)
    case = at(users, garbage, 121.504, 31.10708, "楼下垃圾堆放")  # ≈ 120 m north, same group

    found = possible_duplicates(case)
    assert [(d.case.pk, d.match) for d in found] == [(first.pk, "building_group")]
    assert 115 < found[0].distance < 125
    assert other_group.pk not in {d.case.pk for d in found}
    rows = api(users["operator"]).get(f"/api/cases/{case.number}/duplicates/").data
    assert [(r["number"], r["match"]) for r in rows] == [(first.number, "building_group")]
    assert 115 < rows[0]["distance_m"] < 125


def test_same_standard_address_without_a_point(api, users, garbage, households):
    # The registry puts 秀沿路1501弄1号301室 in micro-grid 0's first building group.
    in_group = at(users, garbage, 121.5005, 31.1095)
    written_otherwise = services.do_report(
        user=users["operator"],
        category=garbage,
        description="垃圾",
        address="上海市秀沿路一五零一弄1号301室",
        source="supervision",
    ).case
    case = services.do_report(
        user=users["operator"],
        category=garbage,
        description="垃圾",
        address="秀沿路1501弄1号301室",
        source="supervision",
    ).case
    assert case.lon is None
    found = {d.case.pk: (d.match, d.distance) for d in possible_duplicates(case)}
    assert found == {
        written_otherwise.pk: ("address", None),
        in_group.pk: ("building_group", None),
    }
    rows = api(users["operator"]).get(f"/api/cases/{case.number}/duplicates/").data
    assert {r["number"]: r["distance_m"] for r in rows} == {
        written_otherwise.number: None,
        in_group.number: None,
    }
    # An address the registry cannot read and no point: nothing to compare.
    vague = services.do_report(
        user=users["operator"], category=garbage, description="垃圾", address="小区门口"
    ).case
    assert possible_duplicates(vague) == []


@pytest.mark.skipif(category_group_field() is None, reason="Category.group not migrated yet")
def test_grouped_categories_count_as_one(users, clock):
    shop_front = category("community", "0113")  # 跨门营业
    outside = category("event", "0504")  # 店外经营
    Category.objects.filter(pk__in=[shop_front.pk, outside.pk]).update(group="shopfront")
    shop_front.refresh_from_db()
    outside.refresh_from_db()
    first = at(users, outside, LON, LAT, "店外经营")
    clock.advance(hours=1)
    case = at(users, shop_front, LON, LAT + 0.0002, "跨门营业")
    assert [d.case.pk for d in possible_duplicates(case)] == [first.pk]
    # Ungrouped again, they are two kinds of problem.
    Category.objects.filter(pk__in=[shop_front.pk, outside.pk]).update(group="")
    case.category.refresh_from_db()
    assert possible_duplicates(case) == []
