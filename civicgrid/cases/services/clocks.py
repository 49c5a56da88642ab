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
    "register_deadline_rule",
]

# Rules of apps above cases, which cases may not import (docs/architecture.md: layers):
# civicgrid.emergency shortens the 积水 deadlines while a flood response level is active, so those
# reports jump the queue (sorted by the running deadline). A rule is
# `rule(kind, category, start, deadline)` with kind "filing" or "handling"; it returns a Deadline
# or None. Only an earlier deadline is taken: a rule never gives a case more time.
_DEADLINE_RULES: list = []


def register_deadline_rule(rule) -> None:
    if rule not in _DEADLINE_RULES:
        _DEADLINE_RULES.append(rule)


def _tightened(kind: str, category: Category, start, deadline: Deadline) -> Deadline:
    for rule in _DEADLINE_RULES:
        other = rule(kind, category, start, deadline)
        if other is not None and other.at < deadline.at:
            deadline = other
    return deadline


def filing_deadline(category: Category, start, calendar=None) -> Deadline:
    """`calendar`: a workcalendar snapshot the caller already holds (the intake's, read with its
    category in one query); None takes the current one."""
    minutes = category.filing_limit_minutes
    if category.is_urgent:
        deadline = Deadline(start + datetime.timedelta(minutes=minutes), True)
    elif calendar is not None:
        deadline = calendar.add_working_hours(start, minutes / 60)
    else:
        deadline = add_working_hours(start, minutes / 60)
    return _tightened("filing", category, start, deadline)


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
        deadline = add_working_hours(start, value)
    else:
        deadline = add_working_days(start, value)
    return _tightened("handling", case.category, start, deadline)


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
