"""The demo's garbage sorting has its green-account points, its done shifts and this month's
weighing whatever day and hour the demo is loaded: on a Monday just after midnight no shift of
the new week is over, and the points earned on duty came only from this week's roster (the API's
balance list was empty); the monthly report opens on this month, which had no weighing before
the 15th."""

import datetime

import pytest

from civicgrid.demo.builder import build_demo_street
from civicgrid.demo.estates import build_demo_estates
from civicgrid.demo.sorting import build_demo_sorting
from civicgrid.sorting import services
from civicgrid.sorting.choices import AccountKind, ShiftState
from civicgrid.sorting.models import GuideShift, PointsAccount, Weighing
from civicgrid.testing.clock import start_clock
from civicgrid.testing.demo import DEMO_WORLD_STREET
from civicgrid.testing.world import local


@pytest.mark.parametrize(
    "moment",
    [local(2026, 12, 7, 0, 30), local(2026, 12, 9, 14, 0), local(2026, 12, 13, 23, 0)],
    ids=["monday-00:30", "wednesday-14:00", "sunday-23:00"],
)
def test_the_demo_street_has_points_and_done_shifts_on_any_day(db, moment):
    clock = start_clock(moment)
    try:
        build_demo_street(DEMO_WORLD_STREET)
        build_demo_estates(seed=7)
        counts = build_demo_sorting(seed=7, now=moment)
    finally:
        clock.stop()
    assert counts["points"] > 0
    assert GuideShift.objects.filter(state=ShiftState.DONE).exists()
    homes = PointsAccount.objects.filter(kind=AccountKind.HOUSEHOLD)
    assert any(services.balance(account) > 0 for account in homes)
    # this week's roster is there too, its Monday to Sunday
    monday = moment.date() - datetime.timedelta(days=moment.weekday())
    week = GuideShift.objects.filter(day__gte=monday).values_list("day", flat=True)
    assert {day.weekday() for day in week} == set(range(7))
    # this month's weighings so far: yesterday's (the 15th once it is past), never a later day
    days = set(
        Weighing.objects.filter(day__year=moment.year, day__month=moment.month).values_list(
            "day", flat=True
        )
    )
    assert days == {moment.date().replace(day=min(15, moment.day - 1))}
