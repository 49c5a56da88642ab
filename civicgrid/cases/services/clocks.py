"""The deadlines a step sets: filing (立案+派遣) and handling limits.

Which deadline runs in which state, "overdue", the pauses and how a pause moves the deadlines
are cases.clock's (one module for the clock); `pause_intervals` is re-exported from there.
"""

import datetime

from django.conf import settings

from civicgrid.cases.choices import (
    HOTLINE_LIMIT_DAYS,
    UNAPPROVED_COMPLEX_LIMIT_DAYS,
    CaseSource,
    HotlineRequestType,
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

__all__ = [
    "filing_deadline",
    "first_contact_deadline",
    "handling_deadline",
    "handling_limit",
    "pause_intervals",
]


def filing_deadline(category: Category, start) -> Deadline:
    minutes = category.filing_limit_minutes
    if category.is_urgent:
        return Deadline(start + datetime.timedelta(minutes=minutes), True)
    return add_working_hours(start, minutes / 60)


def handling_limit(case: Case) -> tuple[int, str]:
    """(value, unit) of the handling limit: the 12345 request type's, else the category's. A
    ticket typed 复杂 gets its 15 working days only once the 值班长 approved them
    (services.do_approve_complex_limit); until then the 求助/投诉 limit."""
    if case.source == CaseSource.HOTLINE_12345 and case.hotline_request_type:
        if (
            case.hotline_request_type == HotlineRequestType.COMPLEX
            and case.complex_limit_approved_at is None
        ):
            return UNAPPROVED_COMPLEX_LIMIT_DAYS, LimitUnit.WORKING_DAYS
        return HOTLINE_LIMIT_DAYS[case.hotline_request_type], LimitUnit.WORKING_DAYS
    return case.category.handling_limit_value, case.category.handling_limit_unit


def handling_deadline(case: Case, start) -> Deadline:
    value, unit = handling_limit(case)
    if unit == LimitUnit.WORKING_HOURS:
        return add_working_hours(start, value)
    return add_working_days(start, value)


def first_contact_start(case: Case):
    """When the 先行联系 limit starts: a 12345 ticket's hotline dispatch (the hotline counts from
    the moment the ticket reached the street), else the report."""
    return case.hotline_dispatched_at or case.reported_at


def first_contact_deadline(case: Case) -> datetime.datetime:
    """先行联系 is due CIVICGRID_FIRST_CONTACT_HOURS hours after `first_contact_start`, in
    wall-clock hours as the 12345 hotline counts them (a caller rung back at 20:00 was rung back;
    nights and holidays are not skipped, and a suspension does not stop this clock)."""
    hours = float(settings.CIVICGRID_FIRST_CONTACT_HOURS)
    return first_contact_start(case) + datetime.timedelta(hours=hours)
