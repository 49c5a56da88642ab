"""The 12345 clock: a ticket's handling clock starts at the hotline's dispatch and runs to the
hotline's deadline; the street's own dispatch does not restart it and a 退回 does not stop it."""

import pytest

from civicgrid.cases import clock as case_clock
from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO, local

HOTLINE = "/api/cases/hotline/"


def push(garbage, ticket="SH12345-20261123-0001", **extra):
    return {
        "ticket": ticket,
        "category": garbage.pk,
        "description": "小区门口垃圾堆放多日无人清运",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        "hotline_request_type": "help",
        **extra,
    }


def test_the_hotline_deadline_runs_from_the_push(api, users, garbage, clock):
    # Monday 23 Nov 2026: the hotline dispatched at 09:00 with a deadline Wednesday 18:00; the
    # push reaches the street at 10:00.
    response = api(users["operator"]).post(
        HOTLINE,
        push(
            garbage,
            dispatched_at="2026-11-23T09:00:00+08:00",
            deadline="2026-11-25T18:00:00+08:00",
        ),
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["hotline_dispatched_at"] == "2026-11-23T09:00:00+08:00"
    assert response.data["hotline_deadline"] == "2026-11-25T18:00:00+08:00"
    case = Case.objects.get(number=response.data["number"])
    assert case.handling_deadline == local(2026, 11, 25, 18, 0)
    # Already running while the street has not yet filed it: the hotline's clock, not filing's.
    assert case_clock.clock_of(case) is case_clock.HOTLINE
    assert case_clock.running_deadline(case) == local(2026, 11, 25, 18, 0)

    # The street files and dispatches on Tuesday: the deadline stays the hotline's.
    clock.set(2026, 11, 24, 9, 0)
    services.do_file(case, users["operator"])
    done = services.do_dispatch(case, users["operator"], department=garbage.default_department)
    assert done.case.handling_deadline == local(2026, 11, 25, 18, 0)
    assert done.event.data["handling_deadline"] == "2026-11-25T10:00:00+00:00"

    # The department returns it (not theirs): the clock keeps running in 已退回.
    services.do_return(case, users["handler"], reason="不属于本部门职责")
    case.refresh_from_db()
    assert case.status == "returned"
    assert case.handling_deadline == local(2026, 11, 25, 18, 0)
    assert case_clock.is_running(case)
    after = local(2026, 11, 25, 18, 1)
    assert case_clock.is_overdue(case, after)
    assert not case_clock.is_overdue(case, local(2026, 11, 25, 17, 59))
    assert list(Case.objects.filter(case_clock.overdue_q(after))) == [case]
    # And through the API's filter.
    clock.move_to(after)
    listed = api(users["operator"]).get("/api/cases/", {"overdue": "true"})
    assert [row["number"] for row in listed.data["results"]] == [case.number]


def test_an_ordinary_return_keeps_the_handling_clock_running(users, garbage, departments, clock):
    case = services.do_report(
        user=users["operator"],
        category=garbage,
        description="路边垃圾",
        source="resident",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"], department=departments["cg"])
    services.do_return(case, users["handler"], reason="不属于本部门职责")
    case.refresh_from_db()
    # A returned case waiting in 待派遣 is not forgotten: the street's handling clock runs on
    # (the re-dispatch starts a new one).
    assert case.handling_deadline is not None
    assert case_clock.clock_of(case) is case_clock.HANDLING
    assert Case.objects.filter(case_clock.overdue_q(local(2027, 1, 1))).exists()


def test_a_dispatch_time_without_deadline_gets_the_request_types_limit(api, users, garbage, clock):
    response = api(users["operator"]).post(
        HOTLINE, push(garbage, dispatched_at="2026-11-20T15:00:00+08:00"), format="json"
    )
    assert response.status_code == 201, response.data
    case = Case.objects.get(number=response.data["number"])
    # 一般求助/投诉: 5 working days from Friday 20 Nov → Friday 27 Nov, end of the working day.
    assert case.hotline_dispatched_at == local(2026, 11, 20, 15, 0)
    assert case.handling_deadline == local(2026, 11, 27, 18, 0)


def test_a_deadline_before_the_dispatch_is_refused(api, users, garbage, clock):
    response = api(users["operator"]).post(
        HOTLINE,
        push(
            garbage,
            dispatched_at="2026-11-23T09:00:00+08:00",
            deadline="2026-11-22T18:00:00+08:00",
        ),
        format="json",
    )
    assert response.status_code == 400
    assert response.data["deadline"] == ["办理期限必须晚于派单时间"]
    future = api(users["operator"]).post(
        HOTLINE, push(garbage, dispatched_at="2026-11-24T09:00:00+08:00"), format="json"
    )
    assert future.status_code == 400
    assert future.data["dispatched_at"] == ["派单时间不能晚于当前时间"]
    assert Case.objects.count() == 0


def test_only_a_12345_ticket_carries_the_hotline_clock(users, garbage, clock):
    with pytest.raises(services.ValidationError) as refused:
        services.do_report(
            user=users["operator"],
            category=garbage,
            description="路边垃圾",
            source="resident",
            hotline_deadline=local(2026, 11, 25, 18, 0),
        )
    assert refused.value.message_dict == {"dispatched_at": ["派单时间和办理期限只用于12345工单"]}
    assert Case.objects.count() == 0
