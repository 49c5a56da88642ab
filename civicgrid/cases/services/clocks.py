"""The deadlines a step sets: filing (立案+派遣) and handling limits.

Which deadline runs in which state, "overdue", the pauses and how a pause moves the deadlines
are cases.clock's (one module for the clock); `pause_intervals` is re-exported from there.
"""

import datetime

from civicgrid.cases.choices import (
    HOTLINE_LIMIT_DAYS,
    CaseSource,
    LimitUnit,
)
from civicgrid.cases.clock import pause_intervals
from civicgrid.cases.models import (
    Case,
    Category,
)
from civicgrid.workcalendar.services import (
    Deadline,
    add_working_days,
    add_working_hours,
)

__all__ = ["filing_deadline", "handling_deadline", "handling_limit", "pause_intervals"]


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
