"""The street's control after dispatch: 改派, 撤回, 催办, 主办/协办, 取消合并, the desk's entry of a
12345 ticket and the hotline's later push of it, the one wording of the time left."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases import clock as case_clock
from civicgrid.cases import indicators, services
from civicgrid.cases.actions import available_actions
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case, CaseEvent, CoHandling
from civicgrid.cases.permissions import scope_cases
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.images import png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("garbage")]


def test_redispatch_moves_the_case_and_tells_both_departments(
    users, departments, clock, outbox, django_capture_on_commit_callbacks
):
    case = case_in_state("accepted", users)
    assert case.assigned_department == departments["cg"]
    with pytest.raises(ValidationError) as refused:
        services.do_redispatch(case, users["operator"], department=departments["fg"], reason="")
    assert "请填写改派理由" in str(refused.value)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = services.do_redispatch(
            case, users["operator"], department=departments["fg"].pk, reason="属物业维修范围"
        )
    case.refresh_from_db()
    assert case.status == S.DISPATCHED and case.assigned_department == departments["fg"]
    assert done.event.action == A.REDISPATCH and done.event.note == "属物业维修范围"
    assert done.event.data["from"]["department"] == "CG"
    told = {(m.kind, m.recipient.department_id) for m in outbox}
    assert ("redispatch", departments["cg"].pk) in told
    assert ("redispatch", departments["fg"].pk) in told
    # The old department no longer sees it; the new one does.
    assert not scope_cases(Case.objects.all(), users["handler"]).filter(pk=case.pk).exists()
    assert scope_cases(Case.objects.all(), users["handler_fg"]).filter(pk=case.pk).exists()
    # Only the street's desk re-dispatches; nothing written for a handler.
    events = CaseEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.do_redispatch(case, users["handler_fg"], department=departments["cg"], reason="x")
    assert CaseEvent.objects.count() == events


def test_recall_goes_back_to_to_dispatch_with_its_clock(
    users, departments, clock, outbox, django_capture_on_commit_callbacks
):
    case = case_in_state("dispatched", users)
    deadline = case.handling_deadline
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_recall(case, users["operator"], reason="派错部门")
    case.refresh_from_db()
    assert case.status == S.RETURNED and case.assigned_department is None
    assert case.handling_deadline == deadline  # the clock keeps running in 待派遣
    assert case_clock.clock_of(case) is case_clock.HANDLING
    assert [(m.kind, m.recipient.department_id) for m in outbox if m.kind == "recall"] == [
        ("recall", departments["cg"].pk)
    ]
    # 撤回 → 派遣 again.
    services.do_dispatch(case, users["operator"], department=departments["fg"])
    case.refresh_from_db()
    assert case.status == S.DISPATCHED and case.assigned_department == departments["fg"]


def test_hurry_only_near_or_past_the_deadline_and_counted(
    users, departments, clock, outbox, django_capture_on_commit_callbacks
):
    case = case_in_state("accepted", users)  # dispatched Mon 10:00, 1 working day
    assert A.HURRY not in available_actions(users["operator"], case)
    with pytest.raises(services.IllegalTransition) as far:
        services.do_hurry(case, users["operator"])
    assert "距处置期限尚远" in far.value.message
    clock.set(2026, 11, 24, 15, 30)  # 80 % of the limit used: yellow
    case.refresh_from_db()
    assert A.HURRY in available_actions(users["operator"], case)
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_hurry(case, users["operator"], note="请今天处理")
    clock.set(2026, 11, 25, 10, 0)  # overdue: red
    with django_capture_on_commit_callbacks(execute=True):
        services.do_hurry(case, users["chief"])
    case.refresh_from_db()
    assert case.hurry_count == 2
    hurried = [m for m in outbox if m.kind == "hurry"]
    assert len(hurried) == 2 and "已超过处置期限" in hurried[-1].text
    assert all(m.recipient.department_id == departments["cg"].pk for m in hurried)
    start, end = indicators.period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    rows = indicators.compute(users["admin"], start, end, group="department")
    assert {r["code"]: r["hurried"] for r in rows} == {"CG": 1}


def test_co_handlers_give_feedback_before_the_lead_handles(users, departments, clock, media_files):
    case = case_in_state("filed", users)
    services.do_dispatch(
        case,
        users["operator"],
        department=departments["cg"],
        co_departments=[departments["fg"].pk, departments["sw"].pk],
    )
    services.do_accept(case, users["handler"])
    case.refresh_from_db()
    # The co-handler sees the case and may give its part, not handle the case.
    assert scope_cases(Case.objects.all(), users["handler_fg"]).filter(pk=case.pk).exists()
    assert available_actions(users["handler_fg"], case) == [A.CO_FEEDBACK]
    # The lead waits for every part: no 处置反馈 offered, and the service refuses it.
    assert A.HANDLE not in available_actions(users["handler"], case)
    with pytest.raises(services.IllegalTransition) as waiting:
        services.do_handle(case, users["handler"], result="已清理")
    assert "房管办" in waiting.value.message and "市容所" in waiting.value.message
    with pytest.raises(ValidationError):
        services.do_co_feedback(case, users["handler_fg"], feedback="")
    done = services.do_co_feedback(
        case, users["handler_fg"], feedback="已通知物业清运", photos=[png("fg.png")]
    )
    assert [p.event_id for p in done.photos] == [done.event.pk]
    part = CoHandling.objects.get(case=case, department=departments["fg"])
    assert part.status == "done" and part.feedback == "已通知物业清运"
    with pytest.raises(PermissionDenied):
        services.do_co_feedback(case, users["handler_fg"], feedback="again")
    with pytest.raises(services.IllegalTransition):
        services.do_handle(case, users["handler"], result="已清理")
    services.do_co_feedback(case, None, feedback="已清洗路面", department=departments["sw"].pk)
    case.refresh_from_db()
    assert A.HANDLE in available_actions(users["handler"], case)
    services.do_handle(case, users["handler"], result="已清理")
    case.refresh_from_db()
    assert case.status == S.HANDLED


def test_co_departments_must_be_other_active_departments(users, departments, clock):
    case = case_in_state("filed", users)
    with pytest.raises(ValidationError) as same:
        services.do_dispatch(
            case,
            users["operator"],
            department=departments["cg"],
            co_departments=[departments["cg"]],
        )
    assert "主办部门不能同时是协办部门" in str(same.value)
    case.refresh_from_db()
    assert case.status == S.FILED and not CoHandling.objects.exists()


def test_unmerge_by_the_chief_restores_the_duplicate(users, clock):
    master = case_in_state("filed", users)
    duplicate = case_in_state("filed", users)
    services.do_merge(duplicate, users["chief"], master=master.number)
    duplicate.refresh_from_db()
    assert A.UNMERGE in available_actions(users["chief"], duplicate)
    assert A.UNMERGE not in available_actions(users["operator"], duplicate)
    with pytest.raises(ValidationError):
        services.do_unmerge(duplicate, users["chief"], reason=" ")
    services.do_unmerge(duplicate, users["chief"], reason="不是同一处")
    duplicate.refresh_from_db()
    assert duplicate.status == S.FILED and duplicate.merged_into is None
    assert master.events.filter(action=A.UNMERGE_RECEIVE).exists()


def test_a_ticket_typed_in_is_found_by_the_hotlines_push(api, users, garbage, clock):
    typed = report(
        users["operator"],
        source="hotline_12345",
        external_ticket="SH-2026-000123",
        reporter_phone="13912345678",
    )
    assert typed.hotline_deadline is None
    with pytest.raises(ValidationError) as twice:
        report(users["operator"], source="hotline_12345", external_ticket="SH-2026-000123")
    assert "已登记为案件" in str(twice.value)
    push = {
        "ticket": "SH-2026-000123",
        "category": garbage.pk,
        "description": "热线推送",
        "dispatched_at": "2026-11-23T09:00:00+08:00",
        "deadline": "2026-11-27T17:00:00+08:00",
        "hotline_request_type": "help",
    }
    response = api(users["operator"]).post("/api/cases/hotline/", push, format="json")
    assert response.status_code == 200, response.data
    assert response.data["number"] == typed.number
    typed.refresh_from_db()
    assert typed.hotline_deadline is not None and typed.hotline_request_type == "help"
    assert typed.description != "热线推送"  # what the desk typed stays
    assert typed.events.filter(action=A.HOTLINE_CLOCK).count() == 1
    again = api(users["operator"]).post("/api/cases/hotline/", push, format="json")
    assert again.status_code == 200 and typed.events.filter(action=A.HOTLINE_CLOCK).count() == 1


def test_time_left_is_never_zero_beside_overdue_and_frozen_when_suspended(users, clock):
    case = case_in_state("accepted", users)  # handling deadline Tue 24 Nov 18:00
    left = case_clock.remaining(case)
    assert left.state == "left" and left.text == "剩 15 工作小时"
    clock.set(2026, 11, 24, 20, 0)  # after hours, past the deadline: 0 working hours late
    case.refresh_from_db()
    late = case_clock.remaining(case)
    assert late.state == "overdue" and late.text.startswith("超期") and "剩" not in late.text
    clock.set(2026, 11, 25, 11, 0)
    assert case_clock.remaining(case).text == "超期 2 工作小时"
    services.do_suspend(case, users["chief"], reason="等待法院裁定")
    clock.set(2026, 12, 10, 11, 0)
    case.refresh_from_db()
    assert case_clock.remaining(case).text == "挂起中，挂起时已超期 2 工作小时"


def test_time_left_of_a_suspended_case_is_the_time_left_at_suspension(users, clock):
    case = case_in_state("accepted", users)
    clock.set(2026, 11, 24, 10, 0)  # 7 working hours left (a lunch break)
    services.do_suspend(case, users["chief"], reason="等待业主回国")
    clock.set(2026, 12, 20, 10, 0)
    case.refresh_from_db()
    assert case_clock.remaining(case).text == "挂起中，剩余 7 工作小时"
