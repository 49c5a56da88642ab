"""The desk keeps a campaign (its 测评体系, actions, checkpoints), schedules rounds and keeps the
无违建 register from pages and the API: every edit leaves a history row naming what changed; bad
input is refused with a message in Chinese and nothing saved (a page answers 400, the API 400);
the roles of accounts.policy decide who may. A failed 督查 item's case carries its own copies of
the inspection's photos."""

import datetime

import pytest

from civicgrid.attachments.models import Attachment
from civicgrid.campaigns import services
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    CampaignEvent,
    ChecklistItem,
    Checkpoint,
    CommunityCreation,
    CreationEvent,
    IllegalStructure,
    InspectionPhoto,
    InspectionRound,
    StructureEvent,
    StructurePhoto,
)
from civicgrid.campaigns.tests.conftest import failing
from civicgrid.cases.models import Case
from civicgrid.testing.images import jpeg_bytes, upload
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)
CAMPAIGN_FORM = {
    "name": "无违建街镇创建",
    "level": "district",
    "starts_on": "2026-10-01",
    "ends_on": "2027-06-30",
    "review_on": "2027-05-10",
    "re_review_on": "",
    "target_percent": "85",
    "is_active": "on",
}


def test_a_campaign_edit_names_what_changed(campaign, users):
    c = campaign["campaign"]
    services.do_save_campaign(
        users["operator"],
        campaign=c,
        name=c.name,
        level=c.level,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        review_on=datetime.date(2026, 12, 28),
        re_review_on=None,
        target_percent=85,
    )
    event = c.events.first()
    assert event.subject == "campaign" and event.user == users["operator"]
    assert "评审日期：2026-12-20 → 2026-12-28" in event.changes
    assert "达标线（百分比）：80 → 85" in event.changes
    # Saving the same values again writes nothing.
    n = CampaignEvent.objects.count()
    services.do_save_campaign(
        users["operator"],
        campaign=c,
        name=c.name,
        level=c.level,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        review_on=datetime.date(2026, 12, 28),
        target_percent=85,
    )
    assert CampaignEvent.objects.count() == n
    with pytest.raises(ValueError):
        event.delete()


def test_the_desk_creates_and_edits_a_campaign_from_pages(campaign, users, client_for):
    desk = client_for(users["operator"])
    assert "/campaigns/new/" in desk.get("/campaigns/").content.decode()
    # Bad input: a message in Chinese, nothing saved.
    bad = desk.post("/campaigns/new/", {**CAMPAIGN_FORM, "ends_on": "2026-09-01"})
    assert bad.status_code == 400
    assert "结束日期不能早于开始日期" in bad.content.decode()
    assert not Campaign.objects.filter(name="无违建街镇创建").exists()
    missing = desk.post("/campaigns/new/", {**CAMPAIGN_FORM, "name": ""})
    assert missing.status_code == 400 and "请填写活动名称" in missing.content.decode()
    done = desk.post("/campaigns/new/", CAMPAIGN_FORM)
    created = Campaign.objects.get(name="无违建街镇创建")
    assert done.status_code == 302 and done["Location"] == f"/campaigns/{created.pk}/edit/"
    assert created.target_percent == 85 and created.level == "district"
    # The 测评体系 and the 五大行动 with their owners.
    item = desk.post(
        f"/campaigns/{created.pk}/items/new/",
        {"kind": "market", "name": "摊位整齐", "description": "划线经营", "order": "1"},
    )
    assert item.status_code == 302
    clash = desk.post(f"/campaigns/{created.pk}/items/new/", {"kind": "market", "name": "摊位整齐"})
    assert clash.status_code == 400 and "该类点位已有同名测评项" in clash.content.decode()
    saved = ChecklistItem.objects.get(campaign=created, name="摊位整齐")
    assert saved.is_active is False  # the box was not ticked: a retired item
    desk.post(
        f"/campaigns/{created.pk}/items/{saved.pk}/",
        {"kind": "market", "name": "摊位整齐", "description": "划线经营", "is_active": "on"},
    )
    saved.refresh_from_db()
    assert saved.is_active
    action = desk.post(
        f"/campaigns/{created.pk}/actions/new/", {"name": "城区环境提升", "owner": "城建中心"}
    )
    assert action.status_code == 302
    page = desk.get(f"/campaigns/{created.pk}/edit/").content.decode()
    assert "摊位整齐" in page and "城区环境提升" in page and "城建中心" in page
    assert "启用：否 → 是" in page  # the history names the change
    # 居委 staff may look but not keep campaigns.
    staff = client_for(users["staff"])
    assert staff.get("/campaigns/new/").status_code == 403
    assert staff.post(f"/campaigns/{created.pk}/edit/", CAMPAIGN_FORM).status_code == 403


