"""Deadline arithmetic on the seeded calendar, around the 2026 Mid-Autumn / National Day holidays.

chinese-calendar's 2026 data (the State Council's notice): Mid-Autumn Fri 25 – Sun 27 September,
National Day Thu 1 – Wed 7 October, and Sunday 20 September and Saturday 10 October worked (调休).
"""

import datetime

import chinese_calendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.world import local
from civicgrid.workcalendar import services
from civicgrid.workcalendar.choices import DayKind, DaySource
from civicgrid.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear
from civicgrid.workcalendar.seed import SEED_YEARS

pytestmark = pytest.mark.django_db

D = datetime.date


def test_seed_matches_chinese_calendar_for_every_day():
    days = dict(CalendarDay.objects.values_list("date", "kind"))
    assert len(days) == sum(366 if y % 4 == 0 else 365 for y in SEED_YEARS)
    assert set(CalendarYear.objects.filter(published=True).values_list("year", flat=True)) == set(
        SEED_YEARS
    )
    for day, kind in days.items():
        assert (kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY)) == chinese_calendar.is_workday(
            day
        ), day
    assert set(CalendarDay.objects.values_list("source", flat=True)) == {DaySource.SEED}


def test_seeded_2026_autumn_holidays_with_names_and_adjusted_days():
    rows = {
        d.date: (d.kind, d.holiday_name)
        for d in CalendarDay.objects.filter(date__range=(D(2026, 9, 19), D(2026, 10, 11)))
    }
    assert rows[D(2026, 9, 25)] == (DayKind.HOLIDAY, "中秋节")
    assert rows[D(2026, 9, 27)] == (DayKind.HOLIDAY, "中秋节")
    assert rows[D(2026, 10, 1)] == (DayKind.HOLIDAY, "国庆节")
    assert rows[D(2026, 10, 7)] == (DayKind.HOLIDAY, "国庆节")
    assert rows[D(2026, 9, 20)] == (DayKind.ADJUSTED_WORKDAY, "国庆节")
    assert rows[D(2026, 10, 10)] == (DayKind.ADJUSTED_WORKDAY, "国庆节")
    assert rows[D(2026, 10, 11)] == (DayKind.WEEKEND, "")
    assert rows[D(2026, 9, 19)] == (DayKind.WEEKEND, "")
    assert rows[D(2026, 9, 28)] == (DayKind.WORKDAY, "")


def test_is_workday():
    assert services.is_workday(D(2026, 10, 10))  # 调休 Saturday
    assert services.is_workday(D(2026, 9, 20))  # 调休 Sunday
    assert not services.is_workday(D(2026, 10, 11))
    assert not services.is_workday(D(2026, 10, 5))  # a Monday in the National Day holiday
    assert not services.is_workday(D(2026, 9, 25))  # Mid-Autumn Friday
    assert services.is_workday(D(2026, 9, 28))
    # A datetime is judged by its local (Shanghai) date: 2026-10-09 17:00 UTC is Saturday 01:00.
    assert services.is_workday(datetime.datetime(2026, 10, 9, 17, 0, tzinfo=datetime.UTC))
    assert not services.is_workday(datetime.datetime(2026, 10, 10, 17, 0, tzinfo=datetime.UTC))


# --- working days -------------------------------------------------------------------------------


def test_working_days_across_national_day_count_the_adjusted_saturday():
    # Filed Wednesday 30 September: 8 Oct (1), 9 Oct (2), Saturday 10 Oct worked (3).
    deadline = services.add_working_days(local(2026, 9, 30, 10), 3)
    assert deadline.at == local(2026, 10, 10, 18)
    assert deadline.calendar_published
    # 5 working days (一般求助/投诉): then Monday 12 and Tuesday 13 October.
    assert services.add_working_days(local(2026, 9, 30, 10), 5).at == local(2026, 10, 13, 18)


