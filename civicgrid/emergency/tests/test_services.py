"""The level → duty → tasks → board flow, 积水 jumping the queue, stock never negative, and bad
input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from civicgrid.emergency import services
from civicgrid.emergency.models import (
    FloodReport,
    Response,
    ResponseEvent,
    StockBalance,
    StockMovement,
    Task,
    TaskEvent,
)
from civicgrid.messaging.models import Notification, OutboxMessage
from civicgrid.testing.images import photo

pytestmark = pytest.mark.django_db


def test_raising_a_level_gives_duty_tasks_and_notices_and_the_board_follows(flood, users, clock):
    raised = services.do_raise(users["operator"], kind="flood", level="3", reason="暴雨黄色预警")
    response = raised.response
    assert response.state == "active" and response.level == "3"
    assert {u.username for u in raised.duty} == {"chief", "dutyleader"}
    # Two high-risk points: a patrol and a pre-positioning task each, to the staff posted there.
    by_user = sorted((t.assignee.username, t.kind) for t in raised.tasks)
    assert by_user == [
        ("worker", "patrol"),
        ("worker", "preposition"),
        ("worker2", "patrol"),
        ("worker2", "preposition"),
    ]
    patrol = next(t for t in raised.tasks if t.kind == "patrol" and t.assignee == users["worker"])
    assert patrol.due_at == clock.at + datetime.timedelta(minutes=60)
    assert TaskEvent.objects.filter(action="assign").count() == 4
    # Everyone concerned is told in the same transaction: duty, desk, each assignee.
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"chief", "dutyleader", "operator", "worker", "worker2"} <= told
    assert "您有2项任务" in OutboxMessage.objects.get(recipient__user_id=users["worker"].pk).text

    # On the ground: a flooded point reported, the pump started, people moved, a patrol done.
    point = flood["points"][0]
    services.do_report_flooding(
        users["worker"], point, depth_cm=35, note="单元门口", photos=[photo()]
    )
    services.do_switch_pump(users["worker"], flood["pump"], running=True)
    services.do_record_evacuation(
        users["worker"], response, point=point, people=12, shelter="秀沿小区活动室"
    )
    clock.advance(minutes=40)
    services.do_complete_task(users["worker"], patrol, note="已巡查")
    board = services.board()
    assert board["active"] and board["reports"] == 1 and board["flooded_points"] == 1
    assert board["pumps"]["running"] == 1 and board["evacuated"] == 12
    # The done patrol's next round is due an hour after it.
    assert board["tasks"] == {"total": 5, "done": 1, "open": 4, "overdue": 0}
    following = Task.objects.filter(point=point, kind="patrol", state="open").get()
    assert following.due_at == clock.at + datetime.timedelta(minutes=60)

    # Raised to II: the newly covered medium/low points? II patrols risk ≤ 中, none new here;
    # lifted: the open tasks are cancelled and logged, the board shows no active response.
    services.do_change_level(users["chief"], response, level="2", note="雨势加大")
    response.refresh_from_db()
    assert (response.level, response.highest_level) == ("2", "2")
    services.do_lift(users["chief"], response, note="雨停")
    assert not Task.objects.filter(response=response, state="open").exists()
    assert list(ResponseEvent.objects.values_list("action", flat=True)) == [
        "raise",
        "change",
        "lift",
    ]
    assert services.board()["active"] is False
    report = services.summary(response)
    assert report["reports"] == 1 and report["evacuated"] == 12 and report["pump_starts"] == 1
    assert report["tasks_done"] == 1 and len(report["timeline"]) >= 6


def test_flooding_jumps_the_queue_only_while_a_level_is_active(flood, users, clock):
    from civicgrid.console.queries import SORTS  # noqa: F401 (the queue sorts by deadline)
    from civicgrid.testing.cases import report

    before = services.do_report_flooding(users["worker"], flood["points"][0], depth_cm=10).case
    assert before.filing_deadline == clock.at + datetime.timedelta(minutes=10)
    other = report(users["worker"], description="消防通道堵塞")
    services.do_raise(users["chief"], kind="flood", level="2", reason="暴雨橙色预警")
    clock.advance(minutes=1)
    during = services.do_report_flooding(users["worker"], flood["points"][0], depth_cm=40).case
    assert during.filing_deadline == clock.at + datetime.timedelta(minutes=3)
    # Earlier than an urgent report made before it, so first in the queue sorted by deadline.
    assert during.filing_deadline < before.filing_deadline
    assert during.filing_deadline < other.filing_deadline
    # A category other than 积水 keeps its limits.
    later = report(users["worker"], description="楼道堆物")
    assert later.filing_deadline > during.filing_deadline


def test_stock_never_goes_negative(flood, users):
    store = flood["store"]
    with pytest.raises(ValidationError) as refused:
        services.do_move_stock(
            users["operator"], store, supply="sandbag", change=-101, reason="领用"
        )
    assert "只有100" in str(refused.value)
    assert StockBalance.objects.get(store=store, supply="sandbag").quantity == 100
    assert StockMovement.objects.count() == 2
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(store=store).update(quantity=-1)
    # Pre-positioning takes from the store; a store that lacks it refuses the whole step.
    raised = services.do_raise(users["operator"], kind="flood", level="3", reason="暴雨")
    tasks = [t for t in raised.tasks if t.kind == "preposition"]
    services.do_complete_task(users["worker"], tasks[0], store=store)
    assert StockBalance.objects.get(store=store, supply="pump").quantity == 1
    services.do_move_stock(users["operator"], store, supply="sandbag", change=-70, reason="领用")
    with pytest.raises(ValidationError):
        services.do_complete_task(users["worker2"], tasks[1], store=store)
    tasks[1].refresh_from_db()
    assert tasks[1].state == "open"
    assert StockBalance.objects.get(store=store, supply="sandbag").quantity == 10


def test_bad_input_is_refused_clearly_with_nothing_saved(flood, users):
    with pytest.raises(ValidationError) as refused:
        services.do_raise(users["operator"], kind="flood", level="9", reason="")
    assert set(refused.value.message_dict) == {"level", "reason"}
    with pytest.raises(ValidationError) as refused:
        services.do_raise(users["operator"], kind="gas", level="3", reason="燃气泄漏")
    assert "预案" in refused.value.message_dict["level"][0]
    assert not Response.objects.exists() and not Task.objects.exists()
    assert not OutboxMessage.objects.exists()
    with pytest.raises(PermissionDenied):
        services.do_raise(users["worker"], kind="flood", level="3", reason="暴雨")
    with pytest.raises(PermissionDenied):
        services.do_raise(users["leader"], kind="flood", level="3", reason="暴雨")
    response = services.do_raise(users["operator"], kind="flood", level="4", reason="暴雨").response
    with pytest.raises(ValidationError):
        services.do_raise(users["operator"], kind="flood", level="3", reason="再次")
    with pytest.raises(ValidationError):
        services.do_change_level(users["operator"], response, level="4")
    for depth in (0, "深", 301, None):
        with pytest.raises(ValidationError):
            services.do_report_flooding(users["worker"], flood["points"][0], depth_cm=depth)
    with pytest.raises(PermissionDenied):  # a point outside the worker's grids
        services.do_report_flooding(users["worker"], flood["points"][1], depth_cm=20)
    assert not FloodReport.objects.exists()
    # A faulty pump does not run, an enclosure is no pump; a work's state follows its table.
    pump = services.do_change_work_state(users["operator"], flood["pump"], state="faulty")
    with pytest.raises(ValidationError):
        services.do_switch_pump(users["worker"], pump, running=True)
    with pytest.raises(ValidationError):
        services.do_switch_pump(
            users["worker"], pump.point.works.get(kind="enclosure"), running=True
        )
    with pytest.raises(ValidationError):
        services.do_change_work_state(users["operator"], pump, state="planned")
    assert list(pump.changes.values_list("action", flat=True)) == ["state", "state"]
    services.do_lift(users["operator"], response)
    with pytest.raises(ValidationError):
        services.do_lift(users["operator"], response)
    with pytest.raises(ValidationError) as refused:
        services.do_save_point(users["operator"], name="", kind="lake", micro_grid=None, risk="9")
    assert set(refused.value.message_dict) == {"name", "kind", "micro_grid", "risk"}
    with pytest.raises(ValueError):
        ResponseEvent.objects.all().delete()


def test_a_drill_records_findings_as_tasks_and_cases(flood, users, clock, record_drill):
    from civicgrid.cases.models import Case

    drill = record_drill(
        participants=[users["worker"], users["staff"]],
        others=15,
        findings=[
            {"text": "沙袋堆放点无标识", "outcome": "task", "assignee": users["worker"]},
            {"text": "雨水井堵塞", "outcome": "case", "point": flood["points"][0]},
        ],
    )
    assert drill.participants.count() == 2
    task, case_finding = drill.findings.all()
    assert task.task.assignee == users["worker"] and task.task.kind == "finding"
    assert Case.objects.filter(pk=case_finding.case_id, category__name="积水").exists()
    with pytest.raises(ValidationError) as refused:
        services.do_record_drill(
            users["chief"],
            kind="flood",
            title="演练",
            held_on=clock.at.date() + datetime.timedelta(days=1),
            place="x",
            findings=[{"text": "问题", "outcome": "task"}],
        )
    assert {"held_on", "participants", "findings.0.assignee"} <= set(refused.value.message_dict)
    assert Case.objects.count() == 1
