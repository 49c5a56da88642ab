"""The pages, the phone pages and the API: who may open and do what (exact status codes), bad
input refused with nothing saved, scoping, lists with flat query counts, the dashboard's tile."""

import pytest
from django.urls import reverse

from civicgrid.emergency import services
from civicgrid.emergency.models import FloodReport, Response, Task
from civicgrid.testing.images import photo

pytestmark = pytest.mark.django_db


def test_pages_open_for_their_roles(flood, users, client_for):
    desk = client_for(users["operator"])
    for name, args in [
        ("emergency:index", []),
        ("emergency:board", []),
        ("emergency:board_live", []),
        ("emergency:point", [flood["points"][0].pk]),
    ]:
        assert desk.get(reverse(name, args=args)).status_code == 200, name
    assert client_for(users["resident"]).get(reverse("emergency:index")).status_code == 403
    assert client_for(users["handler"]).get(reverse("emergency:board")).status_code == 403
    # A worker sees the points of their grids only.
    worker = client_for(users["worker"])
    assert worker.get(reverse("emergency:point", args=[flood["points"][0].pk])).status_code == 200
    assert worker.get(reverse("emergency:point", args=[flood["points"][1].pk])).status_code == 404
    # Contacts' phones are masked on the point page.
    desk = client_for(users["operator"])
    services.do_add_contact(
        None, flood["points"][0], name="赵经理", title="物业经理", phone="13912345678"
    )
    page = desk.get(reverse("emergency:point", args=[flood["points"][0].pk])).content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_raise_on_the_page_then_the_phone_does_the_work(flood, users, client_for):
    # client_for signs the one test client in as the user: each role in its turn.
    assert (
        client_for(users["worker"])
        .post(reverse("emergency:raise"), {"kind": "flood", "level": "3", "reason": "暴雨"})
        .status_code
        == 403
    )
    desk = client_for(users["operator"])
    refused = desk.post(reverse("emergency:raise"), {"kind": "flood", "level": "3", "reason": ""})
    assert refused.status_code == 302 and not Response.objects.exists()
    done = desk.post(reverse("emergency:raise"), {"kind": "flood", "level": "3", "reason": "暴雨"})
    assert done.status_code == 302 and done.url == reverse("emergency:board")
    board = desk.get(reverse("emergency:board")).content.decode()
    assert "Ⅲ级（黄色）" in board and "0/4" in board

    phone = client_for(users["worker"])
    tasks = phone.get(reverse("emergency:my_tasks")).content.decode()
    assert "巡查秀沿小区" in tasks
    # A report without a depth is refused on the form (400), nothing saved; with it, a 积水 case.
    bad = phone.post(reverse("emergency:report"), {"point": flood["points"][0].pk, "depth_cm": ""})
    assert bad.status_code == 400 and "请填写积水深度" in bad.content.decode()
    assert not FloodReport.objects.exists()
    ok = phone.post(
        reverse("emergency:report"),
        {"point": flood["points"][0].pk, "depth_cm": "30", "photos": photo()},
    )
    assert ok.status_code == 302
    report = FloodReport.objects.get()
    assert report.case.category.name == "积水" and report.case.attachments.count() == 1
    patrol = Task.objects.get(assignee=users["worker"], kind="patrol")
    assert phone.post(reverse("emergency:complete_task", args=[patrol.pk])).status_code == 302
    # Someone else's task is not theirs to close.
    other = Task.objects.filter(assignee=users["worker2"]).first()
    phone.post(reverse("emergency:complete_task", args=[other.pk]))
    other.refresh_from_db()
    assert other.state == "open"
    assert (
        phone.post(
            reverse("emergency:switch_pump", args=[flood["pump"].pk]), {"running": "1"}
        ).status_code
        == 302
    )
    flood["pump"].refresh_from_db()
    assert flood["pump"].is_running
    # The console's queue loads the banner.
    desk = client_for(users["operator"])
    banner = desk.get(reverse("emergency:banner")).content.decode()
    assert "应急响应中" in banner