def test_filing_day_is_never_counted_whatever_the_hour():
    early = services.add_working_days(local(2026, 9, 28, 0, 1), 1)
    late = services.add_working_days(local(2026, 9, 28, 23, 59), 1)
    assert early.at == late.at == local(2026, 9, 29, 18)
    # Thursday before Mid-Autumn: Fri–Sun are holidays, the first working day is Monday 28.
    assert services.add_working_days(local(2026, 9, 24, 15), 1).at == local(2026, 9, 28, 18)


def test_filed_on_a_holiday_or_weekend():
    assert services.add_working_days(local(2026, 10, 3, 10), 1).at == local(2026, 10, 8, 18)
    # Filed on Saturday 19 September: Sunday 20 is a 调休 working day and counts.
    assert services.add_working_days(local(2026, 9, 19, 10), 1).at == local(2026, 9, 20, 18)
    # Zero days: the end of the filing day if it is a working day, else of the next one.
    assert services.add_working_days(local(2026, 10, 3, 10), 0).at == local(2026, 10, 8, 18)
    assert services.add_working_days(local(2026, 10, 9, 10), 0).at == local(2026, 10, 9, 18)


def test_working_days_between_is_the_inverse_of_add_working_days():
    start = local(2026, 9, 18, 16)
    for n in range(0, 25):
        deadline = services.add_working_days(start, n)
        if n:
            assert services.working_days_between(start, deadline.at) == n
    assert services.working_days_between(local(2026, 9, 30, 9), local(2026, 10, 10, 9)) == 3
    assert services.working_days_between(local(2026, 10, 10, 9), local(2026, 9, 30, 9)) == -3
    assert services.working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_bad_day_counts_are_refused():
    with pytest.raises(ValueError):
        services.add_working_days(local(2026, 9, 30), -1)
    with pytest.raises(ValueError):
        services.add_working_hours(local(2026, 9, 30), -0.5)
    with pytest.raises(TypeError):
        services.add_working_hours(D(2026, 9, 30), 1)


# --- working hours ------------------------------------------------------------------------------


def test_working_hours_skip_lunch_and_night():
    assert services.add_working_hours(local(2026, 9, 28, 11), 2).at == local(2026, 9, 28, 14)
    assert services.add_working_hours(local(2026, 9, 28, 17), 2).at == local(2026, 9, 29, 10)
    # 道路不洁: 5 working hours from 15:30 → 2.5 h today, 2.5 h tomorrow.
    assert services.add_working_hours(local(2026, 9, 28, 15, 30), 5).at == local(
        2026, 9, 29, 11, 30
    )
    # Ends exactly at closing time: 18:00 that day, not 09:00 the next.
    assert services.add_working_hours(local(2026, 9, 28, 13), 5).at == local(2026, 9, 28, 18)
    assert services.add_working_hours(local(2026, 9, 28, 9), 8).at == local(2026, 9, 28, 18)
    assert services.add_working_hours(local(2026, 9, 28, 9), 0.25).at == local(2026, 9, 28, 9, 15)


def test_start_outside_working_hours_counts_from_the_next_period():
    assert services.add_working_hours(local(2026, 9, 28, 7), 1).at == local(2026, 9, 28, 10)
    assert services.add_working_hours(local(2026, 9, 28, 12, 30), 1).at == local(2026, 9, 28, 14)
    assert services.add_working_hours(local(2026, 9, 28, 19), 1).at == local(2026, 9, 29, 10)
    assert services.add_working_hours(local(2026, 9, 28, 19), 0).at == local(2026, 9, 29, 9)
    # Started on a National Day holiday: the clock starts on Thursday 8 October.
    assert services.add_working_hours(local(2026, 10, 3, 10), 1).at == local(2026, 10, 8, 10)


def test_working_hours_run_over_the_holiday_and_into_the_adjusted_saturday():
    assert services.add_working_hours(local(2026, 9, 30, 17), 2).at == local(2026, 10, 8, 10)
    assert services.add_working_hours(local(2026, 10, 9, 17), 2).at == local(2026, 10, 10, 10)
    # Saturday 10 October is a full working day; Sunday 11 is not.
    assert services.add_working_hours(local(2026, 10, 10, 9), 9).at == local(2026, 10, 12, 10)


