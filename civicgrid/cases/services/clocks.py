"""The clocks of a case: filing, handling and verification deadlines, and pauses."""

import datetime

from django.utils import timezone

from civicgrid.cases.choices import (
    HOTLINE_LIMIT_DAYS,
    CaseSource,
    LimitUnit,
)
from civicgrid.cases.models import (
    Case,
    Category,
)
from civicgrid.workcalendar.services import (
    Deadline,
    add_working_days,
    add_working_hours,
    working_hours_between,
)


def _dt(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def pause_intervals(case: Case, now=None) -> list[tuple]:
    """The case's pause intervals; a suspension still running ends at `now`."""
    pairs = [(_dt(a), _dt(b)) for a, b in case.pauses]
    if case.is_suspended and case.suspended_at:
        pairs.append((case.suspended_at, now or timezone.now()))
    return pairs


def filing_deadline(category: Category, start) -> Deadline:
    minutes = category.filing_limit_minutes
    if category.is_urgent:
        return Deadline(start + datetime.timedelta(minutes=minutes), True)
    return add_working_hours(start, minutes / 60)


def handling_limit(case: Case) -> tuple[int, str]:
    """(value, unit) of the handling limit: the 12345 request type's, else the category's."""
    if case.source == CaseSource.HOTLINE_12345 and case.hotline_request_type:
        return HOTLINE_LIMIT_DAYS[case.hotline_request_type], LimitUnit.WORKING_DAYS
    return case.category.handling_limit_value, case.category.handling_limit_unit


def handling_deadline(case: Case, start) -> Deadline:
    value, unit = handling_limit(case)
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_hours(start, value)
    return add_working_days(start, value)


def _push(deadline, start, end, *, wall_clock=False):
    """A pending deadline moved out by the time paused in [start, end) before it."""
    if deadline is None or start >= deadline:
        return None
    stop = min(end, deadline)
    if wall_clock:
        return Deadline(deadline + (stop - start), True)
    paused = working_hours_between(start, stop)
    if paused <= 0:
        return None
    return add_working_hours(deadline, paused)


def _is_overdue(case, now) -> bool:
    if case.dispatched_at is None and case.filing_deadline and now > case.filing_deadline:
        return True
    return bool(case.handled_at is None and case.handling_deadline and now > case.handling_deadline)