def test_api_raise_lift_and_lists(flood, users, api, django_assert_max_num_queries):
    desk = api(users["operator"])
    url = "/api/emergency/responses/"
    assert (
        desk.post(url, {"kind": "flood", "level": "7", "reason": "x"}, format="json").status_code
        == 400
    )
    assert (
        api(users["worker"])
        .post(url, {"kind": "flood", "level": "3", "reason": "暴雨"}, format="json")
        .status_code
        == 403
    )
    assert not Response.objects.exists()
    made = desk.post(url, {"kind": "flood", "level": "3", "reason": "暴雨"}, format="json")
    assert made.status_code == 201 and made.json()["state"] == "active"
    pk = made.json()["id"]
    again = desk.post(url, {"kind": "flood", "level": "2", "reason": "再次"}, format="json")
    assert again.status_code == 400
    assert desk.post(f"{url}{pk}/level/", {"level": "2"}, format="json").json()["level"] == "2"
    board = desk.get("/api/emergency/board/").json()
    assert board["active"] and board["tasks"] == 4
    worker = api(users["worker"])
    mine = worker.get("/api/emergency/tasks/").json()
    assert {t["point_name"] for t in mine["results"]} == {"秀沿小区"}
    made = worker.post(
        "/api/emergency/reports/", {"point": flood["points"][0].pk, "depth_cm": 20}, format="json"
    )
    assert made.status_code == 201 and made.json()["case"]
    assert (
        worker.post(
            "/api/emergency/reports/",
            {"point": flood["points"][1].pk, "depth_cm": 20},
            format="json",
        ).status_code
        == 400
    )
    assert desk.post(f"{url}{pk}/lift/", {}, format="json").json()["state"] == "lifted"
    # Lists cost the same whatever their length.
    for i in range(5):
        services.do_save_point(
            None, name=f"点位{i}", kind="road", micro_grid=flood["points"][0].micro_grid
        )
    with django_assert_max_num_queries(8):
        assert len(desk.get("/api/emergency/points/").json()["results"]) == 8


def test_the_tile_on_the_dashboard(flood, users, client_for, django_assert_num_queries):
    from django.utils import timezone

    with django_assert_num_queries(2):
        quiet = services.tile(None, None, None, timezone.now())
    assert quiet == {"active": False, "points": 3, "high_risk": 2}
    page = client_for(users["leader"]).get(reverse("dashboard:index")).content.decode()
    assert 'id="emergency-tile"' in page and "易积水点 3 处" in page
    services.do_raise(users["operator"], kind="flood", level="3", reason="暴雨")
    with django_assert_num_queries(2):
        tile = services.tile(None, None, None, timezone.now())
    assert tile["active"] and tile["tasks"] == 4 and tile["level"] == "Ⅲ级（黄色）"
    page = client_for(users["leader"]).get(reverse("dashboard:index")).content.decode()
    assert "防汛应急响应中" in page
    data = client_for(users["leader"]).get(reverse("dashboard:data"), {"tiles": "screen"}).json()
    assert data["tiles"]["emergency"]["active"] is True


def test_a_drill_is_recorded_on_its_page(flood, users, client_for):
    from civicgrid.emergency.models import Drill

    url = reverse("emergency:record_drill")
    assert client_for(users["worker"]).get(url).status_code == 403
    desk = client_for(users["chief"])
    assert desk.get(url).status_code == 200
    bad = desk.post(url, {"kind": "flood", "title": "防汛演练", "held_on": "x", "place": ""})
    assert bad.status_code == 400 and "请填写演练日期" in bad.content.decode()
    assert not Drill.objects.exists()
    made = desk.post(
        url,
        {
            "kind": "flood",
            "title": "防汛演练",
            "held_on": "2026-11-20",
            "place": "秀沿小区",
            "participants": [users["worker"].pk, "abc"],
            "finding_0": "沙袋堆放点无标识",
            "outcome_0": "task",
            "assignee_0": users["worker"].pk,
        },
    )
    drill = Drill.objects.get()
    assert made.status_code == 302 and made.url == reverse("emergency:drill", args=[drill.pk])
    assert list(drill.participants.all()) == [users["worker"]]
    assert Task.objects.get(drill=drill).assignee == users["worker"]
    assert "沙袋堆放点无标识" in desk.get(made.url).content.decode()


def test_tasks_api_is_for_staff_and_a_drill_task_has_no_point(flood, users, api, clock):
    services.do_record_drill(
        users["chief"],
        kind="gas",
        title="燃气演练",
        held_on=clock.at.date(),
        place="秀沿小区",
        others=5,
        findings=[{"text": "阀门标识不清", "outcome": "task", "assignee": users["worker"]}],
    )
    assert api(users["resident"]).get("/api/emergency/tasks/").status_code == 403
    rows = api(users["worker"]).get("/api/emergency/tasks/").json()["results"]
    assert [(r["title"], r["point_name"]) for r in rows] == [("阀门标识不清", None)]


def test_a_drill_links_its_case_only_for_who_may_open_it(flood, users, client_for, record_drill):
    # A drill is street-wide; its case lies in one 居委's micro-grid. Another 居委 reads the drill
    # too, and was given a link to a case page that answered them 404.
    drill = record_drill(
        participants=[users["worker"]],
        findings=[{"text": "雨水井堵塞", "outcome": "case", "point": flood["points"][0]}],
    )
    number = drill.findings.get().case.number
    link = f'<a href="{reverse("console:case", args=[number])}">{number}</a>'
    for user, linked in ((users["chief"], True), (users["staff"], True), (users["staff2"], False)):
        client = client_for(user)
        page = client.get(reverse("emergency:drill", args=[drill.pk])).content.decode()
        assert number in page
        assert (link in page) is linked
        opened = client.get(reverse("console:case", args=[number])).status_code
        assert opened == (200 if linked else 404)
