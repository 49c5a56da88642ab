"""Deadline warnings (预警): yellow at 80 % of the running limit, red when it has run out.

`scan()` is run periodically (the `scan_case_deadlines` command, once or with `--every`): it
computes every open case's level from its running clock over one in-memory calendar snapshot (no
query per case), reads the changed cases again under their row locks (a step taken meanwhile
wins: a case closed or extended during the scan is not marked), writes only the changes (one
UPDATE per level and chunk), and tells the handler and the operator about each case that turned
yellow or red. The red list is the 督办 list
(`/api/cases/?warning=red`).

The running clock is cases.clock's (立案+派遣 in 待受理/已立案 from the report, 处置 in
已派遣/处置中 from the dispatch, 核查 in 已处置 from the feedback); red is exactly
`clock.is_overdue`. Time used and the limit are both working time with the case's pauses left out
(wall-clock time for an urgent category's filing limit), so a suspension never turns a case
yellow; a suspended case keeps the level it had (its clock is stopped, so it is not overdue, and
the scan leaves its level alone until it is resumed).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases import clock, notifications
from civicgrid.cases.choices import CaseStatus, WarningLevel
from civicgrid.cases.models import Case
from civicgrid.workcalendar.services import get_calendar

YELLOW_AT = 0.8
CHUNK = 1000


def level_for(case: Case, now, calendar) -> str:
    """The warning level of the case's running clock at `now`."""
    running = clock.clock_of(case)
    if running is None:
        return WarningLevel.NONE
    if case.is_suspended:
        return case.warning_level
    start, deadline = getattr(case, running.start), getattr(case, running.deadline)
    if start is None or deadline is None:
        return WarningLevel.NONE
    if clock.is_overdue(case, now):
        return WarningLevel.RED
    if clock.uses_wall_clock(case, running):
        used = (now - start).total_seconds()
        total = (deadline - start).total_seconds()
    else:
        pauses = clock.parse_pauses(case.pauses)
        used = calendar.working_hours_between(start, now, exclude=pauses)
        total = calendar.working_hours_between(start, deadline, exclude=pauses)
    if total <= 0 or used / total >= YELLOW_AT:
        return WarningLevel.YELLOW
    return WarningLevel.NONE


def _messages(case, level):
    text = (
        _("案件%(n)s已超过时限，请立即处理（督办）")
        if level == WarningLevel.RED
        else _("案件%(n)s已用去时限的80%%，请抓紧处理")
    ) % {"n": case.number}
    kind = f"warning_{level}"
    out = [notifications.Message(kind, case.number, notifications.Recipient("operator"), text)]
    if case.status in (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED, CaseStatus.HANDLED):
        handler = notifications.assignee(case)
        if handler is not None:
            out.append(notifications.Message(kind, case.number, handler, text))
    return out


FIELDS = (
    "number",
    "status",
    "reported_at",
    "dispatched_at",
    "handled_at",
    "filing_deadline",
    "handling_deadline",
    "verification_deadline",
    "hotline_dispatched_at",
    "hotline_deadline",
    "pauses",
    "is_suspended",
    "warning_level",
    "assigned_department_id",
    "handled_by_grid",
    "micro_grid_id",
    "category__is_urgent",
)


def _clocked():
    """Open cases whose clock runs, with what level_for and _messages read."""
    return (
        Case.objects.filter(status__in=list(clock.CLOCKED_STATUSES))
        .select_related("category")
        .only(*FIELDS)
        .order_by("pk")
    )


def _changes(now, calendar) -> list[int]:
    """The cases whose level is not the one stored (read without locks: the long part)."""
    return [
        case.pk
        for case in _clocked().iterator(chunk_size=CHUNK)
        if level_for(case, now, calendar) != case.warning_level
    ]


def _write(candidates, now, calendar) -> tuple[dict, list]:
    """Write the new levels of `candidates`, each read again under its row lock in the write's
    transaction (on SQLite the IMMEDIATE transaction serialises writers): a case closed,
    suspended or given more time since _changes read it gets the level it has now, or none."""
    changed = {level: [] for level in WarningLevel.values}
    messages = []
    for i in range(0, len(candidates), CHUNK):
        locked = _clocked().filter(pk__in=candidates[i : i + CHUNK]).select_for_update(of=("self",))
        for case in locked:
            level = level_for(case, now, calendar)
            if level != case.warning_level:
                changed[level].append(case.pk)
                if level != WarningLevel.NONE:
                    messages.extend(_messages(case, level))
    for level, pks in changed.items():
        for i in range(0, len(pks), CHUNK):
            Case.objects.filter(pk__in=pks[i : i + CHUNK]).update(warning_level=level)
    return changed, messages


def scan(now=None) -> dict:
    """Recompute every open case's warning level; returns how many turned yellow, red, normal."""
    now = now or timezone.now()
    calendar = get_calendar()
    candidates = _changes(now, calendar)
    with transaction.atomic():
        changed, messages = _write(candidates, now, calendar)
        # Cases whose clock has stopped (closed, merged, not filed, returned) carry no warning.
        cleared = (
            Case.objects.exclude(status__in=list(clock.CLOCKED_STATUSES))
            .exclude(warning_level=WarningLevel.NONE)
            .update(warning_level=WarningLevel.NONE)
        )
        notifications.schedule(messages)
    return {
        "yellow": len(changed[WarningLevel.YELLOW]),
        "red": len(changed[WarningLevel.RED]),
        "normal": len(changed[WarningLevel.NONE]) + cleared,
    }