def test_working_hours_between():
    assert services.working_hours_between(local(2026, 9, 28, 8), local(2026, 9, 28, 20)) == 8.0
    assert (
        services.working_hours_between(local(2026, 9, 28, 11, 30), local(2026, 9, 28, 13, 30))
        == 1.0
    )
    assert services.working_hours_between(local(2026, 9, 30, 17), local(2026, 10, 8, 10)) == 2.0
    assert services.working_hours_between(local(2026, 10, 1), local(2026, 10, 8)) == 0.0
    assert services.working_hours_between(local(2026, 10, 9), local(2026, 10, 12)) == 16.0
    assert services.working_hours_between(local(2026, 9, 29), local(2026, 9, 28)) == 0.0
    # UTC input is converted: 01:00 UTC is 09:00 in Shanghai.
    utc_start = datetime.datetime(2026, 9, 28, 1, 0, tzinfo=datetime.UTC)
    assert services.working_hours_between(utc_start, local(2026, 9, 28, 10)) == 1.0
    # Naive datetimes are read as Shanghai time.
    assert (
        services.working_hours_between(
            datetime.datetime(2026, 9, 28, 9), datetime.datetime(2026, 9, 28, 11)
        )
        == 2.0
    )


def test_working_hours_between_is_the_inverse_of_add_working_hours():
    calendar = services.get_calendar()
    for start in (local(2026, 9, 24, 16, 10), local(2026, 10, 3), local(2026, 9, 30, 12, 20)):
        for hours in (0.5, 1, 3, 7.75, 8, 13, 40):
            deadline = calendar.add_working_hours(start, hours)
            assert calendar.working_hours_between(start, deadline.at) == pytest.approx(hours)


def test_pauses_are_subtracted_and_extend_deadlines():
    start = local(2026, 9, 28, 9)
    # Paused Monday 10:00–15:00 (4 working hours: 10–12, 13–15), overlapping a second pause.
    pauses = [
        (local(2026, 9, 28, 10), local(2026, 9, 28, 14)),
        (local(2026, 9, 28, 13), local(2026, 9, 28, 15)),
    ]
    end = local(2026, 9, 29, 18)
    assert services.working_hours_between(start, end) == 16.0
    assert services.working_hours_between(start, end, exclude=pauses) == 12.0
    # A pause still running (end None) counts until `end`.
    assert (
        services.working_hours_between(
            start, local(2026, 9, 28, 17), exclude=[(local(2026, 9, 28, 16), None)]
        )
        == 6.0
    )
    # 5 working hours with the 4 paused hours pushed out: 9–10, then 15–18, then 09–10 Tuesday.
    assert services.add_working_hours(start, 5, exclude=pauses).at == local(2026, 9, 29, 10)
    # One working day filed Friday 25 (holiday) is Monday 28 18:00; paused 4 working hours that
    # Monday, it moves 4 working hours on: Tuesday 9–12 and 13–14.
    deadline = services.add_working_days(local(2026, 9, 25, 10), 1, exclude=pauses)
    assert deadline.at == local(2026, 9, 29, 14)
    # A pause on the filing day itself changes nothing: that day is not counted.
    same = services.add_working_days(
        local(2026, 9, 28, 9), 1, exclude=[(local(2026, 9, 28, 10), local(2026, 9, 28, 17))]
    )
    assert same.at == local(2026, 9, 29, 18)
    with pytest.raises(ValueError):
        services.add_working_hours(start, 1, exclude=[(local(2026, 9, 28, 10), None)])


def test_working_hours_come_from_settings(settings):
    settings.WORKING_HOURS = [("08:30", "17:30")]
    assert services.working_hours_between(local(2026, 9, 28), local(2026, 9, 29)) == 9.0
    assert services.add_working_days(local(2026, 9, 28), 1).at == local(2026, 9, 29, 17, 30)
    assert services.add_working_hours(local(2026, 9, 28, 12, 30), 1).at == local(
        2026, 9, 28, 13, 30
    )


