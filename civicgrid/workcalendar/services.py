"""The working-day calendar: every change to it, and the deadline arithmetic other apps call.

Reading: `is_workday`, `add_working_days`, `add_working_hours`, `working_hours_between`,
`working_days_between` work on an in-memory copy of the calendar (a few thousand days), loaded
once per process and reloaded only when the calendar revision (CalendarRevision, one row) differs
from the one the copy was loaded at: one read of the revision per call, from the shared cache
(see REVISION_CACHE_KEY; the row itself when it is not there). Code that computes many
deadlines at once (a list page) takes one snapshot with `get_calendar()` and calls its methods,
which do no query at all. The conventions (what "N working days" means, working periods,
fallback beyond the published years, pause intervals) are in workcalendar.engine, in one place.

Writing: `publish_year`, `correct_day`, `update_year` run in one transaction each and bump the
revision in it, so every process sees the change exactly when it is committed.
"""

import datetime
import threading
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.policy import CALENDAR_EDIT_ROLES
from civicgrid.workcalendar import seed
from civicgrid.workcalendar.choices import DayKind, DaySource
from civicgrid.workcalendar.engine import Deadline, WorkCalendar
from civicgrid.workcalendar.hours import parse_working_hours
from civicgrid.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear
from civicgrid.workcalendar.notice import Notice, NoticeError, parse_notice

# The revision every page's deadlines are checked against is also kept in the shared cache (Redis
# on several machines), so a page reads it without a database query. `bump_revision` drops it at
# once and again at the commit (a reader between the two cached the old revision, which was still
# the committed one); the transaction that bumped it reads the row itself until it ends (its own
# change is not committed, hence not in the cache); the lifetime is the last guard (a crash
# between the commit and the drop).
REVISION_CACHE_KEY = "workcalendar:revision"
REVISION_SECONDS = 60

__all__ = [
    "Deadline",
    "add_working_days",
    "add_working_hours",
    "correct_day",
    "get_calendar",
    "is_workday",
    "publish_year",
    "working_days_between",
    "working_hours_between",
]


def may_edit_calendar(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in CALENDAR_EDIT_ROLES)


def _ensure_may_edit(user):
    """user=None means a trusted caller (management command, migration)."""
    if user is not None and not may_edit_calendar(user):
        raise PermissionDenied(_("只有系统管理员和城运中心操作员可以修改工作日历"))


# --- the per-process copy -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    key: tuple
    days: dict
    published_years: frozenset
    # (working periods, time zone) → the WorkCalendar over this copy (see get_calendar).
    calendars: dict = field(default_factory=dict, compare=False)


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _revision_key() -> tuple:
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _committed for _sids, func, _robust in connection.run_on_commit
    ):
        # This transaction bumped the revision (its callback is queued, not dropped with a
        # rolled-back savepoint): only the row has it.
        return _revision_row()
    key = cache.get(REVISION_CACHE_KEY)
    if key is None:
        key = _revision_row()
        cache.set(REVISION_CACHE_KEY, key, REVISION_SECONDS)
    return tuple(key)


