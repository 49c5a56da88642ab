"""API and pages of the rental houses' 三色码: scoping (居委, grid staff, the fire office,
others refused), masking, the QR round trip (label → scan URL → anonymous page without personal
data; a signed-in inspector lands on the form), the tenant's report under the intake limit, bad
input refused with nothing saved, flat query counts, the labels sheet and the dashboard tile."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case
from civicgrid.firesafety import services
from civicgrid.firesafety.models import Inspection, RentalHouse

pytestmark = pytest.mark.django_db


def _addresses(answer):
    return sorted(row["address"] for row in answer.json()["results"])


def test_house_list_is_scoped_and_masked(fire, users, api):
    house0, house1, house2, house3 = fire["houses"]
    staff = api(users["staff"]).get("/api/fire/houses/")
    assert staff.status_code == 200 and staff.json()["count"] == 3
    assert api(users["staff2"]).get("/api/fire/houses/").json()["count"] == 1
    worker = api(users["worker"]).get("/api/fire/houses/").json()
    assert {row["id"] for row in worker["results"]} == {house0.pk, house2.pk}
    assert api(fire["firefighter"]).get("/api/fire/houses/").json()["count"] == 4
    assert api(users["operator"]).get("/api/fire/houses/").json()["count"] == 4
    # Another department, a resident, a visitor: refused.
    assert api(users["handler"]).get("/api/fire/houses/").status_code == 403
    assert api(users["resident"]).get("/api/fire/report/").status_code == 403
    assert api().get("/api/fire/houses/").status_code in (401, 403)
    detail = api(users["staff"]).get(f"/api/fire/houses/{house0.pk}/").json()
    assert detail["landlord"]["phone"] == "139****5670" and detail["occupants"] == 3
    assert "13912345670" not in str(detail)
    assert api(users["staff2"]).get(f"/api/fire/houses/{house0.pk}/").status_code == 404
    # The same FilterSet: colour and village; a 居村 out of scope is not accepted.
    answer = api(users["operator"]).get(
        "/api/fire/houses/", {"community": house3.community_id, "colour": "unrated"}
    )
    assert [r["id"] for r in answer.json()["results"]] == [house3.pk]
    answer = api(users["staff"]).get("/api/fire/houses/", {"community": house3.community_id})
    assert answer.status_code == 400


def test_inspection_through_the_api(fire, items, users, api):
    house = fire["houses"][0]
    body = {
        "house": house.pk,
        "hazards": [{"item": items["steel-panel-living"].pk, "note": "后院彩钢板房住了四人"}],
        "landlord_acknowledged": True,
        "acknowledged_by": "沈建国",
    }
    answer = api(users["worker"]).post("/api/fire/inspections/", body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["colour"] == "red" and answer.json()["findings"][0]["severity"] == "major"
    house.refresh_from_db()
    assert house.case is not None
    # Out of scope: a 400 on the house; an unknown item: a 400 on hazards; nothing saved.
    answer = api(users["staff2"]).post("/api/fire/inspections/", body, format="json")
    assert answer.status_code == 400 and "管辖范围" in answer.json()["house"][0]
    bad = {**body, "hazards": [{"item": 999999}]}
    answer = api(users["worker"]).post("/api/fire/inspections/", bad, format="json")
    assert answer.status_code == 400 and "不存在或已停用" in answer.json()["hazards"][0]
    assert (
        api(users["leader"]).post("/api/fire/inspections/", body, format="json").status_code == 403
    )
    assert Inspection.objects.count() == 1
    listed = api(users["staff"]).get("/api/fire/inspections/", {"house": house.pk}).json()
    assert listed["count"] == 1
    assert api(users["staff2"]).get("/api/fire/inspections/").json()["count"] == 0


def test_particulars_through_the_api_refuse_bad_input(fire, users, api):
    house = fire["houses"][0]
    url = f"/api/fire/houses/{house.pk}/particulars/"
    answer = api(users["staff"]).post(url, {"floors": 0, "structure": "steel_panel"}, format="json")
    assert answer.status_code == 400 and "层数须在1到30之间" in answer.json()["floors"][0]
    house.refresh_from_db()
    assert house.structure == ""
    answer = api(users["staff"]).post(url, {"floors": 3, "structure": "steel_panel"}, format="json")
    assert answer.status_code == 200 and answer.json()["floors"] == 3


def test_house_list_queries_are_flat(fire, users, api, items):
    client = api(users["operator"])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/fire/houses/").status_code == 200
    from civicgrid.registry.choices import DwellingUse, Tenure
    from civicgrid.testing.people import add_residents

    groups = RentalHouse.objects.first().micro_grid.children.all()
    for n in range(6):
        add_residents(
            groups[0], 2, start=200 + n * 5, tenure=Tenure.SELF_BUILT, use=DwellingUse.GROUP_RENTED
        )
    services.do_code_houses(None)
    for house in RentalHouse.objects.all()[:5]:
        services.do_inspect(None, house, hazards=["no-smoke-alarm"], landlord_acknowledged=False)
    with CaptureQueriesContext(connection) as many:
        answer = client.get("/api/fire/houses/")
    assert answer.json()["count"] == 10
    assert len(many) == len(few)


def test_battle_map_page_queries_are_flat(fire, users, client_for, django_assert_max_num_queries):
    client = client_for(users["operator"])
    client.get("/fire/")  # warms the shared cache (badge, calendar revision), as on a running node
    with CaptureQueriesContext(connection) as few:
        assert client.get("/fire/").status_code == 200
    for house in fire["houses"]:
        services.do_inspect(None, house, hazards=["ebike-indoors"], landlord_acknowledged=False)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/fire/")
    assert len(many) == len(few)
    text = page.content.decode()
    assert 'id="fire-map"' in text and "一户一码覆盖率" in text and "100%" in text
    filtered = client.get("/fire/", {"colour": "red", "overdue": "false"})
    assert filtered.status_code == 200 and "出租屋（4 户）" in filtered.content.decode()
    assert client_for(users["handler"]).get("/fire/").status_code == 403
    assert client_for(fire["firefighter"]).get("/fire/").status_code == 200


def test_qr_round_trip_without_personal_data(fire, users, client, client_for):
    house = fire["houses"][0]
    services.do_inspect(
        users["staff"],
        house,
        hazards={"ebike-indoors": "楼道充电", "no-extinguisher": ""},
        landlord_acknowledged=True,
        acknowledged_by="沈建国",
    )
    sheet = client_for(users["staff"]).get(f"/fire/labels/{house.community_id}/")
    assert sheet.status_code == 200
    html = sheet.content.decode()
    assert html.count('class="label"') == 3 and html.count("<svg") == 3
    # The label's code holds the token URL, never the primary key.
    url = f"http://testserver/fire/c/{house.token}/"
    assert services.public_address(house) in html
    import segno

    assert segno.make(url, error="m").svg_inline(scale=4, border=2) in html
    assert not re.search(rf"/fire/c/{house.pk}/", html)
    client.logout()
    public = client.get(f"/fire/c/{house.token}/")
    assert public.status_code == 200
    page = public.content.decode()
    assert "红码" in page and "第1居委 新苗村十二组" in page and "电动车室内停放充电" in page
    assert "201" not in services.public_address(house)
    assert timezone_date(house) in page
    for secret in (
        "沈建国",
        "13912345670",
        "139****5670",
        "居民",
        house.household.address.normalized,
    ):
        assert secret not in page
    # A signed-in inspector of the house lands on the form; one out of scope sees the public page.
    inspector = client_for(users["worker"]).get(f"/fire/c/{house.token}/")
    assert inspector.status_code == 302 and inspector["Location"] == f"/fire/m/inspect/{house.pk}/"
    other = client_for(users["staff2"]).get(f"/fire/c/{house.token}/")
    assert other.status_code == 200 and "反映消防隐患" in other.content.decode()
    assert client.get("/fire/c/not-a-real-token/").status_code == 404
    assert client.get(f"/fire/c/{house.pk}/").status_code == 404


def timezone_date(house):
    from django.utils import timezone

    house.refresh_from_db()
    return timezone.localtime(house.last_inspected_at).strftime("%Y-%m-%d")


def test_a_tenant_reports_a_hazard_from_the_code(fire, client, settings):
    cache.clear()
    settings.CIVICGRID_INTAKE_LIMIT = (3, 600)  # every attempt counts, the empty one too
    house = fire["houses"][1]
    url = f"/fire/c/{house.token}/report/"
    empty = client.post(url, {"description": ""})
    assert empty.status_code == 400
    assert not Case.objects.exists()
    answer = client.post(url, {"description": "一楼楼道有人给电动车充电", "reporter_phone": ""})
    assert answer.status_code == 302 and "/resident/" in answer["Location"]
    case = Case.objects.get()
    assert case.category == fire["category"] and case.source == CaseSource.RESIDENT
    assert case.micro_grid_id == house.micro_grid_id and "电动车充电" in case.description
    client.post(url, {"description": "又有人充电"})
    refused = client.post(url, {"description": "第三次"})
    assert refused.status_code == 400 and "提交过于频繁" in refused.content.decode()
    assert Case.objects.count() == 2


def test_phone_form_refuses_bad_input_and_shows_the_result(fire, items, users, client_for):
    house = fire["houses"][0]
    client = client_for(users["worker"])
    form = client.get(f"/fire/m/inspect/{house.pk}/")
    assert form.status_code == 200 and "139****5670" in form.content.decode()
    bad = client.post(
        f"/fire/m/inspect/{house.pk}/",
        {f"item_{items['blocked-exit'].pk}": "on", "landlord_acknowledged": "yes", "floors": "2"},
    )
    assert bad.status_code == 400 and "请填写确认人姓名" in bad.content.decode()
    assert not Inspection.objects.exists()
    house.refresh_from_db()
    assert house.floors is None
    good = client.post(
        f"/fire/m/inspect/{house.pk}/",
        {
            f"item_{items['blocked-exit'].pk}": "on",
            f"note_{items['blocked-exit'].pk}": "防盗窗全封闭",
            "landlord_acknowledged": "yes",
            "acknowledged_by": "沈建国",
            "floors": "2",
            "area_m2": "120",
            "structure": "brick_concrete",
        },
    )
    inspection = Inspection.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/fire/inspections/{inspection.pk}/"
    result = client.get(good["Location"]).content.decode()
    assert "红码" in result and inspection.house.case.number in result
    assert 'id="inspect-next"' in result
    # A leader reads the result but is offered no inspection form (it would refuse them).
    read = client_for(users["leader"]).get(good["Location"])
    assert read.status_code == 200 and 'id="inspect-next"' not in read.content.decode()
    house.refresh_from_db()
    assert house.floors == 2 and house.structure == "brick_concrete"
    assert client_for(users["worker2"]).get(f"/fire/m/inspect/{house.pk}/").status_code == 404
    assert client_for(users["leader"]).get(f"/fire/m/inspect/{house.pk}/").status_code == 403


def test_house_page_shows_history_and_masks_the_landlord(fire, users, client_for):
    house = fire["houses"][0]
    services.do_inspect(None, house, hazards=["blocked-exit"], landlord_acknowledged=False)
    page = client_for(users["staff"]).get(f"/fire/{house.pk}/").content.decode()
    assert "139****5670" in page and "13912345670" not in page
    assert "三色码变更记录" in page and "重大 1 · 一般 0" in page
    assert client_for(users["staff2"]).get(f"/fire/{house.pk}/").status_code == 404


def test_the_tile_on_the_dashboard(fire, users, client_for, clock, django_assert_num_queries):
    services.do_inspect(
        None, fire["houses"][0], hazards=["blocked-exit"], landlord_acknowledged=False
    )
    services.do_inspect(None, fire["houses"][1], hazards=[], landlord_acknowledged=False)
    clock.advance(days=10)
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    tile = page[page.index('id="fire-tile"') :]
    tile = tile[: tile.index("</section>")]
    assert "100%" in tile and "（4/4）" in tile
    assert "绿码 1 · 黄码 0 · 红码 1" in tile and "红码逾期未整改 1 户" in tile
    with django_assert_num_queries(2):
        tile_data = services.dashboard_tile(None, None, None, clock_now())
    assert tile_data["coded"] == 4 and tile_data["unrated"] == 2
    micro = [fire["houses"][3].micro_grid_id]
    assert services.dashboard_tile(micro, None, None, clock_now())["coverage"]["coded"] == 1


def clock_now():
    from django.utils import timezone

    return timezone.now()


def test_export_has_the_page_s_scope_and_filters(fire, users, client_for):
    import io

    from openpyxl import load_workbook

    services.do_inspect(
        None, fire["houses"][0], hazards=["blocked-exit"], landlord_acknowledged=False
    )

    def rows(user, **params):
        answer = client_for(user).get("/fire/export.xlsx", params)
        assert answer.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
        return [r for r in sheet.iter_rows(min_row=2, values_only=True)]

    assert len(rows(users["staff"])) == 3
    assert len(rows(users["staff2"])) == 1
    red = rows(users["operator"], colour="red")
    assert len(red) == 1 and red[0][2] == "红码"
    assert "沈建国" not in str(rows(users["operator"]))
    assert client_for(users["handler"]).get("/fire/export.xlsx").status_code == 403


def test_photos_are_cleaned_stored_and_scoped(fire, users, client_for):
    from civicgrid.firesafety.models import InspectionPhoto
    from civicgrid.testing.images import jpeg_with_gps, photo, upload

    house = fire["houses"][0]
    client = client_for(users["worker"])
    answer = client.post(
        f"/fire/m/inspect/{house.pk}/",
        {"landlord_acknowledged": "no", "photos": [photo(jpeg_with_gps())]},
    )
    assert answer.status_code == 302
    stored = InspectionPhoto.objects.get()
    assert stored.content_type == "image/jpeg"
    body = b"".join(client.get(f"/fire/photos/{stored.pk}/").streaming_content)
    assert b"GPS" not in body  # re-encoded without its metadata
    # Not an image: refused with the photo's name, nothing saved.
    bad = client.post(
        f"/fire/m/inspect/{house.pk}/",
        {"landlord_acknowledged": "no", "photos": [upload(b"not an image", name="x.jpg")]},
    )
    assert bad.status_code == 400 and "x.jpg" in bad.content.decode()
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 1
    # Someone who may not see the house may not see its photos (the same client, signed in again).
    assert client_for(users["staff2"]).get(f"/fire/photos/{stored.pk}/").status_code == 404


def test_the_battle_map_outlines_the_villages_of_the_houses_it_shows(fire, users, client_for, tree):
    first, second = tree["communities"]
    page = client_for(users["operator"]).get("/fire/")
    outlines = page.context["outlines"]["features"]
    assert [f["properties"]["code"] for f in outlines] == [first.code, second.code]
    # Each 居村 says its houses by colour; a click filters the page to it.
    assert (
        outlines[0]["properties"]["label"]
        == f"{first.name}：绿码 0 · 黄码 0 · 红码 0 · 未评定 3 户"
    )
    assert outlines[0]["properties"]["url"] == f"/fire/?community={first.pk}"
    assert outlines[0]["geometry"] == first.geometry
    services.do_inspect(
        None, fire["houses"][3], hazards=["blocked-exit"], landlord_acknowledged=False
    )
    page = client_for(users["operator"]).get(f"/fire/?community={second.pk}")
    (only,) = page.context["outlines"]["features"]
    assert only["properties"]["label"] == f"{second.name}：绿码 0 · 黄码 0 · 红码 1 · 未评定 0 户"
    assert 'id="fire-outlines"' in page.content.decode()
    # A 居委 sees its own 居村 only, on the map as in the list.
    page = client_for(users["staff"]).get("/fire/")
    assert [f["properties"]["code"] for f in page.context["outlines"]["features"]] == [first.code]
