"""Working hours over long spans (a case overdue for months): the whole days between the first
and the last are summed from each day's working seconds; the answer must be the one the
day-by-day walk gives, holidays, 调休 workdays, pauses and clock changes included."""

import datetime
import random

import pytest

from civicgrid.workcalendar.choices import WORKING_KINDS, DayKind
from civicgrid.workcalendar.engine import WorkCalendar

T = datetime.time


def calendar(tz="Asia/Shanghai"):
    days = {}
    for offset in range(0, 365 * 2):
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=offset)
        days[day] = DayKind.WEEKEND if day.isoweekday() >= 6 else DayKind.WORKDAY
    for day in ("2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-10-01"):
        days[datetime.date.fromisoformat(day)] = DayKind.HOLIDAY
    days[datetime.date(2025, 1, 26)] = DayKind.ADJUSTED_WORKDAY
    return WorkCalendar(days, {2025, 2026}, ((T(9), T(12)), (T(13), T(18))), tz)


def walked_hours(cal, start, end, pauses=()):
    """The day-by-day definition: every working period of every day, clipped, pauses cut."""
    tz = cal.tz
    start, end = cal.local(start), cal.local(end)
    total = datetime.timedelta()
    day = start.date()
    while day <= end.date():
        if cal.kind(day) in WORKING_KINDS:
            for a, b in cal.periods:
                lo = max(datetime.datetime.combine(day, a, tzinfo=tz), start)
                hi = min(datetime.datetime.combine(day, b, tzinfo=tz), end)
                pieces = [(lo, hi)] if hi > lo else []
                for pa, pb in pauses:
                    pieces = [
                        piece
                        for x, y in pieces
                        for piece in ((x, min(y, pa)), (max(x, pb), y))
                        if piece[1] > piece[0]
                    ]
                total += sum((y - x for x, y in pieces), datetime.timedelta())
        day += datetime.timedelta(days=1)
    return total.total_seconds() / 3600


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin"])
def test_long_spans_agree_with_the_day_by_day_walk(tz):
    cal = calendar(tz)
    rng = random.Random(12)
    base = datetime.datetime(2025, 1, 1, tzinfo=cal.tz)
    for _ in range(300):
        start = base + datetime.timedelta(minutes=rng.randrange(0, 60 * 24 * 500))
        end = start + datetime.timedelta(minutes=rng.randrange(1, 60 * 24 * 200))
        pauses = []
        if rng.random() < 0.5:
            a = start + (end - start) * rng.random()
            pauses.append((a, a + datetime.timedelta(hours=rng.randrange(1, 24 * 20))))
        got = cal.working_hours_between(start, end, exclude=pauses)
        assert got == pytest.approx(walked_hours(cal, start, end, pauses), abs=1e-9)


def test_a_year_overdue_is_counted_in_whole_days():
    cal = calendar()
    start = datetime.datetime(2025, 1, 2, 10, 30, tzinfo=cal.tz)
    end = datetime.datetime(2026, 1, 2, 10, 30, tzinfo=cal.tz)
    # 2025: 261 weekdays − 5 holidays on weekdays + 1 调休 Sunday = 257 working days of 8 h.
    assert cal.working_hours_between(start, end) == pytest.approx(257 * 8)
    # A pause of one whole working week takes its 40 hours off.
    week = (
        datetime.datetime(2025, 3, 3, tzinfo=cal.tz),
        datetime.datetime(2025, 3, 8, tzinfo=cal.tz),
    )
    assert cal.working_hours_between(start, end, exclude=[week]) == pytest.approx(257 * 8 - 40)
