"""import_holiday_notice: publishing 2027 atomically, and refusing bad input without writing."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civicgrid.testing.world import local
from civicgrid.workcalendar import services
from civicgrid.workcalendar.choices import DayKind, DaySource
from civicgrid.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear
from civicgrid.workcalendar.tests.notice import NOTICE_2027_HOLIDAYS, NOTICE_2027_WORKDAYS

pytestmark = pytest.mark.django_db

D = datetime.date


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_holiday_notice", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return (
        CalendarRevision.objects.get(pk=1).revision,
        CalendarYear.objects.count(),
        CalendarDay.objects.count(),
        list(CalendarDay.objects.filter(date__year=2026).values_list("date", "kind", "source")),
    )


def test_publishing_2027_changes_the_same_deadline_and_its_flag():
    before = services.add_working_days(local(2026, 12, 30, 10), 5)
    assert (before.at, before.calendar_published) == (local(2027, 1, 6, 18), False)

    out, _err = run(
        "2027",
        "--holidays",
        NOTICE_2027_HOLIDAYS,
        "--workdays",
        NOTICE_2027_WORKDAYS,
        "--notice",
        "国务院办公厅关于2027年部分节假日安排的通知(测试)",
    )
    assert "已公布 2027 年工作日历" in out
    assert "放假 12 天" in out and "调休上班 1 天" in out

    year = CalendarYear.objects.get(year=2027)
    assert year.published and year.notice.startswith("国务院办公厅")
    assert year.days.count() == 365
    day = CalendarDay.objects.get(date=D(2027, 2, 20))
    assert (day.kind, day.holiday_name, day.source) == (
        DayKind.ADJUSTED_WORKDAY,
        "春节",
        DaySource.NOTICE,
    )
    assert CalendarDay.objects.get(date=D(2027, 1, 1)).holiday_name == "元旦"

    # Same filing, now with 1 January off: 31 Dec, 4, 5, 6, 7 January — and published.
    after = services.add_working_days(local(2026, 12, 30, 10), 5)
    assert (after.at, after.calendar_published) == (local(2027, 1, 7, 18), True)
    # The worked Saturday after the Spring Festival counts.
    assert services.add_working_days(local(2027, 2, 19, 10), 1).at == local(2027, 2, 20, 18)
    assert services.add_working_days(local(2027, 2, 5, 10), 1).at == local(2027, 2, 15, 18)


def test_republishing_replaces_the_whole_year():
    run("2027", "--holidays", NOTICE_2027_HOLIDAYS, "--workdays", NOTICE_2027_WORKDAYS)
    run("2027", "--holidays", "元旦=2027-01-01")
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert CalendarDay.objects.get(date=D(2027, 2, 8)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=D(2027, 2, 20)).kind == DayKind.WEEKEND
    assert services.is_workday(D(2027, 2, 8))


def test_notice_from_a_json_file(tmp_path):
    path = tmp_path / "2027.json"
    path.write_text(
        json.dumps(
            {
                "year": 2027,
                "notice": "国办发明电(测试)",
                "holidays": [
                    "元旦=2027-01-01:2027-01-03",
                    {"name": "春节", "start": "2027-02-06", "end": "2027-02-14"},
                ],
                "workdays": [{"name": "春节", "date": "2027-02-20"}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    run("2027", "--file", str(path))
    assert CalendarYear.objects.get(year=2027).notice == "国办发明电(测试)"
    assert CalendarDay.objects.get(date=D(2027, 2, 14)).kind == DayKind.HOLIDAY
    assert CalendarDay.objects.get(date=D(2027, 2, 20)).kind == DayKind.ADJUSTED_WORKDAY


def test_dry_run_checks_without_writing():
    before = snapshot()
    out, _err = run("2027", "--holidays", NOTICE_2027_HOLIDAYS, "--dry-run")
    assert "检查通过" in out and "放假 12 天" in out
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--holidays", "2026-12-31:2027-01-02"], "2026-12-31 不在2027年内"),
        (["--holidays", "2027-13-01"], "日期格式不对"),
        (["--holidays", "元旦=2027-01-03:2027-01-01"], "结束日期早于开始日期"),
        (["--holidays", "2027-01-01:2027-03-01"], "区间超过31天"),
        (
            ["--holidays", "2027-02-06:2027-02-14", "--workdays", "2027-02-13"],
            "2027-02-13 同时出现在放假日期和调休上班日期中",
        ),
        (["--holidays", "2027-01-01", "--workdays", "2027-02-08"], "调休上班日只能是周六或周日"),
        (["--holidays", "元旦=2027-01-01,春节=2027-01-01"], "已列为“元旦”"),
        (["--holidays", " , "], "没有任何放假日期"),
    ],
)
def test_bad_input_writes_nothing(args, message):
    before = snapshot()
    with pytest.raises(CommandError) as info:
        call_command(
            "import_holiday_notice", "2027", *args, stdout=StringIO(), stderr=(err := StringIO())
        )
    assert message in err.getvalue() + str(info.value)
    assert snapshot() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_every_problem_is_listed_at_once():
    err = StringIO()
    with pytest.raises(CommandError, match="共 3 处错误,未写入任何数据"):
        call_command(
            "import_holiday_notice",
            "2027",
            "--holidays",
            "2027-02-30,2028-01-01",
            "--workdays",
            "2027-03-01",
            stdout=StringIO(),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("放假日期第1项“2027-02-30”")
    assert lines[1].startswith("放假日期第2项“2028-01-01”")
    assert lines[2].startswith("调休上班日期第1项")


def test_bad_republish_of_a_published_year_keeps_it_intact():
    before = snapshot()
    with pytest.raises(CommandError):
        run("2026", "--holidays", "国庆节=2026-10-01:2026-10-07", "--workdays", "2026-10-09")
    assert snapshot() == before
    assert services.is_workday(D(2026, 10, 10))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["abc", "--holidays", "2027-01-01"], "不是数字"),
        (["1999", "--holidays", "1999-01-01"], "年份须在2000到2100之间"),
        (["2027", "--file", "/nonexistent/notice.json"], "文件不存在"),
        (["2027", "--from-chinese-calendar"], "chinese-calendar 未包含 2027 年"),
        (["2027", "--from-chinese-calendar", "--holidays", "2027-01-01"], "不能与"),
    ],
)
def test_bad_year_file_or_source(args, message):
    before = snapshot()
    err = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_holiday_notice", *args, stdout=StringIO(), stderr=err)
    assert message in err.getvalue() + str(info.value)
    assert snapshot() == before


def test_bad_json_file(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"year": 2028, "holidays": []}', encoding="utf-8")
    with pytest.raises(CommandError, match="与命令参数 2027 不一致"):
        run("2027", "--file", str(path))
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 UTF-8 JSON"):
        run("2027", "--file", str(path))


def test_from_chinese_calendar_republishes_a_covered_year_identically():
    rows = list(
        CalendarDay.objects.filter(date__year=2025).values_list("date", "kind", "holiday_name")
    )
    out, _err = run("2025", "--from-chinese-calendar")
    assert "已公布 2025 年" in out
    assert (
        list(
            CalendarDay.objects.filter(date__year=2025).values_list("date", "kind", "holiday_name")
        )
        == rows
    )