def revision_key_with(keys) -> tuple[tuple, dict]:
    """The calendar's revision (get_calendar's `key`) and the shared cache's values of `keys`
    ({key: value}, the keys it holds), in one read of the cache: the intake reads the
    categories' revision beside it."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is _committed for _sids, func, _robust in connection.run_on_commit
    ):
        return _revision_row(), cache.get_many(keys)
    values = cache.get_many([REVISION_CACHE_KEY, *keys])
    key = values.pop(REVISION_CACHE_KEY, None)
    if key is None:
        key = _revision_row()
        cache.set(REVISION_CACHE_KEY, key, REVISION_SECONDS)
    return tuple(key), values


def _revision_row() -> tuple:
    # The token changes with every bump: a copy loaded inside a transaction that was then rolled
    # back can never match a later revision that happens to reuse its number.
    row = CalendarRevision.objects.filter(pk=1).values_list("revision", "token").first()
    return tuple(row) if row else (0, None)


def _load(key) -> _Loaded:
    # Read after the revision: a change committed in between makes the copy newer than its key,
    # which only costs one extra reload, never a stale copy.
    years = frozenset(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    days = dict(
        CalendarDay.objects.filter(calendar_year__published=True).values_list("date", "kind")
    )
    return _Loaded(key=key, days=days, published_years=years)


def get_calendar(key: tuple | None = None) -> WorkCalendar:
    """A snapshot of the calendar with the configured working hours; reloaded when stale.

    `key`: the (revision, token) a caller read itself (revision_key_with, beside its own keys
    in one read of the shared cache); None reads it here."""
    global _loaded
    key = _revision_key() if key is None else (key if key[0] is not None else (0, None))
    loaded = _loaded
    if loaded is None or loaded.key != key:
        with _lock:
            loaded = _load(key)
            _loaded = loaded
    # One WorkCalendar per loaded revision and working hours, kept with the copy: it remembers
    # the running totals of days' working seconds (engine._whole_days_seconds), which a list of
    # long-overdue cases reads over years; a snapshot made afresh for every request started from
    # nothing each time.
    periods = working_periods()
    shape = (periods, settings.TIME_ZONE)
    calendar = loaded.calendars.get(shape)
    if calendar is None:
        calendar = WorkCalendar(
            loaded.days, loaded.published_years, periods, tz=settings.TIME_ZONE, revision=key[0]
        )
        loaded.calendars[shape] = calendar
    return calendar


def forget_loaded_calendar():
    """Drop this process's copy (tests; the revision check makes it unnecessary elsewhere)."""
    global _loaded
    _loaded = None


_periods_cache: dict = {}


def working_periods():
    """settings.WORKING_HOURS parsed (validated at start-up by the workcalendar system check)."""
    raw = settings.WORKING_HOURS
    key = repr(raw)
    if key not in _periods_cache:
        _periods_cache[key] = parse_working_hours(raw)
    return _periods_cache[key]


def bump_revision():
    """Tell every process its copy of the calendar is stale. Call inside the change's transaction."""
    updated = CalendarRevision.objects.filter(pk=1).update(
        revision=F("revision") + 1, token=uuid.uuid4(), changed_at=timezone.now()
    )
    if not updated:
        CalendarRevision.objects.create(pk=1, revision=1, token=uuid.uuid4())
    forget_cached_revision()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        func is _committed for _sids, func, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_committed)


def _committed():
    forget_cached_revision()


def forget_cached_revision():
    """Drop the shared cache's copy of the revision (bump_revision; a test that edits the row)."""
    cache.delete(REVISION_CACHE_KEY)


# --- reading ----------------------------------------------------------------------------------


def is_workday(day: datetime.date | datetime.datetime) -> bool:
    """Whether the (local) day is a working day: 工作日 or 调休上班; Mon–Fri beyond the published
    years."""
    return get_calendar().is_workday(day)


def add_working_days(start: datetime.datetime, days: int, exclude=()) -> Deadline:
    """The end of working hours of the `days`-th working day after the day of `start` (the day of
    filing is never counted). See workcalendar.engine for the convention and `exclude`."""
    return get_calendar().add_working_days(start, days, exclude=exclude)


def add_working_hours(start: datetime.datetime, hours: float, exclude=()) -> Deadline:
    """`hours` working hours after `start`, counting only working periods of working days."""
    return get_calendar().add_working_hours(start, hours, exclude=exclude)


def working_hours_between(start: datetime.datetime, end: datetime.datetime, exclude=()) -> float:
    """Working hours in [start, end) minus those inside the `exclude` (pause) intervals."""
    return get_calendar().working_hours_between(start, end, exclude=exclude)


def working_days_between(start, end) -> int:
    """Working days after start's day up to and including end's day (negative if end < start)."""
    return get_calendar().working_days_between(start, end)