def test_each_request_gets_the_same_snapshot_with_the_days_it_has_summed(settings):
    # A list of long-overdue cases sums years of days: the sums outlive the request that made
    # them, until the calendar or the working hours change.
    first = services.get_calendar()
    first.working_hours_between(local(2026, 1, 5, 10), local(2026, 11, 30, 10))
    summed = first._totals
    assert summed is not None and len(summed[1]) > 200
    assert services.get_calendar() is first and first._totals is summed
    settings.WORKING_HOURS = [("08:30", "17:30")]
    other = services.get_calendar()
    assert other is not first and other._totals is None
    assert services.working_hours_between(local(2026, 9, 28), local(2026, 9, 29)) == 9.0
    settings.WORKING_HOURS = [("09:00", "12:00"), ("13:00", "18:00")]
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    services.correct_day(day, kind=DayKind.HOLIDAY, holiday_name="防台停工", note="区政府通知")
    assert services.get_calendar() is not first
    assert not services.get_calendar().is_workday(D(2026, 10, 12))


# --- beyond the published years -----------------------------------------------------------------


def test_deadline_into_unpublished_2027_falls_back_to_weekdays_and_says_so():
    # 30 Dec 2026 + 5 working days: 31 Dec, then 2027 as plain Mon–Fri: 1, 4, 5, 6 January.
    deadline = services.add_working_days(local(2026, 12, 30, 10), 5)
    assert deadline.at == local(2027, 1, 6, 18)
    assert deadline.calendar_published is False
    # Staying inside 2026 is published.
    assert services.add_working_days(local(2026, 12, 29, 10), 1).calendar_published is True
    hours = services.add_working_hours(local(2026, 12, 31, 17), 2)
    assert hours.at == local(2027, 1, 1, 10)
    assert hours.calendar_published is False
    assert services.add_working_hours(local(2027, 3, 1, 9), 1).calendar_published is False
    assert services.is_workday(D(2027, 1, 1))  # a Friday; no notice yet
    assert services.last_published_year() == 2026
    assert "未公布" in str(deadline)


# --- changes and the per-process copy -----------------------------------------------------------


def revision():
    return CalendarRevision.objects.get(pk=1).revision


def test_correct_day_marks_manual_and_bumps_revision():
    before = revision()
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    services.correct_day(day, kind=DayKind.HOLIDAY, holiday_name="防台停工", note="区政府通知")
    day.refresh_from_db()
    assert (day.kind, day.source, day.note) == (DayKind.HOLIDAY, DaySource.MANUAL, "区政府通知")
    assert revision() == before + 1
    assert not services.is_workday(D(2026, 10, 12))
    assert services.add_working_days(local(2026, 10, 9, 10), 2).at == local(2026, 10, 13, 18)


@pytest.mark.parametrize(
    ("date", "kind", "name", "field"),
    [
        (D(2026, 10, 12), DayKind.WEEKEND, "", "kind"),  # a Monday cannot be a weekend
        (D(2026, 10, 12), DayKind.ADJUSTED_WORKDAY, "", "kind"),
        (D(2026, 10, 11), DayKind.WORKDAY, "", "kind"),  # Sunday: use 调休上班
        (D(2026, 10, 12), DayKind.WORKDAY, "国庆节", "holiday_name"),
    ],
)
def test_correct_day_refuses_bad_input_and_writes_nothing(date, kind, name, field):
    before = revision()
    day = CalendarDay.objects.get(date=date)
    old = (day.kind, day.holiday_name, day.source)
    with pytest.raises(ValidationError) as info:
        services.correct_day(day, kind=kind, holiday_name=name)
    assert field in info.value.message_dict
    day.refresh_from_db()
    assert (day.kind, day.holiday_name, day.source) == old
    assert revision() == before


