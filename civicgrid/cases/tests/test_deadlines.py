"""Deadlines from the working-day calendar: National Day 2026, the 调休 Saturday, past 2026."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import CaseSource, HotlineRequestType
from civicgrid.testing.world import IN_MICRO, category, local


@pytest.fixture
def dispatch_at(users, departments, clock):
    def run(cat, *when, **report_kw):
        clock.set(*when)
        case = services.do_report(
            user=report_kw.pop("user", users["operator"]),
            category=cat,
            description="测试",
            lon=IN_MICRO[0][0],
            lat=IN_MICRO[0][1],
            **report_kw,
        ).case
        services.do_file(case, users["operator"])
        services.do_dispatch(case, users["operator"], department=departments["cg"])
        case.refresh_from_db()
        return case

    return run


def test_one_working_day_across_national_day(dispatch_at):
    # Wed 30 Sep → the next working day is Thu 8 Oct (1–7 Oct are the holiday).
    case = dispatch_at(category("event", "0102"), 2026, 9, 30, 10, 0)
    assert case.handling_deadline == local(2026, 10, 8, 18, 0)
    assert case.calendar_published


def test_adjusted_saturday_counts_as_working_day(dispatch_at):
    # Fri 9 Oct + 1 working day = Sat 10 Oct, a 调休 working Saturday.
    case = dispatch_at(category("event", "0102"), 2026, 10, 9, 10, 0)
    assert case.handling_deadline == local(2026, 10, 10, 18, 0)
    # 违法搭建, 15 working days from 30 Sep: 8, 9, 10 (Sat), 12–16, 19–23, 26, 27 Oct.
    case = dispatch_at(category("community", "0111"), 2026, 9, 30, 10, 0)
    assert case.handling_deadline == local(2026, 10, 27, 18, 0)


def test_working_hours_limit_skips_the_holiday(dispatch_at):
    # 机动车乱停放: 4 working hours; 2 on 30 Sep (16–18), 2 on 8 Oct (9–11).
    case = dispatch_at(category("event", "0505"), 2026, 9, 30, 16, 0)
    assert case.handling_deadline == local(2026, 10, 8, 11, 0)


def test_filing_limits_ordinary_and_urgent(users, clock):
    clock.set(2026, 9, 30, 17, 50)
    ordinary = services.do_report(
        user=users["worker"], category=category("event", "0102"), description="x"
    ).case
    assert ordinary.filing_deadline == local(2026, 10, 8, 9, 20)  # 30 working minutes
    clock.set(2026, 10, 1, 3, 0)
    urgent = services.do_report(
        user=users["worker"], category=category("event", "0401"), description="路面塌陷"
    ).case
    assert urgent.filing_deadline == local(2026, 10, 1, 3, 10)  # emergencies: wall clock


def test_verification_limit_one_working_hour(dispatch_at, users, clock):
    case = dispatch_at(category("event", "0102"), 2026, 9, 30, 10, 0)
    services.do_accept(case, users["handler"])
    clock.set(2026, 9, 30, 17, 30)
    services.do_handle(case, users["handler"], result="已清理")
    case.refresh_from_db()
    assert case.verification_deadline == local(2026, 10, 8, 9, 30)


def test_hotline_request_type_sets_the_limit(dispatch_at):
    case = dispatch_at(
        category("event", "0102"),
        2026,
        9,
        30,
        10,
        0,
        source=CaseSource.HOTLINE_12345,
        hotline_request_type=HotlineRequestType.HELP,
    )
    # 一般求助/投诉: 5 working days: 8, 9, 10 (Sat), 12, 13 Oct.
    assert case.handling_deadline == local(2026, 10, 13, 18, 0)


def test_deadline_past_2026_is_flagged_not_failed(dispatch_at):
    case = dispatch_at(category("event", "0102"), 2026, 12, 29, 10, 0)
    assert case.handling_deadline == local(2026, 12, 30, 18, 0) and case.calendar_published
    # 15 working days into 2027, whose notice is not entered: Monday–Friday assumed
    # (31 Dec, 1 Jan, 4–8, 11–15, 18–20 Jan).
    case = dispatch_at(category("community", "0111"), 2026, 12, 30, 10, 0)
    assert case.handling_deadline == local(2027, 1, 20, 18, 0)
    assert not case.calendar_published


def test_suspension_over_the_holiday_pushes_by_paused_working_time(dispatch_at, users, clock):
    case = dispatch_at(category("event", "0102"), 2026, 9, 29, 10, 0)
    assert case.handling_deadline == local(2026, 9, 30, 18, 0)
    clock.set(2026, 9, 30, 9, 0)
    services.do_suspend(case, users["chief"], reason="等待鉴定")
    clock.set(2026, 10, 8, 9, 0)
    services.do_resume(case, users["chief"])
    case.refresh_from_db()
    # 8 working hours of 30 Sep were paused (the holiday costs nothing): 8 Oct 18:00.
    assert case.handling_deadline == local(2026, 10, 8, 18, 0)
    resume = case.events.get(action="resume")
    assert resume.data["handling_deadline"].startswith("2026-10-08T18:00")


def test_suspension_after_the_deadline_does_not_excuse_it(dispatch_at, users, clock):
    case = dispatch_at(category("event", "0102"), 2026, 9, 29, 10, 0)
    clock.set(2026, 10, 9, 9, 0)  # already overdue
    services.do_suspend(case, users["chief"], reason="等待")
    clock.set(2026, 10, 12, 9, 0)
    services.do_resume(case, users["chief"])
    case.refresh_from_db()
    assert case.handling_deadline == local(2026, 9, 30, 18, 0)


def test_extension_counts_working_days_from_the_old_deadline(dispatch_at, users):
    case = dispatch_at(category("event", "0102"), 2026, 9, 30, 10, 0)
    request = services.do_request_extension(
        case, users["handler"], days=2, reason="节后协调"
    ).extension
    services.do_decide_extension(case, users["chief"], extension=request.pk, approve=True)
    case.refresh_from_db()
    assert case.handling_deadline == local(2026, 10, 10, 18, 0)  # 8 Oct + 9, 10 (Sat)
    request.refresh_from_db()
    assert request.new_deadline == case.handling_deadline
    assert request.previous_deadline == local(2026, 10, 8, 18, 0)
