"""The colour rule and the one transition table of a rental house's 三色码.

Red when any 重大 hazard is found or RED_MINOR_COUNT or more 一般 ones; yellow for fewer 一般
hazards; green for none. Every inspection grades the house afresh, so any colour may follow any
other (an unrated house, "", gets its first colour); what each colour asks is in TERMS: the
working days to put things right (civicgrid.workcalendar) and how often to inspect again.
"""

import datetime
from dataclasses import dataclass

from civicgrid.firesafety.choices import Colour as C

RED_MINOR_COUNT = 3

TRANSITIONS = {
    "": frozenset({C.GREEN, C.YELLOW, C.RED}),
    C.GREEN: frozenset({C.GREEN, C.YELLOW, C.RED}),
    C.YELLOW: frozenset({C.GREEN, C.YELLOW, C.RED}),
    C.RED: frozenset({C.GREEN, C.YELLOW, C.RED}),
}


@dataclass(frozen=True)
class Term:
    rectify_working_days: int | None  # None: nothing to put right
    reinspect_months: int  # 0 with reinspect_days
    reinspect_days: int = 0


TERMS = {
    # 红码: put right within 3 working days, inspected weekly, a case for the fire office.
    C.RED: Term(rectify_working_days=3, reinspect_months=0, reinspect_days=7),
    # 黄码: 10 working days, monthly.
    C.YELLOW: Term(rectify_working_days=10, reinspect_months=1),
    # 绿码: quarterly.
    C.GREEN: Term(rectify_working_days=None, reinspect_months=3),
}


def colour_for(major: int, minor: int) -> str:
    """The colour of an inspection that found `major` 重大 and `minor` 一般 hazards."""
    if major > 0 or minor >= RED_MINOR_COUNT:
        return C.RED
    if minor > 0:
        return C.YELLOW
    return C.GREEN


def may_change(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current or "", frozenset())


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """`moment` plus calendar months, on the same day or the month's last."""
    import calendar

    index = moment.year * 12 + moment.month - 1 + months
    year, month = index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_inspection(colour: str, moment: datetime.datetime) -> datetime.datetime:
    term = TERMS[colour]
    if term.reinspect_months:
        return add_months(moment, term.reinspect_months)
    return moment + datetime.timedelta(days=term.reinspect_days)
