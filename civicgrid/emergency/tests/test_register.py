"""The flood register, the stores, the plans and the drills' findings on their pages and in the
API: who may do what (exact status codes), bad input refused in Chinese with nothing saved,
stock that is the sum of its movements and never negative, phones masked unless shown in full
(each view logged)."""

import re

import pytest
from django.urls import reverse

from civicgrid.emergency.choices import Risk
from civicgrid.emergency.models import (
    ContactPhoneView,
    DrillFinding,
    EmergencyPlan,
    FloodPoint,
    FloodWork,
    LevelPlan,
    PointContact,
    StockBalance,
    StockMovement,
    Store,
    Task,
    WorkChange,
)
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def test_a_point_is_registered_and_corrected_on_its_page(flood, users, tree, client_for):
    url = reverse("emergency:point_new")
    assert client_for(users["worker"]).get(url).status_code == 403
    desk = client_for(users["operator"])
    page = desk.get(url).content.decode()
    assert 'data-pick-lon="id_lon"' in page and "leaflet" in page
    # Nothing typed where it matters: every problem at once, in Chinese, nothing saved.
    bad = desk.post(url, {"name": "", "kind": "road", "risk": "1", "lon": "121.5"})
    text = bad.content.decode()
    assert bad.status_code == 400
    assert (
        "请填写名称" in text and "请选择点位所在的微网格" in text and "经度和纬度须同时填写" in text
    )
    assert FloodPoint.objects.count() == 3
    micro = tree["micro_grids"][0]
    made = desk.post(
        url,
        {
            "name": "周浦路段",
            "kind": "road",
            "micro_grid": micro.pk,
            "address": "周浦路100号",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "risk": "2",
            "households": "12",
        },
    )
    point = FloodPoint.objects.get(name="周浦路段")
    assert made.status_code == 302 and made.url == reverse("emergency:point", args=[point.pk])
    assert point.community_id == micro.parent_id and point.lon == IN_MICRO[0][0]
    # Corrected: the form shows what is stored; a name taken in the 居村 is refused.
    edit = reverse("emergency:point_edit", args=[point.pk])
    assert "周浦路100号" in desk.get(edit).content.decode()
    taken = desk.post(
        edit, {"name": "秀沿小区", "kind": "road", "micro_grid": micro.pk, "risk": "2"}
    )
    assert taken.status_code == 400 and "该居村已登记同名的易积水点" in taken.content.decode()
    fixed = desk.post(
        edit, {"name": "周浦路段", "kind": "road", "micro_grid": micro.pk, "risk": "1"}
    )
    assert fixed.status_code == 302, fixed.content.decode()[-3000:]
    point.refresh_from_db()
    assert point.risk == "1" and point.lon is None
    # The register links to the new form; taking a point off it hides it there.
    index = desk.get(reverse("emergency:index")).content.decode()
    assert reverse("emergency:point_new") in index and "周浦路段" in index
    desk.post(reverse("emergency:point_active", args=[point.pk]), {"active": "0"})
    index = desk.get(reverse("emergency:index")).content.decode()
    assert "周浦路段" not in index.split('id="em-inactive"')[0] and "恢复在册" in index
    # The tile counts the points on the register, not the one taken off.
    active = FloodPoint.objects.filter(is_active=True)
    tile = re.sub(r"<[^>]+>|\s+", " ", index.split('id="em-points-tile"')[1].split("</div>")[0])
    assert " ".join(tile.split()).endswith(
        f"易积水点 {active.count()} 处，其中高风险 {active.filter(risk=Risk.HIGH).count()} 处"
    ), tile
    desk.post(reverse("emergency:point_active", args=[point.pk]), {"active": "1"})
    point.refresh_from_db()
    assert point.is_active