def test_checkpoints_from_the_page_on_the_map_and_stopped(campaign, users, client_for):
    c = campaign["campaign"]
    community = campaign["checkpoints"][0].community
    desk = client_for(users["operator"])
    form = desk.get(f"/campaigns/{c.pk}/checkpoints/new/").content.decode()
    assert "data-pick-lon" in form  # the map picker fills 经纬度
    fields = {
        "kind": "market",
        "name": "康桥菜场",
        "address": "康桥路88号",
        "community": community.pk,
        "owner_kind": "unit",
        "owner_name": "康桥菜场管理处",
        "lon": IN_MICRO[0][0],
        "lat": "",
        "is_active": "on",
    }
    bad = desk.post(f"/campaigns/{c.pk}/checkpoints/new/", fields)
    assert bad.status_code == 400 and "经度和纬度须同时填写" in bad.content.decode()
    assert not Checkpoint.objects.filter(name="康桥菜场").exists()
    done = desk.post(f"/campaigns/{c.pk}/checkpoints/new/", {**fields, "lat": IN_MICRO[0][1]})
    assert done.status_code == 302
    cp = Checkpoint.objects.get(name="康桥菜场")
    assert cp.micro_grid_id is not None and cp.owner_kind == "unit"
    desk.post(
        f"/campaigns/{c.pk}/checkpoints/{cp.pk}/",
        {**fields, "lat": IN_MICRO[0][1], "owner_kind": "department", "owner_name": "市场监管所"},
    )
    cp.refresh_from_db()
    assert cp.owner_name == "市场监管所"
    stop = desk.post(f"/campaigns/{c.pk}/checkpoints/{cp.pk}/active/", {"is_active": "0"})
    assert stop.status_code == 302
    cp.refresh_from_db()
    assert cp.is_active is False
    changes = list(c.events.filter(object_id=cp.pk).values_list("changes", flat=True))
    assert "启用：是 → 否" in changes[0]
    assert any("责任主体：康桥菜场管理处 → 市场监管所" in x for x in changes)
    assert changes[-1] == "新建"


