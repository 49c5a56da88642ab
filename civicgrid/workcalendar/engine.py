"""Working-day and working-hour arithmetic over one in-memory snapshot of the calendar.

No database access here: workcalendar.services loads the stored days once per process and hands
out WorkCalendar snapshots. All the conventions live in this module, in one place:

* Local time is settings.TIME_ZONE (Asia/Shanghai). Naive datetimes are read as local time;
  results are aware datetimes in local time. Durations are measured in UTC, so a zone with
  daylight saving would still count real hours.
* A day is a working day if its stored kind is 工作日 or 调休上班. A day in a year whose notice
  is not published (not stored) falls back to Monday–Friday, and every result that relied on
  such a day says so (Deadline.calendar_published is False).
* "N working days" (add_working_days): the day of filing is not counted, whatever the hour and
  whether or not it is a working day; the deadline is the end of working hours (the end of the
  last working period, e.g. 18:00) of the N-th working day after it. This follows the rule for
  periods in days of 民法典 第二百零一条 (the first day is not counted, counting starts the next
  day) and 第二百零三条 (the last day ends when business stops), the rule 12345 work orders are
  timed by. N = 0 means the end of the filing day if it is a working day, else of the next one.
* "N working hours" (add_working_hours): only time inside the working periods of working days
  counts; a start outside them starts the clock at the next working period. A limit that runs
  out exactly at the end of a period ends there (18:00, not 09:00 the next working day).
* Suspension (挂起/暂停): every function takes `exclude`, a list of (start, end) intervals during
  which the clock stops. They may overlap and lie anywhere; working time inside them is not
  counted. The case loop passes its pause intervals: time used = working_hours_between(
  dispatched_at, now, exclude=pauses); the deadline = add_working_hours(dispatched_at, limit,
  exclude=pauses) (or add_working_days, which pushes its deadline out by the working time
  paused within the counted days). A pause still running must be closed at "now" by the caller for add_*; in
  working_hours_between an end of None means "until `end`".
"""

import datetime
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from civicgrid.workcalendar.choices import WORKING_KINDS, DayKind

UTC = datetime.UTC
ONE_DAY = datetime.timedelta(days=1)
# A published calendar in which no day ever works would make a deadline loop for ever; ten years
# without a single working day is certainly a data error.
MAX_SCAN_DAYS = 3660


class CalendarDataError(RuntimeError):
    """The stored calendar has no working day in a ten-year stretch."""


@dataclass(frozen=True)
class Deadline:
    """A computed deadline. `calendar_published` is False when any day it counted over lies in a
    year whose official notice has not been entered, so plain Monday–Friday was assumed there."""

    at: datetime.datetime
    calendar_published: bool

    def __str__(self):
        flag = "" if self.calendar_published else "(按周一至周五估算,当年节假日安排未公布)"
        return f"{self.at.strftime('%Y-%m-%d %H:%M')}{flag}"


class _Trace:
    """Remembers whether any day visited was outside the published calendar."""

    __slots__ = ("published",)

    def __init__(self):
        self.published = True


