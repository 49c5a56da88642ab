"""The loop through cases.services: every state, every side path, history, counters, refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases import indicators, services
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.choices import ExtensionStatus, Rating
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.workflow import TRANSITIONS, allowed_actions
from civicgrid.testing.world import IN_MICRO, category, local


def report(user, cat, point=IN_MICRO[0], **kw):
    return services.do_report(
        user=user, category=cat, description="小区门口垃圾堆积", lon=point[0], lat=point[1], **kw
    ).case


def history(case):
    return [
        (e.action, e.actor.username if e.actor else None, e.from_status, e.to_status)
        for e in CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    ]


# The 退回 → 延期 → 挂起 → 约请 → 合并 → 返工 → 评价 story of one case, split into one test per
# side path. Each step below takes the case one stage further (the same times, the same users);
# a test runs the stages before its own and checks its side path.


def _reported(u, garbage):
    return report(u["resident"], garbage)


def _dispatched(u, garbage, clock):
    case = _reported(u, garbage)
    clock.advance(minutes=5)
    services.do_file(case, u["operator"], note="属实")
    services.do_dispatch(case, u["operator"])  # the category's default: 城管
    return case


def _returned(u, garbage, clock):
    case = _dispatched(u, garbage, clock)
    clock.advance(minutes=30)
    services.do_return(case, u["handler"], reason="属于物业管理范围,非城管职责")
    return case


def _with_fg(u, garbage, departments, clock):
    case = _returned(u, garbage, clock)
    services.do_dispatch(case, u["operator"], department=departments["fg"].pk, note="改派房管")
    services.do_accept(case, u["handler_fg"])
    case.refresh_from_db()
    return case


def _extended(u, garbage, departments, clock):
    case = _with_fg(u, garbage, departments, clock)
    request = services.do_request_extension(
        case, u["handler_fg"], days=2, reason="需协调物业"
    ).extension
    services.do_decide_extension(case, u["chief"], extension=request, approve=True)
    case.refresh_from_db()
    return case


def _resumed(u, garbage, departments, clock):
    case = _extended(u, garbage, departments, clock)
    clock.set(2026, 11, 24, 9, 0)
    services.do_suspend(case, u["chief"], reason="等待业主回沪")
    clock.set(2026, 11, 25, 9, 0)
    services.do_resume(case, u["chief"], note="业主已回")
    case.refresh_from_db()
    return case


def _called_in(u, garbage, departments, clock):
    case = _resumed(u, garbage, departments, clock)
    call_in = services.do_start_call_in(
        case,
        u["staff"],
        reason="物业与房管职责不清",
        departments=[departments["cg"].pk, departments["fg"].pk],
    ).call_in
    services.do_record_call_in_outcome(
        case, u["operator"], call_in=call_in.pk, outcome="房管牵头,物业配合清运"
    )
    return case


def _merged(u, garbage, departments, clock):
    case = _called_in(u, garbage, departments, clock)
    duplicate = report(u["resident2"], garbage)
    services.do_merge(duplicate, u["chief"], master=case, note="同一处垃圾")
    return case, duplicate


def _closed(u, garbage, departments, clock):
    case, duplicate = _merged(u, garbage, departments, clock)
    services.do_handle(case, u["handler_fg"], result="已清理")
    services.do_verify_fail(case, u["worker"], reason="仍有残余")
    services.do_handle(case, u["handler_fg"], result="已彻底清理")
    services.do_verify_pass(case, u["worker"], note="现场核实")
    case.refresh_from_db()
    return case, duplicate


def test_report_file_and_dispatch_to_the_default_department(users, garbage, departments, clock):
    u = users
    case = _reported(u, garbage)
    assert case.status == S.REPORTED
    assert case.number.startswith("2026112300")
    assert case.micro_grid is not None and not case.needs_manual_location
    assert case.reporter_user == u["resident"] and case.reporter_phone == "13912345678"

    case = _dispatched(u, garbage, clock)
    case.refresh_from_db()
    assert case.assigned_department == departments["cg"]


def test_return_and_redispatch(users, garbage, departments, clock):
    # Side path: 退回 — not 城管's business; the operator re-dispatches to 房管.
    u = users
    case = _returned(u, garbage, clock)
    case.refresh_from_db()
    assert case.status == S.RETURNED and case.returned_count == 1
    # The clock runs on while it waits in 待派遣; the re-dispatch starts a new one.
    assert case.assigned_department is None and case.handling_deadline is not None
    waiting = case.handling_deadline

    clock.advance(days=2)
    services.do_dispatch(case, u["operator"], department=departments["fg"].pk, note="改派房管")
    case.refresh_from_db()
    assert case.handling_deadline > waiting
    services.do_accept(case, u["handler_fg"])
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.assigned_department == departments["fg"]
    assert case.returned_count == 1
    events = {e.action: e for e in case.events.all()}
    assert events[A.RETURN].note == "属于物业管理范围,非城管职责"
    assert events[A.RETURN].data["department"] == "CG"
    assert events[A.DISPATCH].data["department"] == "FG"


def test_extension_moves_the_deadline_by_two_working_days(users, garbage, departments, clock):
    # Side path: 延期 requested and approved — the deadline moves by 2 working days.
    u = users
    case = _with_fg(u, garbage, departments, clock)
    before = case.handling_deadline
    request = services.do_request_extension(
        case, u["handler_fg"], days=2, reason="需协调物业"
    ).extension
    approved = services.do_decide_extension(
        case, u["chief"], extension=request, approve=True
    ).extension
    case.refresh_from_db()
    assert approved.status == ExtensionStatus.APPROVED
    assert approved.previous_deadline == before
    assert case.extension_count == 1
    assert (case.handling_deadline - before).days == 2  # Tue 18:00 → Thu 18:00
    assert [a for a, *_ in history(case)][-2:] == [A.REQUEST_EXTENSION, A.DECIDE_EXTENSION]


def test_suspension_pauses_the_handling_clock(users, garbage, departments, clock):
    # Side path: 挂起 / 恢复 — a whole working day paused pushes the deadline by 8 hours.
    u = users
    case = _extended(u, garbage, departments, clock)
    with_extension = case.handling_deadline
    clock.set(2026, 11, 24, 9, 0)
    services.do_suspend(case, u["chief"], reason="等待业主回沪")
    with pytest.raises(services.IllegalTransition):
        services.do_handle(case, u["handler_fg"], result="已清理")
    clock.set(2026, 11, 25, 9, 0)
    services.do_resume(case, u["chief"], note="业主已回")
    case.refresh_from_db()
    assert not case.is_suspended and len(case.pauses) == 1
    assert case.handling_deadline == local(2026, 11, 27, 18, 0)  # Thu 26 18:00 + 8 wh
    assert with_extension == local(2026, 11, 26, 18, 0)
    assert history(case)[-2:] == [
        (A.SUSPEND, "chief", S.ACCEPTED, S.ACCEPTED),
        (A.RESUME, "chief", S.ACCEPTED, S.ACCEPTED),
    ]


def test_call_in_brings_two_departments_together(users, garbage, departments, clock):
    # Side path: 基层约请 — the community brings two departments together.
    u = users
    case = _resumed(u, garbage, departments, clock)
    call_in = services.do_start_call_in(
        case,
        u["staff"],
        reason="物业与房管职责不清",
        departments=[departments["cg"].pk, departments["fg"].pk],
    ).call_in
    services.do_record_call_in_outcome(
        case, u["operator"], call_in=call_in.pk, outcome="房管牵头,物业配合清运"
    )
    call_in.refresh_from_db()
    assert call_in.status == "concluded" and call_in.departments.count() == 2
    events = {e.action: e for e in case.events.all()}
    assert events[A.START_CALL_IN].data["departments"] == ["CG", "FG"]


def test_merge_takes_in_a_duplicate(users, garbage, departments, clock):
    # Side path: 合并 — a duplicate of the same heap goes into this case.
    u = users
    case = _called_in(u, garbage, departments, clock)
    duplicate = report(u["resident2"], garbage)
    services.do_merge(duplicate, u["chief"], master=case, note="同一处垃圾")
    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED and duplicate.merged_into == case
    events = {e.action: e for e in case.events.all()}
    assert events[A.MERGE_RECEIVE].data["duplicate"] == duplicate.number
    assert history(duplicate) == [
        (A.REPORT, "resident2", "", S.REPORTED),
        (A.MERGE, "chief", S.REPORTED, S.MERGED),
    ]


def test_rework_then_verification_closes(users, garbage, departments, clock):
    # 处置 → 核查不通过 (返工) → 处置 → 核查通过 → 结案.
    u = users
    case, _duplicate = _merged(u, garbage, departments, clock)
    services.do_handle(case, u["handler_fg"], result="已清理")
    services.do_verify_fail(case, u["worker"], reason="仍有残余")
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.rework_count == 1
    services.do_handle(case, u["handler_fg"], result="已彻底清理")
    services.do_verify_pass(case, u["worker"], note="现场核实")
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.closed_at is not None
    events = {e.action: e for e in case.events.all()}
    assert events[A.VERIFY_FAIL].note == "仍有残余"


def test_unsatisfied_rating_reopens_once_and_the_whole_story(users, garbage, departments, clock):
    # 评价 不满意 reopens once; the second 不满意 stays closed.
    u = users
    case, duplicate = _closed(u, garbage, departments, clock)
    services.do_rate(case, u["resident"], rating=Rating.UNSATISFIED, comment="反复出现")
    case.refresh_from_db()
    assert case.status == S.ACCEPTED and case.reopened_once and case.rating == ""
    assert case.closed_at is None and case.handling_deadline is not None
    services.do_handle(case, u["handler_fg"], result="加装围挡")
    services.do_verify_pass(case, u["worker"])
    services.do_rate(case, u["resident"], rating=Rating.UNSATISFIED, comment="还是不满意")
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.rating == Rating.UNSATISFIED
    assert case.rated_at is not None
    with pytest.raises(services.IllegalTransition):
        services.do_rate(case, u["resident"], rating=Rating.SATISFIED)

    # The whole story in the history, and the counters.
    assert history(case) == [
        (A.REPORT, "resident", "", S.REPORTED),
        (A.FILE, "operator", S.REPORTED, S.FILED),
        (A.DISPATCH, "operator", S.FILED, S.DISPATCHED),
        (A.RETURN, "handler", S.DISPATCHED, S.RETURNED),
        (A.DISPATCH, "operator", S.RETURNED, S.DISPATCHED),
        (A.ACCEPT, "handler_fg", S.DISPATCHED, S.ACCEPTED),
        (A.REQUEST_EXTENSION, "handler_fg", S.ACCEPTED, S.ACCEPTED),
        (A.DECIDE_EXTENSION, "chief", S.ACCEPTED, S.ACCEPTED),
        (A.SUSPEND, "chief", S.ACCEPTED, S.ACCEPTED),
        (A.RESUME, "chief", S.ACCEPTED, S.ACCEPTED),
        (A.START_CALL_IN, "staff", S.ACCEPTED, S.ACCEPTED),
        (A.RECORD_CALL_IN_OUTCOME, "operator", S.ACCEPTED, S.ACCEPTED),
        (A.MERGE_RECEIVE, "chief", S.ACCEPTED, S.ACCEPTED),
        (A.HANDLE, "handler_fg", S.ACCEPTED, S.HANDLED),
        (A.VERIFY_FAIL, "worker", S.HANDLED, S.ACCEPTED),
        (A.HANDLE, "handler_fg", S.ACCEPTED, S.HANDLED),
        (A.VERIFY_PASS, "worker", S.HANDLED, S.CLOSED),
        (A.RATE, "resident", S.CLOSED, S.CLOSED),
        (A.REOPEN, "resident", S.CLOSED, S.ACCEPTED),
        (A.HANDLE, "handler_fg", S.ACCEPTED, S.HANDLED),
        (A.VERIFY_PASS, "worker", S.HANDLED, S.CLOSED),
        (A.RATE, "resident", S.CLOSED, S.CLOSED),
    ]
    assert case.returned_count == 1 and case.rework_count == 1 and case.extension_count == 1
    assert duplicate.number != case.number

    # The indicators see the loop: one filed case (the merged duplicate is not counted), closed,
    # reworked, extended, rated 不满意 at both closures (the first, which reopened it, counts too).
    start, end = indicators.period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    (row,) = indicators.compute(u["operator"], start, end)
    assert (row["filed"], row["due"], row["closed"], row["closed_on_time"]) == (1, 1, 1, 1)
    assert (row["reworked"], row["extended"], row["rated"], row["satisfied"]) == (1, 1, 2, 0)
    assert row["rework_rate"] == 100.0 and row["satisfaction_rate"] == 0.0


def test_refused_filing_and_grid_internal_handling(users, garbage, clock):
    u = users
    refused = report(u["worker"], garbage)
    services.do_refuse_filing(refused, u["chief"], reason="重复上报")
    refused.refresh_from_db()
    assert refused.status == S.NOT_FILED
    assert history(refused)[-1] == (A.REFUSE_FILING, "chief", S.REPORTED, S.NOT_FILED)
    with pytest.raises(services.IllegalTransition):
        services.do_file(refused, u["operator"])

    own = report(u["worker"], garbage)
    assert own.source == "grid_patrol"
    services.do_file(own, u["operator"])
    services.do_dispatch(own, u["operator"], to_grid=True)
    # A department handler has no business with a grid-internal case.
    with pytest.raises(PermissionDenied):
        services.do_accept(own, u["handler"])
    # Nor a grid worker of another micro-grid.
    with pytest.raises(PermissionDenied):
        services.do_accept(own, u["worker2"])
    services.do_accept(own, u["worker"])
    services.do_handle(own, u["worker"], result="已劝导清理")
    services.do_verify_pass(own, u["staff"])
    own.refresh_from_db()
    assert own.status == S.CLOSED and own.handled_by_grid


def test_illegal_transition_changes_nothing(users, clock):
    case = report(users["resident"], category("community", "0101"))  # no default department
    before = Case.objects.filter(pk=case.pk).values().get()
    events = CaseEvent.objects.count()
    for call in [
        lambda: services.do_accept(case, users["handler"]),
        lambda: services.do_handle(case, users["handler"], result="x"),
        lambda: services.do_verify_pass(case, users["operator"]),
        lambda: services.do_rate(case, users["resident"], rating=Rating.SATISFIED),
        lambda: services.do_resume(case, users["chief"]),
    ]:
        with pytest.raises(services.IllegalTransition) as info:
            call()
        assert "待受理" in info.value.message
    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert CaseEvent.objects.count() == events
    # Bad input is refused before anything is written, too.
    services.do_file(case, users["operator"])
    before = Case.objects.filter(pk=case.pk).values().get()
    events = CaseEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        services.do_dispatch(case, users["operator"])  # no default department on 0102 here
    assert "部门" in str(info.value)
    with pytest.raises(ValidationError):
        services.do_return(case, users["handler"], reason="  ")
    with pytest.raises(ValidationError):
        services.do_request_extension(case, users["handler"], days=0, reason="x")
    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert CaseEvent.objects.count() == events


def test_roles_and_scope(users, garbage, clock):
    u = users
    case = report(u["resident"], garbage)
    for who in ["resident", "worker", "handler", "staff", "leader"]:
        with pytest.raises(PermissionDenied):
            services.do_file(case, u[who])
    services.do_file(case, u["operator"])
    services.do_dispatch(case, u["operator"])
    with pytest.raises(PermissionDenied):
        services.do_accept(case, u["handler_fg"])  # another department
    with pytest.raises(PermissionDenied):
        services.do_accept(case, u["operator"])  # the street does not handle
    services.do_accept(case, u["handler"])
    services.do_handle(case, u["handler"], result="已清理")
    with pytest.raises(PermissionDenied):
        services.do_verify_pass(case, u["worker2"])  # not their grid
    with pytest.raises(PermissionDenied):
        services.do_verify_pass(case, u["staff2"])  # not their community
    services.do_verify_pass(case, u["staff"])
    with pytest.raises(PermissionDenied):
        services.do_rate(case, u["resident2"], rating=Rating.SATISFIED)  # not the reporter
    services.do_rate(case, u["resident"], rating=Rating.SATISFIED)
    assert Case.objects.get(pk=case.pk).rating == Rating.SATISFIED


def test_call_in_needs_overdue_or_two_departments(users, garbage, departments, clock):
    case = report(users["resident"], garbage)
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])
    with pytest.raises(ValidationError):
        services.do_start_call_in(
            case, users["staff"], reason="催办", departments=[departments["cg"].pk]
        )
    clock.advance(days=5)  # past the 1-working-day limit: overdue
    call_in = services.do_start_call_in(
        case, users["staff"], reason="超期未处置", departments=[departments["cg"].pk]
    ).call_in
    with pytest.raises(services.IllegalTransition):
        services.do_start_call_in(
            case, users["staff"], reason="再次约请", departments=[departments["cg"].pk]
        )
    with pytest.raises(PermissionDenied):
        services.do_start_call_in(
            case, users["staff2"], reason="x", departments=[departments["cg"].pk]
        )
    assert call_in.status == "open"


def test_merge_refusals(users, garbage, clock):
    a = report(users["resident"], garbage)
    b = report(users["resident2"], garbage)
    with pytest.raises(ValidationError):
        services.do_merge(a, users["chief"], master=a)
    services.do_merge(b, users["chief"], master=a)
    with pytest.raises(services.IllegalTransition):
        services.do_merge(a, users["chief"], master=b)  # master already merged


def test_history_rows_are_immutable(users, garbage, clock):
    case = report(users["resident"], garbage)
    event = case.events.get()
    event.note = "改写"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(ValueError):
        CaseEvent.objects.filter(case=case).update(note="改写")
    with pytest.raises(ValueError):
        CaseEvent.objects.filter(case=case).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_notifications_after_commit_only(
    users, garbage, clock, outbox, django_capture_on_commit_callbacks
):
    case = report(users["resident"], garbage)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_file(case, users["operator"])
    assert [(m.kind, m.recipient.kind) for m in outbox] == [("file", "reporter")]
    assert outbox[0].recipient.phone == "13912345678"
    assert case.public_token in outbox[0].link
    # A refused action schedules nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(PermissionDenied):
            services.do_dispatch(case, users["resident"])
    assert callbacks == [] and len(outbox) == 1


def test_workflow_table_is_consistent():
    statuses = set(S.values) | {""}
    for action, rule in TRANSITIONS.items():
        assert action in A.values
        assert rule.sources <= statuses
        assert rule.target is None or rule.target in S.values
    assert allowed_actions(S.HANDLED, "grid_worker") == [
        A.VERIFY_PASS,
        A.VERIFY_FAIL,
        A.FIRST_CONTACT,
    ]
    assert A.RESUME in allowed_actions(S.ACCEPTED, "shift_chief", suspended=True)
    assert A.DISPATCH not in allowed_actions(S.FILED, "operator", suspended=True)
    # The 受理/派遣员 takes in, files and dispatches; the 值班长 approves.
    assert A.RESUME not in allowed_actions(S.ACCEPTED, "operator", suspended=True)
    for status, action in [
        (S.REPORTED, A.REFUSE_FILING),
        (S.REPORTED, A.MERGE),
        (S.ACCEPTED, A.SUSPEND),
        (S.ACCEPTED, A.DECIDE_EXTENSION),
    ]:
        assert action in allowed_actions(status, "shift_chief"), action
        assert action not in allowed_actions(status, "operator"), action
    assert A.FILE in allowed_actions(S.REPORTED, "operator")
    assert A.FILE in allowed_actions(S.REPORTED, "shift_chief")
    assert allowed_actions(S.ACCEPTED, "duty_leader") == []


def test_more_refusals_and_details(users, garbage, departments, clock):
    u = users
    # Leaders look, they do not report or act.
    with pytest.raises(PermissionDenied):
        report(u["leader"], garbage)
    # A department's self-report carries its source.
    assert report(u["handler"], garbage).source == "department"

    unlocated = services.do_report(user=u["operator"], category=garbage, description="无坐标").case
    assert unlocated.needs_manual_location and unlocated.micro_grid is None
    # Filing may correct the category; the history keeps both codes.
    services.do_file(unlocated, u["operator"], category=category("event", "0507").pk)
    unlocated.refresh_from_db()
    assert unlocated.category.code == "0507"
    assert unlocated.events.get(action=A.FILE).data["category"] == {"from": "0102", "to": "0507"}
    with pytest.raises(ValidationError) as info:
        services.do_dispatch(unlocated, u["operator"], to_grid=True)
    assert "尚未定位" in str(info.value)

    case = report(u["resident"], garbage)
    services.do_file(case, u["operator"])
    services.do_dispatch(case, u["operator"])
    services.do_suspend(case, u["chief"], reason="等待")
    with pytest.raises(services.IllegalTransition):
        services.do_suspend(case, u["chief"], reason="再挂起")
    services.do_resume(case, u["chief"])
    # A rejected extension leaves the deadline alone; a decided request cannot be decided again.
    deadline = Case.objects.get(pk=case.pk).handling_deadline
    request = services.do_request_extension(case, u["handler"], days=3, reason="材料未齐").extension
    with pytest.raises(services.IllegalTransition):
        services.do_request_extension(case, u["handler"], days=1, reason="再申请")
    services.do_decide_extension(case, u["chief"], extension=request, approve=False, note="不批")
    case.refresh_from_db()
    assert case.handling_deadline == deadline and case.extension_count == 0
    with pytest.raises(services.IllegalTransition):
        services.do_decide_extension(case, u["chief"], extension=request, approve=True)


def test_complex_hotline_ticket_waits_for_the_chiefs_approval(users, garbage, clock):
    case, created = services.intake_hotline(
        user=users["operator"],
        ticket="T-COMPLEX",
        category=garbage,
        description="多部门疑难诉求",
        hotline_request_type="complex",
    )
    assert created
    services.do_file(case, users["operator"])
    assert case.events.get(action=A.FILE).data == {}
    services.do_dispatch(case, users["operator"])
    case.refresh_from_db()
    assert services.handling_limit(case) == (5, "working_days")
    services.do_approve_complex_limit(case, users["chief"])
    case.refresh_from_db()
    assert services.handling_limit(case) == (15, "working_days")