def test_the_api_keeps_campaigns_checkpoints_and_rounds(campaign, users, api):
    c = campaign["campaign"]
    desk = api(users["operator"])
    body = {k: v for k, v in CAMPAIGN_FORM.items() if v and k != "is_active"}
    bad = desk.post("/api/campaigns/campaigns/", {**body, "target_percent": 0}, format="json")
    assert bad.status_code == 400 and "达标线须在1至100之间" in str(bad.json())
    assert not Campaign.objects.filter(name="无违建街镇创建").exists()
    made = desk.post("/api/campaigns/campaigns/", body, format="json")
    assert made.status_code == 201
    pk = made.json()["id"]
    changed = desk.patch(f"/api/campaigns/campaigns/{pk}/", {"target_percent": 95}, format="json")
    assert changed.status_code == 200 and changed.json()["target_percent"] == 95
    item = desk.post(
        f"/api/campaigns/campaigns/{pk}/items/", {"kind": "park", "name": "绿化完好"}, format="json"
    )
    assert item.status_code == 201
    too_far = desk.post(
        f"/api/campaigns/campaigns/{pk}/items/",
        {"kind": "park", "name": "座椅完好", "order": 10**12},
        format="json",
    )
    assert too_far.status_code == 400 and "排序须为0至9999的整数" in str(too_far.json())
    action = desk.post(
        f"/api/campaigns/campaigns/{pk}/actions/",
        {"name": "背街小巷整治", "owner": "城管中队"},
        format="json",
    )
    assert action.status_code == 201
    history = desk.get(f"/api/campaigns/campaigns/{pk}/history/").json()["results"]
    assert history[0]["changes"] == "新建" and history[0]["subject"] == "action"
    assert any("达标线（百分比）：85 → 95" in row["changes"] for row in history)
    assert (
        api(users["staff"]).post("/api/campaigns/campaigns/", body, format="json").status_code
        == 403
    )
    # A checkpoint; a bad owner kind is a 400 and nothing saved.
    cp_body = {
        "campaign": c.pk,
        "kind": "park",
        "name": "康桥公园",
        "community": campaign["checkpoints"][0].community_id,
        "owner_kind": "nobody",
        "owner_name": "绿化所",
    }
    assert desk.post("/api/campaigns/checkpoints/", cp_body, format="json").status_code == 400
    made = desk.post(
        "/api/campaigns/checkpoints/", {**cp_body, "owner_kind": "department"}, format="json"
    )
    assert made.status_code == 201
    cp = made.json()["id"]
    patched = desk.patch(
        f"/api/campaigns/checkpoints/{cp}/", {"owner_name": "园林所"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["owner_name"] == "园林所"
    stopped = desk.post(f"/api/campaigns/checkpoints/{cp}/active/", {"is_active": False})
    assert stopped.status_code == 200 and stopped.json()["is_active"] is False
    # A round: checkpoints given to inspectors; a stopped checkpoint is refused.
    a, b = campaign["checkpoints"][:2]
    refused = desk.post(
        "/api/campaigns/rounds/",
        {
            "campaign": c.pk,
            "starts_on": MONDAY.isoformat(),
            "assignments": [{"checkpoint": cp, "inspector": users["worker"].pk}],
        },
        format="json",
    )
    assert refused.status_code == 400 and not InspectionRound.objects.exists()
    planned = desk.post(
        "/api/campaigns/rounds/",
        {
            "campaign": c.pk,
            "starts_on": MONDAY.isoformat(),
            "assignments": [
                {"checkpoint": a.pk, "inspector": users["worker"].pk},
                {"checkpoint": b.pk, "inspector": users["worker2"].pk},
            ],
        },
        format="json",
    )
    assert planned.status_code == 201 and planned.json()["assignments"] == 2
    assert Assignment.objects.get(checkpoint=b).inspector == users["worker2"]
    round_id = planned.json()["id"]
    closed = desk.post(f"/api/campaigns/rounds/{round_id}/close/", {})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"


def test_the_register_from_the_page_with_photo_history_and_status(campaign, users, client_for, api):
    community = campaign["checkpoints"][0].community
    staff = client_for(users["staff"])
    fields = {
        "community": community.pk,
        "address": "秀沿路12弄3号",
        "description": "屋顶搭建彩钢板房",
        "area_m2": "abc",
        "found_on": "2026-11-20",
    }
    bad = staff.post("/campaigns/structures/new/", fields)
    assert bad.status_code == 400 and "面积须为数字" in bad.content.decode()
    assert not IllegalStructure.objects.exists()
    done = staff.post(
        "/campaigns/structures/new/",
        {**fields, "area_m2": "36.5", "photos": [upload(jpeg_bytes())]},
    )
    structure = IllegalStructure.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/campaigns/structures/{structure.pk}/"
    photo = StructurePhoto.objects.get(structure=structure)
    assert staff.get(f"/campaigns/structures/photos/{photo.pk}/").status_code == 200
    # 居委 staff of another 居村 see neither the structure nor its photo.
    other = client_for(users["staff2"])
    assert other.get(f"/campaigns/structures/{structure.pk}/").status_code == 404
    assert other.get(f"/campaigns/structures/photos/{photo.pk}/").status_code == 404
    # Its steps: 告知 → 拆除 → 复核; a step out of turn is refused.
    staff = client_for(users["staff"])
    skipped = staff.post(
        f"/campaigns/structures/{structure.pk}/move/", {"to_state": "verified", "back": "detail"}
    )
    assert skipped.status_code == 302
    structure.refresh_from_db()
    assert structure.state == "found"
    for state in ("notified", "demolished", "verified"):
        staff.post(
            f"/campaigns/structures/{structure.pk}/move/",
            {"to_state": state, "note": "按期处置", "back": "detail"},
        )
    page = staff.get(f"/campaigns/structures/{structure.pk}/").content.decode()
    assert "已拆除 → 已复核" in page and "按期处置" in page
    assert StructureEvent.objects.filter(structure=structure).count() == 4
    # The 居村's status, with history; 复评通过 before 已创建 is refused, nothing saved.
    jump = staff.post(
        "/campaigns/structures/status/", {"community": community.pk, "status": "passed_review"}
    )
    assert jump.status_code == 400 and "不能改为" in jump.content.decode()
    assert not CreationEvent.objects.exists()
    ok = staff.post(
        "/campaigns/structures/status/",
        {"community": community.pk, "status": "created", "note": "全部复核"},
    )
    assert ok.status_code == 302
    assert CommunityCreation.objects.get(community=community).status == "created"
    assert "全部复核" in staff.get("/campaigns/structures/status/").content.decode()
    # And by the API: a new structure makes the next status change wait for its 复核.
    client = api(users["staff"])
    made = client.post(
        "/api/campaigns/structures/",
        {
            "community": community.pk,
            "address": "秀沿路20号",
            "description": "违规围墙",
            "area_m2": "12",
            "found_on": "2026-11-21",
        },
        format="json",
    )
    assert made.status_code == 201
    detail = client.get(f"/api/campaigns/structures/{made.json()['id']}/").json()
    assert [e["to_state"] for e in detail["events"]] == ["found"]
    waits = client.post(
        "/api/campaigns/creations/",
        {"community": community.pk, "status": "passed_review"},
        format="json",
    )
    assert waits.status_code == 400 and "尚有1处违法建筑未复核" in str(waits.json())
    back = client.post(
        "/api/campaigns/creations/",
        {"community": community.pk, "status": "in_progress", "note": "新发现违建"},
        format="json",
    )
    assert back.status_code == 200 and back.json()["status"] == "in_progress"
    assert len(back.json()["events"]) == 2
    assert api(users["worker"]).post("/api/campaigns/creations/", {}).status_code == 403


def test_a_failed_item_case_gets_copies_of_the_inspection_photos(campaign, users):
    a = campaign["checkpoints"][0]
    round_ = services.do_plan_round(
        users["operator"],
        campaign["campaign"],
        starts_on=MONDAY,
        assignments=[(a, users["worker"])],
    )
    assignment = Assignment.objects.get(round=round_)
    inspection = services.do_inspect(
        users["worker"],
        assignment,
        results=failing(campaign["items"]["estate"], "楼道无堆物", "公益广告张贴"),
        photos=[upload(jpeg_bytes(), name="a.jpg"), upload(jpeg_bytes(color=(1, 2, 3)), "b.jpg")],
    )
    photos = list(InspectionPhoto.objects.filter(inspection=inspection))
    assert len(photos) == 2
    cases = list(Case.objects.all())
    assert len(cases) == 2
    inspection_files = {p.file.name for p in photos}
    for case in cases:
        attached = list(Attachment.objects.filter(case=case))
        assert len(attached) == 2 and {x.kind for x in attached} == {"before"}
        # Each case has its own files: none shares a path with the inspection or another case.
        assert not {x.file.name for x in attached} & inspection_files
        for x in attached:
            with x.file.open("rb") as f:
                assert f.read(2) == b"\xff\xd8"
    all_names = [x.file.name for x in Attachment.objects.all()]
    assert len(set(all_names)) == 4


def test_the_round_page_adds_and_moves_checkpoints(campaign, users, client_for, api):
    a, b, c, d = campaign["checkpoints"]
    round_ = services.do_plan_round(
        users["operator"],
        campaign["campaign"],
        starts_on=MONDAY,
        assignments=[(a, users["worker"])],
    )
    desk = client_for(users["operator"])
    page = desk.get(f"/campaigns/rounds/{round_.pk}/").content.decode()
    assert "增加督查点位" in page and "D 秀浦路" in page
    # The page's title is text (it held both forms and the history), and 改派 is one form.
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and campaign["campaign"].name in title
    assert page.count('name="inspector"') == 2  # 改派 and 增加, not one select per row
    assert f'<option value="{a.pk}">' in page.split('id="move-checkpoint"')[1].split("</select>")[0]
    added = desk.post(
        f"/campaigns/rounds/{round_.pk}/assign/",
        {"checkpoint": d.pk, "inspector": users["worker2"].pk},
    )
    assert added.status_code == 302
    assert Assignment.objects.get(round=round_, checkpoint=d).inspector == users["worker2"]
    moved = desk.post(
        f"/campaigns/rounds/{round_.pk}/assign/",
        {"checkpoint": a.pk, "inspector": users["worker2"].pk},
    )
    assert moved.status_code == 302
    assert Assignment.objects.get(round=round_, checkpoint=a).inspector == users["worker2"]
    # A resident is no inspector: refused, nothing changed.
    refused = api(users["operator"]).post(
        f"/api/campaigns/rounds/{round_.pk}/assign/",
        {"checkpoint": b.pk, "inspector": users["resident"].pk},
        format="json",
    )
    assert refused.status_code == 400 and "督查人须是在职的督查人员" in str(refused.json())
    assert not Assignment.objects.filter(round=round_, checkpoint=b).exists()
    ok = api(users["operator"]).post(
        f"/api/campaigns/rounds/{round_.pk}/assign/",
        {"checkpoint": b.pk, "inspector": users["worker"].pk},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["assignments"] == 3
    history = desk.get(f"/campaigns/rounds/{round_.pk}/").content.decode()
    assert "点位“A 康桥半岛”改派给刘洋" in history
    assert (
        client_for(users["staff"])
        .post(f"/campaigns/rounds/{round_.pk}/assign/", {"checkpoint": c.pk})
        .status_code
        == 403
    )