def test_contacts_are_masked_and_a_full_phone_is_logged(flood, users, client_for):
    point = flood["points"][0]
    desk = client_for(users["operator"])
    url = reverse("emergency:add_contact", args=[point.pk])
    bad = desk.post(url, {"name": "赵经理", "title": "物业经理", "phone": "12"})
    assert bad.status_code == 400 and "电话号码格式不正确" in bad.content.decode()
    assert not PointContact.objects.exists()
    assert (
        desk.post(url, {"name": "赵经理", "title": "物业经理", "phone": "13912345678"}).status_code
        == 302
    )
    contact = PointContact.objects.get()
    page = desk.get(reverse("emergency:point", args=[point.pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "显示完整号码" in page
    # A grid worker sees the point, masked, and may not show the full phone.
    worker = client_for(users["worker"])
    shown = worker.get(reverse("emergency:point", args=[point.pk])).content.decode()
    assert "139****5678" in shown and "显示完整号码" not in shown
    reveal = reverse("emergency:reveal_phone", args=[point.pk, contact.pk])
    assert worker.post(reveal).status_code == 403
    assert not ContactPhoneView.objects.exists()
    full = client_for(users["chief"]).post(reveal)
    assert full.status_code == 200 and "13912345678" in full.content.decode()
    log = ContactPhoneView.objects.get()
    assert (log.user, log.point, log.contact_name) == (users["chief"], point, "赵经理")
    client_for(users["operator"]).post(
        reverse("emergency:remove_contact", args=[point.pk, contact.pk])
    )
    assert not PointContact.objects.exists()


def test_works_and_their_state_with_dates(flood, users, client_for):
    point = flood["points"][0]
    desk = client_for(users["operator"])
    bad = desk.post(
        reverse("emergency:add_work", args=[point.pk]),
        {"kind": "drainage", "name": "", "state": "planned", "capacity": "abc"},
    )
    assert bad.status_code == 400
    assert "请填写名称" in bad.content.decode() and "排水能力须为整数" in bad.content.decode()
    assert point.works.count() == 2
    desk.post(
        reverse("emergency:add_work", args=[point.pk]),
        {"kind": "drainage", "name": "秀沿路排水管", "state": "planned"},
    )
    work = FloodWork.objects.get(name="秀沿路排水管")
    # 待改造 cannot become 故障: refused, state unchanged.
    url = reverse("emergency:change_work", args=[point.pk, work.pk])
    refused = desk.post(url, {"state": "faulty"})
    assert refused.status_code == 400 and "设施不能从“待改造”改为“故障”" in refused.content.decode()
    desk.post(url, {"state": "building", "note": "开工"})
    work.refresh_from_db()
    assert work.state == "building"
    page = desk.get(reverse("emergency:point", args=[point.pk])).content.decode()
    assert "待改造 → 改造中" in page and "2026-11-23" in page and "开工" in page
    assert WorkChange.objects.filter(work=work).count() == 2


def test_stock_moves_by_movements_and_never_goes_negative(flood, users, client_for):
    store = flood["store"]
    url = reverse("emergency:store", args=[store.pk])
    assert client_for(users["worker"]).post(url, {}).status_code == 403
    desk = client_for(users["operator"])
    assert desk.get(url).status_code == 200
    refused = desk.post(url, {"supply": "sandbag", "change": "-150", "reason": "预置"})
    assert refused.status_code == 400
    assert "街道防汛仓库的沙袋只有100，不能出库150" in refused.content.decode()
    assert StockBalance.objects.get(store=store, supply="sandbag").quantity == 100
    assert (
        desk.post(url, {"supply": "sandbag", "change": "-30", "reason": "预置秀沿小区"}).status_code
        == 302
    )
    desk.post(url, {"supply": "board", "change": "10", "reason": "采购"})
    for supply in ("sandbag", "board"):
        moved = sum(
            StockMovement.objects.filter(store=store, supply=supply).values_list(
                "change", flat=True
            )
        )
        assert StockBalance.objects.get(store=store, supply=supply).quantity == moved
    page = desk.get(url).content.decode()
    assert "预置秀沿小区" in page and "-30" in page
    # A new store, a 居村's; a second of the same name is refused.
    new = reverse("emergency:store_new")
    made = desk.post(new, {"name": "秀沿居委仓库", "address": "秀沿路1号"})
    assert made.status_code == 302
    again = desk.post(new, {"name": "秀沿居委仓库"})
    assert again.status_code == 400 and "已有同名的仓库" in again.content.decode()
    assert Store.objects.count() == 2


def test_plans_per_level_are_edited_on_their_page(flood, users, client_for):
    url = reverse("emergency:plan", args=["flood"])
    # client_for signs the one test client in: the worker first, then the shift chief.
    assert client_for(users["worker"]).get(url).status_code == 200
    assert client_for(users["worker"]).post(url, {"part": "level"}).status_code == 403
    desk = client_for(users["chief"])
    page = desk.get(url).content.decode()
    # Who is on duty comes from the roster; what level III asks for the 2 high-risk points.
    assert "赵" in page and "孙" in page
    assert "每点沙袋 20、移动泵 1（共沙袋 40、移动泵 2）" in page
    bad = desk.post(
        url,
        {
            "part": "level",
            "level": "1",
            "patrol_risk": "2",
            "patrol_every_minutes": "5",
            "sandbags_per_point": "50",
            "pumps_per_point": "2",
        },
    )
    assert bad.status_code == 400 and "巡查间隔须在15到1440之间" in bad.content.decode()
    assert not LevelPlan.objects.filter(level="1").exists()
    desk.post(
        url,
        {
            "part": "level",
            "level": "1",
            "patrol_risk": "2",
            "patrol_every_minutes": "20",
            "sandbags_per_point": "50",
            "pumps_per_point": "2",
            "instructions": "街道主要领导带班",
        },
    )
    row = LevelPlan.objects.get(plan=flood["plan"], level="1")
    assert (row.patrol_every_minutes, row.sandbags_per_point) == (20, 50)
    desk.post(url, {"part": "plan", "title": "街道防汛应急预案（2026年修订）", "summary": "要点"})
    assert EmergencyPlan.objects.get(kind="flood").title == "街道防汛应急预案（2026年修订）"
    # A plan for another kind; a second for the same kind is refused.
    new = reverse("emergency:plan_new")
    assert desk.post(new, {"kind": "typhoon", "title": "防台预案"}).url == reverse(
        "emergency:plan", args=["typhoon"]
    )
    again = desk.post(new, {"kind": "typhoon", "title": "又一个"})
    assert again.status_code == 400 and "该种类已有预案" in again.content.decode()
    index = desk.get(reverse("emergency:index")).content.decode()
    assert reverse("emergency:plan", args=["typhoon"]) in index


def test_a_finding_written_up_after_the_drill(flood, users, client_for, record_drill):
    drill = record_drill(kind="fire", title="消防演练", others=8)
    url = reverse("emergency:add_finding", args=[drill.pk])
    assert client_for(users["worker"]).post(url, {}).status_code == 403
    desk = client_for(users["chief"])
    assert "补充演练发现" in desk.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
    bad = desk.post(url, {"text": "疏散通道堵塞", "outcome": "task"})
    assert bad.status_code == 400 and "转任务须指定负责人" in bad.content.decode()
    assert not DrillFinding.objects.exists()
    desk.post(url, {"text": "疏散通道堵塞", "outcome": "task", "assignee": users["worker"].pk})
    desk.post(url, {"text": "消防栓无水", "outcome": "case", "point": flood["points"][0].pk})
    task_row, case_row = DrillFinding.objects.order_by("pk")
    assert Task.objects.get(pk=task_row.task_id).assignee == users["worker"]
    assert case_row.case is not None and "消防栓无水" in case_row.case.description
    page = desk.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
    assert case_row.case.number in page and "疏散通道堵塞" in page


# --- the API --------------------------------------------------------------------------------------


def test_api_points_contacts_and_works(flood, users, tree, api):
    desk = api(users["operator"])
    micro = tree["micro_grids"][1]
    body = {"name": "沪南路下立交", "kind": "underpass", "micro_grid": micro.pk, "risk": "1"}
    assert (
        api(users["worker"]).post("/api/emergency/points/", body, format="json").status_code == 403
    )
    bad = desk.post("/api/emergency/points/", {**body, "name": ""}, format="json")
    assert bad.status_code == 400 and "请填写名称" in bad.content.decode()
    assert FloodPoint.objects.count() == 3
    made = desk.post("/api/emergency/points/", body, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    patched = desk.patch(f"/api/emergency/points/{pk}/", {"households": 40}, format="json")
    assert patched.status_code == 200 and patched.json()["households"] == 40
    assert patched.json()["name"] == "沪南路下立交"

    contacts = f"/api/emergency/points/{pk}/contacts/"
    assert (
        desk.post(
            contacts, {"name": "钱主任", "title": "居委主任", "phone": "x"}, format="json"
        ).status_code
        == 400
    )
    assert (
        desk.post(
            contacts, {"name": "钱主任", "title": "居委主任", "phone": "13800001111"}, format="json"
        ).status_code
        == 201
    )
    assert desk.get(contacts).json()[0]["phone"] == "138****1111"
    assert not ContactPhoneView.objects.exists()
    assert desk.get(contacts, {"full": "1"}).json()[0]["phone"] == "13800001111"
    assert ContactPhoneView.objects.get().channel == "api"
    # A 片区 leader sees the point (street-wide view) but not a full phone.
    assert api(users["leader"]).get(contacts, {"full": "1"}).status_code == 403
    contact = PointContact.objects.get(point_id=pk)
    one = f"/api/emergency/contacts/{contact.pk}/"
    assert desk.patch(one, {"phone": "123"}, format="json").status_code == 400
    fixed = desk.patch(one, {"phone": "13800002222"}, format="json")
    assert fixed.status_code == 200 and fixed.json()["phone"] == "138****2222"
    assert api(users["leader"]).delete(one).status_code == 403
    assert desk.delete(one).status_code == 204 and not PointContact.objects.filter(pk=contact.pk)

    works = f"/api/emergency/points/{pk}/works/"
    assert (
        desk.post(works, {"kind": "pump", "name": "", "state": "ready"}, format="json").status_code
        == 400
    )
    work = desk.post(
        works,
        {"kind": "pump", "name": "下立交泵站", "state": "ready", "capacity": 300},
        format="json",
    )
    assert work.status_code == 201
    state = f"/api/emergency/works/{work.json()['id']}/state/"
    assert desk.post(state, {"state": "planned"}, format="json").status_code == 400
    assert (
        desk.post(state, {"state": "faulty", "note": "电机烧毁"}, format="json").json()["state"]
        == "faulty"
    )
    changes = desk.get(f"/api/emergency/works/{work.json()['id']}/changes/").json()
    assert [c["to_state"] for c in changes] == ["faulty", "ready"] and changes[0]["at"]


def test_api_stores_and_stock(flood, users, api):
    desk = api(users["operator"])
    store = flood["store"]
    move = f"/api/emergency/stores/{store.pk}/move/"
    assert (
        api(users["worker"])
        .post(move, {"supply": "sandbag", "change": 5, "reason": "入库"}, format="json")
        .status_code
        == 403
    )
    refused = desk.post(move, {"supply": "pump", "change": -3, "reason": "预置"}, format="json")
    assert refused.status_code == 400 and "只有2" in refused.content.decode()
    assert StockBalance.objects.get(store=store, supply="pump").quantity == 2
    assert StockMovement.objects.filter(store=store).count() == 2
    moved = desk.post(move, {"supply": "pump", "change": -2, "reason": "预置"}, format="json")
    assert moved.status_code == 201 and moved.json()["balance_after"] == 0
    listed = desk.get(f"/api/emergency/stores/{store.pk}/").json()
    assert {b["supply"]: b["quantity"] for b in listed["balances"]} == {"sandbag": 100, "pump": 0}
    rows = desk.get(f"/api/emergency/stores/{store.pk}/movements/").json()
    assert [r["change"] for r in rows] == [-2, 2, 100]
    made = desk.post("/api/emergency/stores/", {"name": "二号仓库"}, format="json")
    assert made.status_code == 201
    assert (
        desk.post("/api/emergency/stores/", {"name": "二号仓库"}, format="json").status_code == 400
    )
    assert (
        desk.post(
            "/api/emergency/stores/", {"name": "三号", "community": 999999}, format="json"
        ).status_code
        == 400
    )


def test_api_plans_and_drills(flood, users, api, clock):
    desk = api(users["chief"])
    plan = desk.get(f"/api/emergency/plans/{flood['plan'].pk}/").json()
    assert [row["level"] for row in plan["levels"]] == ["4", "3", "2"]
    levels = f"/api/emergency/plans/{flood['plan'].pk}/levels/"
    assert api(users["worker"]).post(levels, {"level": "1"}, format="json").status_code == 403
    assert (
        desk.post(levels, {"level": "1", "patrol_every_minutes": 5}, format="json").status_code
        == 400
    )
    assert (
        desk.post(
            levels,
            {"level": "1", "patrol_every_minutes": 20, "sandbags_per_point": 40},
            format="json",
        ).status_code
        == 200
    )
    assert LevelPlan.objects.get(plan=flood["plan"], level="1").sandbags_per_point == 40
    assert (
        desk.patch(
            f"/api/emergency/plans/{flood['plan'].pk}/", {"summary": "新要点"}, format="json"
        ).json()["summary"]
        == "新要点"
    )
    assert (
        desk.post(
            "/api/emergency/plans/", {"kind": "gas", "title": "燃气预案"}, format="json"
        ).status_code
        == 201
    )
    assert (
        desk.post(
            "/api/emergency/plans/", {"kind": "gas", "title": "again"}, format="json"
        ).status_code
        == 400
    )

    body = {
        "kind": "flood",
        "title": "防汛演练",
        "held_on": clock.at.date().isoformat(),
        "place": "秀沿小区",
        "participants": [users["worker"].pk],
        "findings": [
            {"text": "泵站备用电源缺失", "outcome": "case", "point": flood["points"][0].pk},
            {"text": "值守名单未更新", "outcome": "task", "assignee": users["worker2"].pk},
        ],
    }
    bad = desk.post("/api/emergency/drills/", {**body, "place": ""}, format="json")
    assert bad.status_code == 400 and "请填写地点" in bad.content.decode()
    missing = desk.post("/api/emergency/drills/", {**body, "participants": [999999]}, format="json")
    assert missing.status_code == 400
    assert not DrillFinding.objects.exists()
    made = desk.post("/api/emergency/drills/", body, format="json")
    assert made.status_code == 201
    findings = made.json()["findings"]
    assert findings[0]["case"] and findings[1]["task_state"] == "open"
    more = desk.post(
        f"/api/emergency/drills/{made.json()['id']}/findings/",
        {"text": "沙袋不足", "outcome": "case"},
        format="json",
    )
    assert more.status_code == 400 and "转案件须指定点位" in more.content.decode()
    assert DrillFinding.objects.count() == 2