# --- writing ----------------------------------------------------------------------------------


def _all_days(notice: Notice, source: str):
    day = datetime.date(notice.year, 1, 1)
    while day.year == notice.year:
        if day in notice.holidays:
            yield day, DayKind.HOLIDAY, notice.holidays[day]
        elif day in notice.workdays:
            yield day, DayKind.ADJUSTED_WORKDAY, notice.workdays[day]
        elif day.isoweekday() >= 6:
            yield day, DayKind.WEEKEND, ""
        else:
            yield day, DayKind.WORKDAY, ""
        day += datetime.timedelta(days=1)


def publish_year(
    year,
    holidays,
    workdays,
    notice: str = "",
    *,
    user=None,
    source: str = DaySource.NOTICE,
) -> CalendarYear:
    """Enter a year's official notice: all its days are written anew, the year is published.

    `holidays` / `workdays`: the notice syntax (see workcalendar.notice) as a string or list, or
    {date: name} dicts. Raises NoticeError (every problem, in Chinese) before writing anything.
    Days corrected by hand in that year are replaced: the notice is the authority.
    """
    _ensure_may_edit(user)
    if isinstance(holidays, dict) or isinstance(workdays, dict):
        holidays = [f"{name}={day}" if name else str(day) for day, name in (holidays or {}).items()]
        workdays = [f"{name}={day}" if name else str(day) for day, name in (workdays or {}).items()]
    parsed = parse_notice(year, holidays, workdays, notice)
    with transaction.atomic():
        calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(
            year=parsed.year
        )
        calendar_year.published = True
        calendar_year.notice = parsed.text
        calendar_year.published_at = timezone.now()
        calendar_year.published_by = user
        calendar_year.save()
        calendar_year.days.all().delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                calendar_year=calendar_year,
                date=day,
                kind=kind,
                holiday_name=name,
                source=source,
            )
            for day, kind, name in _all_days(parsed, source)
        )
        bump_revision()
    return calendar_year


def publish_from_chinese_calendar(year: int, *, user=None) -> CalendarYear:
    """Publish a year from the installed chinese-calendar package (a release that has it)."""
    try:
        rows = seed.days_of_year(int(year))
    except seed.NotInPackage as exc:
        raise NoticeError([str(exc)]) from exc
    holidays = {day: name for day, kind, name in rows if kind == DayKind.HOLIDAY}
    workdays = {day: name for day, kind, name in rows if kind == DayKind.ADJUSTED_WORKDAY}
    return publish_year(
        year, holidays, workdays, seed.notice_text(year), user=user, source=DaySource.SEED
    )


def correct_day(day: CalendarDay, *, kind: str, holiday_name: str = "", note: str = "", user=None):
    """Correct one stored day (e.g. a local arrangement); validated, marked as a manual edit."""
    _ensure_may_edit(user)
    with transaction.atomic():
        locked = (
            CalendarDay.objects.select_for_update().select_related("calendar_year").get(pk=day.pk)
        )
        locked.kind = kind
        locked.holiday_name = (holiday_name or "").strip()
        locked.note = (note or "").strip()
        locked.source = DaySource.MANUAL
        locked.full_clean()
        locked.save()
        bump_revision()
    return locked


def update_year(calendar_year: CalendarYear, *, notice: str, published: bool, user=None):
    """Change a year's notice text or withdraw/restore its publication (days are kept)."""
    _ensure_may_edit(user)
    with transaction.atomic():
        locked = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
        if published and not locked.days.exists():
            raise ValidationError(
                {
                    "published": _("%(year)s年还没有录入日期，请先录入节假日安排")
                    % {"year": locked.year}
                }
            )
        locked.notice = (notice or "").strip()
        if published and not locked.published:
            locked.published_at = timezone.now()
            locked.published_by = user
        locked.published = published
        locked.save()
        bump_revision()
    return locked


def last_published_year() -> int | None:
    years = get_calendar().published_years
    return max(years) if years else None
