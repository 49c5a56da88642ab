"""Possible duplicates: same category, open, within 100 m and 72 hours; nearest first."""

from civicgrid.cases import services
from civicgrid.cases.duplicates import distance_m, possible_duplicates
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
    assert [c.pk for c, _ in found] == [nearer.pk, near.pk]
    assert 45 < found[1][1] < 55
    assert old.pk not in {c.pk for c, _ in found}

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