class WorkCalendar:
    """An immutable snapshot: day kinds of the published years plus the working periods."""

    def __init__(
        self,
        days: Mapping[datetime.date, str],
        published_years: Iterable[int],
        periods: tuple[tuple[datetime.time, datetime.time], ...],
        tz: str | datetime.tzinfo = "Asia/Shanghai",
        revision=None,
    ):
        self._days = days
        self._published_years = frozenset(published_years)
        self.periods = tuple(periods)
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.revision = revision
        # Running totals of whole days' working seconds (the snapshot never changes, so neither
        # do they): (first day, totals) with totals[i] the seconds of the i days from the first
        # day on — a span of years is two look-ups instead of building every day's periods
        # (see _whole_days_seconds). Extended under the lock, read without it.
        self._totals: tuple[datetime.date, list[float]] | None = None
        self._totals_lock = threading.Lock()

    @property
    def published_years(self) -> frozenset[int]:
        return self._published_years

    # --- days -----------------------------------------------------------------------------------

    def is_published(self, day: datetime.date) -> bool:
        """True when the day's year has its official notice entered (the day is stored)."""
        return day.year in self._published_years and day in self._days

    def kind(self, day: datetime.date) -> str:
        if day.year in self._published_years:
            stored = self._days.get(day)
            if stored is not None:
                return stored
        return DayKind.WEEKEND if day.isoweekday() >= 6 else DayKind.WORKDAY

    def is_workday(self, day: datetime.date | datetime.datetime) -> bool:
        if isinstance(day, datetime.datetime):
            day = self.local(day).date()
        return self.kind(day) in WORKING_KINDS

    def _visit(self, day: datetime.date, trace: _Trace) -> bool:
        if trace.published and not self.is_published(day):
            trace.published = False
        return self.kind(day) in WORKING_KINDS

    # --- time -----------------------------------------------------------------------------------

    def local(self, moment: datetime.datetime) -> datetime.datetime:
        """Aware local time; a naive datetime is taken as local time already."""
        if not isinstance(moment, datetime.datetime):
            raise TypeError("需要 datetime(带时区或按本地时间理解),不是 date")
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def _utc(self, moment: datetime.datetime) -> datetime.datetime:
        return self.local(moment).astimezone(UTC)

    def _day_periods(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        return [
            (
                datetime.datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC),
                datetime.datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC),
            )
            for start, end in self.periods
        ]

    def end_of_working_day(self, day: datetime.date) -> datetime.datetime:
        """The end of the day's last working period, in local time."""
        return datetime.datetime.combine(day, self.periods[-1][1], tzinfo=self.tz)

    @property
    def hours_per_day(self) -> float:
        day = datetime.date(2001, 1, 1)
        return sum((b - a).total_seconds() for a, b in self._day_periods(day)) / 3600

    def _excluded(self, exclude, *, open_end=None):
        """Pause intervals as sorted, merged UTC pairs. An end of None is `open_end` if given."""
        pairs = []
        for start, end in exclude or ():
            if end is None:
                if open_end is None:
                    raise ValueError("暂停区间尚未结束:计算期限前请以当前时间作为暂停结束时间")
                end = open_end
            a, b = self._utc(start), self._utc(end)
            if b > a:
                pairs.append((a, b))
        pairs.sort()
        merged = []
        for a, b in pairs:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def _working_intervals(
        self, start_utc: datetime.datetime, trace: _Trace, excluded=()
    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Working time from start_utc onward, as UTC intervals, pauses cut out. Endless: the
        caller stops; a day is visited (and its published status traced) only when reached."""
        day = start_utc.astimezone(self.tz).date()
        idle = 0
        while True:
            if self._visit(day, trace):
                idle = 0
                for a, b in self._day_periods(day):
                    if b <= start_utc:
                        continue
                    yield from _subtract(max(a, start_utc), b, excluded)
            else:
                idle += 1
                if idle > MAX_SCAN_DAYS:
                    raise CalendarDataError(f"{day} 之前连续十年没有工作日,请检查工作日历数据")
            day += ONE_DAY

    # --- the four calculations ------------------------------------------------------------------

    def add_working_hours(self, start: datetime.datetime, hours: float, exclude=()) -> Deadline:
        """The moment `hours` working hours after `start` (see the module docstring)."""
        if hours < 0:
            raise ValueError("工作小时数不能为负")
        budget = datetime.timedelta(hours=hours)
        trace = _Trace()
        for a, b in self._working_intervals(self._utc(start), trace, self._excluded(exclude)):
            if budget <= b - a:
                return Deadline((a + budget).astimezone(self.tz), trace.published)
            budget -= b - a
        raise AssertionError("unreachable: the interval generator is endless")

    def add_working_days(self, start: datetime.datetime, days: int, exclude=()) -> Deadline:
        """The end of working hours of the `days`-th working day after the day of `start`."""
        if days < 0 or int(days) != days:
            raise ValueError("工作日数必须是非负整数")
        local_start = self.local(start)
        trace = _Trace()
        day = local_start.date()
        if days == 0:
            while not self._visit(day, trace):
                day += ONE_DAY
        else:
            self._visit(day, trace)
            counted = 0
            while counted < days:
                day += ONE_DAY
                if self._visit(day, trace):
                    counted += 1
        deadline = Deadline(self.end_of_working_day(day), trace.published)
        if not exclude:
            return deadline
        # Paused working time in the counted days pushes the deadline out by as much working
        # time; the filing day is not counted, so a pause on it changes nothing.
        anchor = local_start
        if days:
            anchor = datetime.datetime.combine(
                local_start.date() + ONE_DAY, datetime.time.min, tzinfo=self.tz
            )
        budget = self.working_hours_between(anchor, deadline.at)
        extended = self.add_working_hours(anchor, budget, exclude=exclude)
        return Deadline(extended.at, extended.calendar_published and deadline.calendar_published)

    def working_hours_between(
        self, start: datetime.datetime, end: datetime.datetime, exclude=()
    ) -> float:
        """Working hours in [start, end), pauses not counted; 0 when end is not after start."""
        start_utc, end_utc = self._utc(start), self._utc(end)
        if end_utc <= start_utc:
            return 0.0
        total = self._working_seconds(start_utc, end_utc)
        # The pauses are merged and disjoint: the working time inside each is taken off.
        for a, b in self._excluded(exclude, open_end=end):
            a, b = max(a, start_utc), min(b, end_utc)
            if b > a:
                total -= self._working_seconds(a, b)
        return total / 3600

    def _working_seconds(self, start_utc, end_utc) -> float:
        """Working seconds in [start_utc, end_utc): the first and last days through their
        periods, the whole days between from the running totals (a case overdue for a year shows
        its time left in microseconds, not by building 365 days of periods)."""
        first = start_utc.astimezone(self.tz).date()
        last = end_utc.astimezone(self.tz).date()
        if (last - first).days <= 2:
            return self._walked_seconds(start_utc, end_utc)
        day = first + ONE_DAY
        whole_from = datetime.datetime.combine(day, datetime.time.min, tzinfo=self.tz)
        whole_to = datetime.datetime.combine(last, datetime.time.min, tzinfo=self.tz)
        total = self._walked_seconds(start_utc, whole_from.astimezone(UTC))
        total += self._walked_seconds(whole_to.astimezone(UTC), end_utc)
        return total + self._whole_days_seconds(day, last)

    # Days added at once when the running totals grow: a list of cases moves its span by a day
    # or so at a time, and each growth backwards rebuilds the list.
    TOTALS_MARGIN = 366

    def _whole_days_seconds(self, first: datetime.date, stop: datetime.date) -> float:
        """Working seconds of the whole days first … stop (excluded), from the running totals
        (whole seconds: the difference of two totals is exact)."""
        totals = self._totals
        if totals is None or first < totals[0] or (stop - totals[0]).days >= len(totals[1]):
            totals = self._grow_totals(first, stop)
        base, running = totals
        return running[(stop - base).days] - running[(first - base).days]

    def _grow_totals(self, first: datetime.date, stop: datetime.date):
        with self._totals_lock:
            totals = self._totals
            top = stop + datetime.timedelta(days=self.TOTALS_MARGIN)
            if totals is not None and first >= totals[0]:
                # Appended in place: a reader holding the list reads only indices it had.
                self._extend_totals(*totals, top)
                return totals
            base = first - datetime.timedelta(days=self.TOTALS_MARGIN)
            if totals is not None:
                top = max(top, totals[0] + datetime.timedelta(days=len(totals[1]) - 1))
            running = [0.0]
            self._extend_totals(base, running, top)
            self._totals = (base, running)
            return self._totals

    def _extend_totals(self, base: datetime.date, running: list[float], top: datetime.date):
        """Running totals from `base` on, extended until they reach `top`."""
        day = base + datetime.timedelta(days=len(running) - 1)
        while day < top:
            running.append(running[-1] + self._seconds_of_whole_day(day))
            day += ONE_DAY

    def _seconds_of_whole_day(self, day: datetime.date) -> float:
        if self.kind(day) not in WORKING_KINDS:
            return 0.0
        return sum((b - a).total_seconds() for a, b in self._day_periods(day))

    def _walked_seconds(self, start_utc, end_utc) -> float:
        total = datetime.timedelta()
        for a, b in self._working_intervals(start_utc, _Trace()):
            if a >= end_utc:
                break
            total += min(b, end_utc) - a
        return total.total_seconds()

    def working_days_between(self, start, end) -> int:
        """Working days after start's day up to and including end's day (dates or datetimes).

        The inverse of add_working_days: working_days_between(t, add_working_days(t, n).at) == n.
        Negative when end is before start (e.g. how many working days a case is overdue).
        """
        first = self.local(start).date() if isinstance(start, datetime.datetime) else start
        last = self.local(end).date() if isinstance(end, datetime.datetime) else end
        if last < first:
            return -self.working_days_between(last, first)
        count, day = 0, first
        while day < last:
            day += ONE_DAY
            if self.kind(day) in WORKING_KINDS:
                count += 1
        return count

    def is_fully_published(self, start, end) -> bool:
        """Whether every day from start's day to end's day lies in a published year."""
        first = self.local(start).date() if isinstance(start, datetime.datetime) else start
        last = self.local(end).date() if isinstance(end, datetime.datetime) else end
        return all(
            self.is_published(first + ONE_DAY * i) for i in range(max(0, (last - first).days) + 1)
        )


def _subtract(a, b, excluded):
    """[a, b) minus the sorted merged intervals in `excluded`."""
    for x, y in excluded:
        if y <= a:
            continue
        if x >= b:
            break
        if x > a:
            yield a, x
        a = max(a, y)
        if a >= b:
            return
    if a < b:
        yield a, b