def test_only_admin_and_operator_edit_the_calendar():
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    worker = UserFactory(role=Role.GRID_WORKER)
    with pytest.raises(PermissionDenied):
        services.correct_day(day, kind=DayKind.HOLIDAY, user=worker)
    with pytest.raises(PermissionDenied):
        services.publish_year(2027, "2027-01-01", "", user=UserFactory(role=Role.LEADER))
    services.correct_day(day, kind=DayKind.HOLIDAY, user=UserFactory(role=Role.OPERATOR))
    assert not services.is_workday(D(2026, 10, 12))


def test_withdrawing_a_year_makes_it_fall_back():
    year = CalendarYear.objects.get(year=2026)
    services.update_year(year, notice=year.notice, published=False)
    deadline = services.add_working_days(local(2026, 9, 30, 10), 3)
    # Plain Mon–Fri: Thu 1, Fri 2, Mon 5 October.
    assert (deadline.at, deadline.calendar_published) == (local(2026, 10, 5, 18), False)
    services.update_year(year, notice=year.notice, published=True)
    assert services.add_working_days(local(2026, 9, 30, 10), 3).at == local(2026, 10, 10, 18)


def test_another_process_edit_reaches_this_process_through_the_revision(
    django_assert_num_queries,
):
    assert services.is_workday(D(2026, 10, 12))
    # Loaded: a further call costs only the revision check, read from the shared cache.
    with django_assert_num_queries(0):
        services.get_calendar()
    # "Another process" changes the row without going through this process's services...
    CalendarDay.objects.filter(date=D(2026, 10, 12)).update(kind=DayKind.HOLIDAY)
    # ...this process keeps its copy until the revision moves...
    assert services.is_workday(D(2026, 10, 12))
    # ...and reloads once it does (what services.bump_revision does in the other process).
    services.bump_revision()
    assert not services.is_workday(D(2026, 10, 12))
    with django_assert_num_queries(1):
        snapshot = services.get_calendar()
    # A snapshot answers without any query: the way to compute many deadlines at once.
    with django_assert_num_queries(0):
        for day in range(1, 31):
            snapshot.add_working_days(local(2026, 11, day, 10), 5)


def test_a_rolled_back_change_never_masquerades_as_a_later_one():
    from django.db import transaction

    before = revision()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.publish_year(2027, "2027-01-04", "")  # a Monday off, loaded below, then undone
        assert not services.is_workday(D(2027, 1, 4))
        raise RuntimeError("rolled back")
    assert revision() == before
    assert services.is_workday(D(2027, 1, 4))
    # A later change reaching the same revision number is still seen (the token differs).
    services.publish_year(2027, "2027-01-05", "")
    assert revision() == before + 1
    assert services.is_workday(D(2027, 1, 4))
    assert not services.is_workday(D(2027, 1, 5))


def test_the_revision_comes_from_the_shared_cache_and_a_change_shows_at_once(
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache
    from django.db import transaction

    # The module's fixtures publish the year inside the test's transaction: taken as committed,
    # so this test starts where a page does (no change of its own pending).
    transaction.get_connection().run_on_commit[:] = []
    assert services.is_workday(D(2026, 10, 12))
    assert cache.get(services.REVISION_CACHE_KEY) == revision_key()
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    with django_capture_on_commit_callbacks(execute=True):
        services.correct_day(day, kind=DayKind.HOLIDAY, holiday_name="防台停工")
        # Inside the changing transaction: its own change, never the cached revision.
        assert not services.is_workday(D(2026, 10, 12))
        # Another reader caches the revision still committed before the commit...
        cache.set(services.REVISION_CACHE_KEY, (0, None))
    # ...and the commit drops it: every page sees the change at once.
    assert cache.get(services.REVISION_CACHE_KEY) is None
    transaction.get_connection().run_on_commit[:] = []  # the callbacks ran: it is committed
    assert not services.is_workday(D(2026, 10, 12))
    assert cache.get(services.REVISION_CACHE_KEY) == revision_key()


def revision_key():
    row = CalendarRevision.objects.get(pk=1)
    return (row.revision, row.token)
