"""The 垃圾分类 pages: the desk's report, points map, roster, weighings (a negative weight shown
back with its message, nothing saved), the half-year report and its Excel; the guide's and the
inspector's phone pages; the dashboard tile in a fixed number of queries."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from civicgrid.sorting import services
from civicgrid.sorting.models import GuideShift, Inspection, InspectionPhoto, Weighing
from civicgrid.sorting.tests.conftest import photo

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)


def test_the_desk_pages_open_for_the_desk_and_not_for_a_resident(world, users, client_for, clock):
    client = client_for(users["staff"])
    for name in ("", "points/", "shifts/", "weighings/", "inspections/", "half-year/"):
        assert client.get(f"/sorting/{name}").status_code == 200, name
    page = client.get(f"/sorting/points/{world['point'].pk}/").content.decode()
    assert "07:00–09:00、18:00–20:00" in page
    assert client_for(users["resident"]).get("/sorting/").status_code == 403
    assert (
        client_for(users["staff2"]).get(f"/sorting/points/{world['point'].pk}/").status_code == 404
    )


def test_a_negative_weight_is_shown_back_with_its_message(world, users, client_for, clock):
    client = client_for(users["staff"])
    body = {
        "estate": world["east"].pk,
        "day": "2026-11-23",
        "category": "dry",
        "kg": "-5",
        "hauler": "浦东环卫",
    }
    answer = client.post("/sorting/weighings/", body)
    assert answer.status_code == 400
    assert "重量须大于 0 公斤" in answer.content.decode()
    assert Weighing.objects.count() == 0
    answer = client.post("/sorting/weighings/", {**body, "kg": "812.4"}, follow=True)
    assert "称重记录已登记" in answer.content.decode() and Weighing.objects.count() == 1


def test_windows_are_edited_on_the_point_page(world, users, client_for):
    client = client_for(users["staff"])
    url = f"/sorting/points/{world['point'].pk}/"
    refused = client.post(url, {"windows": "07:00-09:00\n08:00-10:00"})
    assert "投放时段不能重叠" in refused.content.decode()
    client.post(url, {"windows": "06:30-08:30\n18:00-20:00"})
    assert [str(w) for w in world["point"].windows.all()] == ["06:30–08:30", "18:00–20:00"]


def test_the_guide_checks_in_and_out_on_the_phone(world, users, client_for, clock):
    shift = min(
        services.do_plan_shifts(world["point"], None, first=MON, last=MON, guide=world["guide"]),
        key=lambda s: s.start,
    )
    clock.set(2026, 11, 23, 7, 0)
    client = client_for(users["resident"])
    page = client.get("/sorting/m/guide/").content.decode()
    assert "康乐苑1号箱房" in page and "到岗签到" in page
    client.post(f"/sorting/m/guide/{shift.pk}/check-in/")
    refused = client.post(
        f"/sorting/m/guide/{shift.pk}/check-out/", {f"s{shift.pk}-households_guided": "-2"}
    )
    assert refused.status_code == 400
    client.post(
        f"/sorting/m/guide/{shift.pk}/check-out/",
        {f"s{shift.pk}-households_guided": "41", f"s{shift.pk}-wrong_drops": "3"},
    )
    shift = GuideShift.objects.get(pk=shift.pk)
    assert (shift.state, shift.households_guided) == ("done", 41)
    # Another resident has no shifts and cannot act on this one.
    other = client_for(users["resident2"])
    assert "您还不是点位指导员" in other.get("/sorting/m/guide/").content.decode()


def test_the_inspector_scores_with_a_photo_and_a_fail_opens_a_case(
    world, users, client_for, clock, media_files
):
    client = client_for(users["staff"])
    template = services.active_template()
    data = {f"item_{i.pk}": i.max_points for i in template.items.all()}
    purity = template.items.get(is_purity=True)
    data[f"item_{purity.pk}"] = 12
    data["note"] = "湿垃圾桶混有塑料袋"
    data["photos"] = [photo()]
    answer = client.post(f"/sorting/m/inspect/{world['east'].pk}/", data, follow=True)
    page = answer.content.decode()
    inspection = Inspection.objects.get()
    assert inspection.score == 82 and not inspection.passed
    assert "82 分" in page and inspection.case.number in page
    assert InspectionPhoto.objects.count() == 1
    photo_page = client.get(f"/sorting/photos/{InspectionPhoto.objects.get().pk}/")
    assert photo_page.status_code == 200 and photo_page["Content-Type"] == "image/png"
    assert (
        client_for(users["staff2"])
        .get(f"/sorting/photos/{InspectionPhoto.objects.get().pk}/")
        .status_code
        == 404
    )
    # Too many points for an item: the form again, the message next to it, nothing written.
    client = client_for(users["staff"])
    data[f"item_{purity.pk}"] = 31
    data.pop("photos")
    refused = client.post(f"/sorting/m/inspect/{world['east'].pk}/", data)
    assert refused.status_code == 400 and Inspection.objects.count() == 1


def test_the_half_year_report_as_excel(world, users, client_for, clock):
    services.do_record_weighing(
        None,
        estate=world["east"],
        day=datetime.date(2026, 8, 3),
        category="wet",
        kg=300,
        hauler="环卫",
    )
    answer = client_for(users["operator"]).get("/sorting/half-year.xlsx?half=2026-2")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    months = book.worksheets[0]
    assert months["A1"].value == "2026年下半年垃圾分类工作报告"
    assert [months.cell(row=r, column=1).value for r in range(3, 9)] == [
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
        "2026-12",
    ]
    assert months.cell(row=4, column=4).value == 300  # August, 湿垃圾
    page = client_for(users["operator"]).get("/sorting/half-year/?half=2026-2").content.decode()
    assert "2026年下半年垃圾分类工作报告" in page


def test_the_dashboard_tile_keeps_a_fixed_query_count(
    world, users, client_for, clock, django_assert_num_queries
):
    from civicgrid.dashboard.figures import resolve_scope, sorting_tile

    scope = resolve_scope(users["staff"], None)  # knows its 居村: no query for them
    with django_assert_num_queries(8):
        tile = sorting_tile(scope)
    assert tile["points"] == 1
    services.do_record_weighing(
        None, estate=world["east"], day=MON, category="dry", kg=100, hauler="环卫"
    )
    services.do_record_weighing(
        None, estate=world["west"], day=MON, category="dry", kg=100, hauler="环卫"
    )
    with django_assert_num_queries(8):
        tile = sorting_tile(scope)
    assert tile["kg_total"] == 100  # only community 0's estate
    page = client_for(users["staff"]).get("/dashboard/").content.decode()
    assert 'id="sorting-tile"' in page


def test_the_estate_page_records_a_pledge_and_a_new_convention_version(
    world, users, client_for, clock
):
    client = client_for(users["staff"])
    url = f"/sorting/estates/{world['east'].pk}/"
    page = client.get(url).content.decode()
    assert "0 / 4 户（0.0%）" in page and "尚未制定居民公约" in page
    home = world["households"][0][0]
    client.post(url, {"form": "pledge", "household": home.pk, "signed_on": "2026-11-20"})
    future = client.post(
        url,
        {"form": "pledge", "household": world["households"][0][1].pk, "signed_on": "2027-01-01"},
    )
    assert future.status_code == 400 and "签订日期不能晚于今天" in future.content.decode()
    for text in ("定时定点投放。", "定时定点投放，误时到误时投放点。"):
        client.post(
            url,
            {
                "form": "convention",
                "title": "康乐苑居民公约",
                "text": text,
                "adopted_on": "2026-11-20",
            },
        )
    page = client.get(url).content.decode()
    assert "1 / 4 户（25.0%）" in page
    assert "第 2 版" in page and "第 1 版" in page
    assert client_for(users["staff2"]).get(url).status_code == 404
    leader = client_for(users["leader"])
    assert leader.post(url, {"form": "pledge", "household": home.pk}).status_code == 403


def test_the_back_office_lists_are_scoped(world, users, client_for):
    services.do_save_point(None, estate=world["west"], name="秀康新村箱房", kind="room")
    page = client_for(users["staff"]).get("/admin/sorting/dropoffpoint/").content.decode()
    assert "康乐苑1号箱房" in page and "秀康新村箱房" not in page
    page = client_for(users["operator"]).get("/admin/sorting/dropoffpoint/").content.decode()
    assert "秀康新村箱房" in page
