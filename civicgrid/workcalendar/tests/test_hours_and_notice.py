"""WORKING_HOURS parsing and its system check; the notice syntax round trip."""

import datetime

import pytest

from civicgrid.workcalendar.checks import check_working_hours
from civicgrid.workcalendar.hours import WorkingHoursError, parse_working_hours, working_hours_env
from civicgrid.workcalendar.notice import NoticeError, notice_lines, parse_notice

T = datetime.time


def test_env_form_and_settings_form_agree():
    assert working_hours_env("09:00-12:00, 13:00-18:00") == [("09:00", "12:00"), ("13:00", "18:00")]
    expected = ((T(9), T(12)), (T(13), T(18)))
    assert parse_working_hours([("09:00", "12:00"), ("13:00", "18:00")]) == expected
    assert parse_working_hours("09:00-12:00,13:00-18:00") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([("9", "12:00")], "第1段的时间“9”格式不对"),
        ([("09:00", "25:00")], "格式不对"),
        ([("12:00", "09:00")], "第1段的结束时间须晚于开始时间"),
        ([("09:00", "12:00"), ("11:00", "18:00")], "第2段与上一段重叠或顺序颠倒"),
        ([("09:00",)], "第1段应为“开始-结束”两个时间"),
        ([], "至少要有一段工作时间"),
    ],
)
def test_bad_working_hours_are_named(value, message):
    with pytest.raises(WorkingHoursError, match=message):
        parse_working_hours(value)


def test_system_check_reports_bad_working_hours(settings):
    assert check_working_hours(None) == []
    settings.WORKING_HOURS = [("18:00", "09:00")]
    errors = check_working_hours(None)
    assert [e.id for e in errors] == ["workcalendar.E001"]
    assert "WORKING_HOURS" in errors[0].msg


def test_notice_lines_round_trip():
    notice = parse_notice(
        2027,
        "元旦=2027-01-01:2027-01-03\n春节=2027-02-06～2027-02-14;2027-05-01",
        "春节=2027-02-20",
        "  通知  ",
    )
    assert notice.text == "通知"
    assert len(notice.holidays) == 3 + 9 + 1
    holidays, workdays = notice_lines(notice.holidays, notice.workdays)
    assert holidays == "元旦=2027-01-01:2027-01-03\n春节=2027-02-06:2027-02-14\n2027-05-01"
    assert workdays == "春节=2027-02-20"
    again = parse_notice(2027, holidays, workdays)
    assert (again.holidays, again.workdays) == (notice.holidays, notice.workdays)


def test_notice_errors_carry_their_field():
    with pytest.raises(NoticeError) as info:
        parse_notice(2027, "2027-01-01,2027-01-0x", "2027-01-01", "x" * 301)
    by_field = info.value.by_field()
    assert set(by_field) == {"notice", "holidays", "workdays"}
    assert by_field["holidays"][0].startswith("放假日期第2项“2027-01-0x”")
