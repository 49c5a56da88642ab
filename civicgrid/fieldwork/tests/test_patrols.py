"""Patrols (巡块): start one of my grids, the route posted by the page, the checklist, a failed
item turned into a case in one tap, finish; every refusal writes nothing."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.attachments.models import Attachment
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import ChecklistItem, Patrol, PatrolFinding
from civicgrid.testing.images import not_an_image, png
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def item(name) -> ChecklistItem:
    return ChecklistItem.objects.get(name=name)


def post_points(c, patrol, points):
    return c.post(
        f"/m/patrols/{patrol.pk}/points/",
        data=json.dumps({"points": points}),
        content_type="application/json",
    )


def test_the_checklist_is_seeded_with_categories():
    names = list(ChecklistItem.objects.values_list("name", flat=True))
    for name in ("楼道堆物", "飞线充电", "垃圾分类", "非机动车乱停放", "消防通道"):
        assert name in names
    assert item("非机动车乱停放").category.code == "0506"
    assert all(i.category.parent_id for i in ChecklistItem.objects.select_related("category"))


def test_a_whole_patrol(users, tree, client_for):
    u = users
    c = client_for(u["worker"])
    response = c.post("/m/patrols/", {"micro_grid": tree["micro_grids"][0].pk, "shift": "morning"})
    patrol = Patrol.objects.get()
    assert response["Location"] == f"/m/patrols/{patrol.pk}/"
    assert patrol.worker == u["worker"] and patrol.status == "running" and patrol.shift == "morning"

    lon, lat = IN_MICRO[0]
    response = post_points(
        c, patrol, [[lon, lat, "2026-12-01T09:00:00+08:00"], [lon + 0.0005, lat]]
    )
    assert response.json() == {"count": 2}
    patrol.refresh_from_db()
    assert patrol.route[0] == [lon, lat, "2026-12-01T09:00:00+08:00"]
    assert patrol.last_point == (lon + 0.0005, lat)

    ok = item("垃圾分类")
    response = c.post(f"/m/patrols/{patrol.pk}/items/{ok.pk}/", {f"item{ok.pk}-result": "ok"})
    assert response.status_code == 302 and response["Location"].endswith(f"#item-{ok.pk}")
    bad = item("楼道堆物")
    c.post(
        f"/m/patrols/{patrol.pk}/items/{bad.pk}/",
        {
            f"item{bad.pk}-result": "problem",
            f"item{bad.pk}-note": "3号楼2楼楼道堆放旧家具",
            f"item{bad.pk}-photo": png(),
        },
    )
    finding = PatrolFinding.objects.get(patrol=patrol, item=bad)
    assert finding.result == "problem" and finding.photo
    assert c.get(f"/m/findings/{finding.pk}/photo/").status_code == 200

    response = c.post(f"/m/findings/{finding.pk}/case/", follow=True)
    finding.refresh_from_db()
    case = finding.case
    assert f"已转为案件，案件编号 {case.number}" in response.content.decode()
    assert case.category == bad.category and case.source == "grid_patrol"
    assert case.description == "3号楼2楼楼道堆放旧家具"
    assert (case.lon, case.lat) == (lon + 0.0005, lat)
    assert case.micro_grid == tree["micro_grids"][0]
    event = CaseEvent.objects.get(case=case)
    assert event.action == "report" and event.actor == u["worker"]
    assert Attachment.objects.get(case=case).kind == "before"

    # Once only.
    response = c.post(f"/m/findings/{finding.pk}/case/", follow=True)
    assert "该问题已转为案件" in response.content.decode()
    assert Case.objects.count() == 1

    response = c.post(f"/m/patrols/{patrol.pk}/finish/", {"note": "发现1处楼道堆物，已上报"})
    assert response["Location"] == "/m/patrols/"
    patrol.refresh_from_db()
    assert patrol.status == "finished" and patrol.ended_at and patrol.note
    listing = c.get("/m/patrols/").content.decode()
    assert tree["micro_grids"][0].name in listing and "问题 1 项，转案件 1 件" in listing

    # A finished patrol takes no more points or ticks.
    assert post_points(c, patrol, [[lon, lat]]).status_code == 400
    response = c.post(f"/m/patrols/{patrol.pk}/items/{ok.pk}/", {f"item{ok.pk}-result": "problem"})
    assert response.status_code == 400
    assert PatrolFinding.objects.get(patrol=patrol, item=ok).result == "ok"


def test_a_problem_needs_a_note_and_keeps_the_others(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    i = item("飞线充电")
    response = client_for(users["worker"]).post(
        f"/m/patrols/{patrol.pk}/items/{i.pk}/", {f"item{i.pk}-result": "problem"}
    )
    assert response.status_code == 400
    assert "请填写情况说明" in response.content.decode()
    assert not PatrolFinding.objects.exists()


def test_a_bad_finding_photo_writes_nothing(users, tree, client_for, settings):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    i = item("飞线充电")
    response = client_for(users["worker"]).post(
        f"/m/patrols/{patrol.pk}/items/{i.pk}/",
        {
            f"item{i.pk}-result": "problem",
            f"item{i.pk}-note": "私拉电线",
            f"item{i.pk}-photo": not_an_image(),
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "不是有效的图片" in text and "私拉电线" in text
    assert not PatrolFinding.objects.exists()
    root = settings.MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    "points",
    [
        [],
        [[121.5]],
        [["x", 31.1]],
        [[121.5, 95]],
        [[121.5, 31.1, "yesterday"]],
        [[121.5, 31.1]] * 501,
        "121.5,31.1",
    ],
)
def test_bad_points_are_refused_whole(users, tree, client_for, points):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    good = [121.505, 31.1075]
    response = post_points(
        client_for(users["worker"]),
        patrol,
        [good, *points] if isinstance(points, list) and points else points,
    )
    assert response.status_code == 400 and response.json()["error"]
    patrol.refresh_from_db()
    assert patrol.route == []


def test_a_body_that_is_not_json_is_refused(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    response = client_for(users["worker"]).post(
        f"/m/patrols/{patrol.pk}/points/", data="lon=1", content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"] == "请求不是有效的 JSON"
    patrol.refresh_from_db()
    assert patrol.route == []


def test_points_of_someone_elses_patrol_are_refused(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    response = post_points(client_for(users["colleague"]), patrol, [[121.505, 31.1075]])
    assert response.status_code == 403
    patrol.refresh_from_db()
    assert patrol.route == []


def test_a_grid_worker_cannot_open_a_colleagues_route(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    services.add_route_points(patrol, users["worker"], [[121.505, 31.1075]])
    response = client_for(users["colleague"]).get(f"/m/patrols/{patrol.pk}/")
    assert response.status_code == 403
    assert "121.505" not in response.content.decode()
    assert "其他网格员的巡查记录" in response.content.decode()
    # The grid leader of the same grid answers for the round and may look at it.
    leader_view = client_for(users["gridhead"]).get(f"/m/patrols/{patrol.pk}/")
    assert leader_view.status_code == 200 and "121.505" in leader_view.content.decode()


def test_one_running_patrol_at_a_time(users, tree, client_for):
    services.start_patrol(users["worker"], tree["micro_grids"][0])
    response = client_for(users["worker"]).post(
        "/m/patrols/", {"micro_grid": tree["micro_grids"][0].pk, "shift": "afternoon"}
    )
    assert Patrol.objects.count() == 1
    # The page shows the running patrol instead of the start form.
    assert response.status_code == 400
    text = response.content.decode()
    assert "继续巡查" in text and "巡查尚未结束" in text


def test_a_grid_that_is_not_mine_cannot_be_patrolled(users, tree, client_for):
    response = client_for(users["worker"]).post(
        "/m/patrols/", {"micro_grid": tree["micro_grids"][2].pk, "shift": "morning"}
    )
    assert response.status_code == 403
    assert "该网格不在您的工作范围内" in response.content.decode()
    response = client_for(users["worker"]).post("/m/patrols/", {"micro_grid": "99999"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.start_patrol(users["worker"], tree["micro_grids"][2])
    assert not Patrol.objects.exists()


def test_an_ok_finding_cannot_become_a_case(users, tree):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    finding = services.record_finding(patrol, users["worker"], item("消防通道"), result="ok")
    with pytest.raises(ValidationError):
        services.finding_to_case(finding, users["worker"])
    assert not Case.objects.exists()


def test_without_a_route_the_case_goes_to_the_grids_centre(users, tree):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    finding = services.record_finding(
        patrol, users["worker"], item("消防通道"), result="problem", note="消防通道停放电瓶车"
    )
    case = services.finding_to_case(finding, users["worker"])
    assert case.micro_grid_id == tree["micro_grids"][0].pk


def test_the_rest_ok_in_one_tap(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    services.record_finding(
        patrol, users["worker"], item("楼道堆物"), result="problem", note="楼道堆放纸箱"
    )
    c = client_for(users["worker"])
    response = c.post(f"/m/patrols/{patrol.pk}/rest-ok/", follow=True)
    total = ChecklistItem.objects.filter(is_active=True).count()
    assert f"其余 {total - 1} 项已记为正常" in response.content.decode()
    assert PatrolFinding.objects.filter(patrol=patrol, result="ok").count() == total - 1
    assert PatrolFinding.objects.get(patrol=patrol, item=item("楼道堆物")).result == "problem"
    assert c.post(f"/m/patrols/{patrol.pk}/rest-ok/").status_code == 302
    assert PatrolFinding.objects.filter(patrol=patrol).count() == total
    assert (
        client_for(users["colleague"]).post(f"/m/patrols/{patrol.pk}/rest-ok/").status_code == 403
    )


def test_a_replaced_photo_leaves_the_disk(
    users, tree, settings, django_capture_on_commit_callbacks
):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    i = item("积水")
    first = services.record_finding(
        patrol, users["worker"], i, result="problem", note="积水", photo=png()
    )
    old = first.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        services.record_finding(patrol, users["worker"], i, result="ok")
    assert not (settings.MEDIA_ROOT / old).exists()
    assert not PatrolFinding.objects.get(pk=first.pk).photo


def test_leaders_see_their_grids_patrols(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    services.start_patrol(users["worker2"], tree["micro_grids"][2])
    text = client_for(users["gridhead"]).get("/m/patrols/").content.decode()
    assert "本网格其他人员的巡查" in text and f"/m/patrols/{patrol.pk}/" in text
    assert tree["micro_grids"][2].name not in text


def test_with_htmx_only_the_line_comes_back(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    i = item("飞线充电")
    c = client_for(users["worker"])
    url = f"/m/patrols/{patrol.pk}/items/{i.pk}/"
    response = c.post(url, {f"item{i.pk}-result": "problem"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200  # htmx swaps only 2xx: the error shows in the line
    text = response.content.decode()
    assert text.lstrip().startswith("<li") and "请填写情况说明" in text
    assert not PatrolFinding.objects.exists()

    response = c.post(
        url,
        {f"item{i.pk}-result": "problem", f"item{i.pk}-note": "私拉电线充电"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert f'id="item-{i.pk}"' in text and "已记录：飞线充电 有问题" in text
    assert 'id="patrol-progress" hx-swap-oob="true"' in text and "已查 1/" in text
    finding = PatrolFinding.objects.get()
    assert "<html" not in text and f"/m/findings/{finding.pk}/case/" in text

    response = c.post(f"/m/findings/{finding.pk}/case/", HTTP_HX_REQUEST="true")
    finding.refresh_from_db()
    assert f"已转为案件，案件编号 {finding.case.number}" in response.content.decode()
    response = c.post(f"/m/findings/{finding.pk}/case/", HTTP_HX_REQUEST="true")
    assert "该问题已转为案件" in response.content.decode()
    assert Case.objects.count() == 1
    # Nothing waits in the session for the next page: the line already said it.
    assert (
        "已转为案件"
        not in c.get(f"/m/patrols/{patrol.pk}/").content.decode().split("<main")[1].split("<h1")[0]
    )


def test_points_sent_again_count_once_and_late_ones_take_their_place_in_time(users, tree):
    """The phone sends again what it kept (no signal, the session ended): a point the route holds
    already is not added twice, and points that come late are put in time order."""
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    early = [
        [121.505, 31.1075, "2026-11-24T09:00:05+08:00"],
        [121.5052, 31.1075, "2026-11-24T09:00:10+08:00"],
    ]
    later = [[121.506, 31.1076, "2026-11-24T09:01:00+08:00"]]
    services.add_route_points(patrol, users["worker"], later)
    services.add_route_points(patrol, users["worker"], early)
    services.add_route_points(patrol, users["worker"], [*early, *later])  # all of it again
    patrol.refresh_from_db()
    assert [p[0] for p in patrol.route] == [121.505, 121.5052, 121.506]
    # Points of one moment from one post are all kept (a phone without its own clock).
    services.add_route_points(patrol, users["worker"], [[121.507, 31.1077]] * 3)
    patrol.refresh_from_db()
    assert len(patrol.route) == 6
