"""The clock of a case: which deadline runs in which state, what "overdue" means, the pauses.

**The table** (`CLOCKS`, the only place that says it): the state of a case decides which of its
three deadlines is being watched —

- 待受理, 已立案 (reported, filed): the filing clock (立案+派遣) from the report to
  `filing_deadline` (wall-clock time for an urgent category, working time otherwise);
- 已派遣, 处置中 (dispatched, accepted): the handling clock from the dispatch to
  `handling_deadline`; and 已退回 (returned, or recalled by the street: 待派遣 again): the same
  handling clock keeps running, so that a returned case does not sit unnoticed — the
  re-dispatch starts a new one;
- 已处置 (handled): the verification clock (核查) from the feedback to `verification_deadline`.

**A 12345 ticket** pushed with the hotline's dispatch time and deadline runs the hotline's
clock instead (`HOTLINE`): from `hotline_dispatched_at` to `handling_deadline` (set from the
push's deadline at intake, moved only by an approved extension) in every state before 已处置 —
待受理, 已立案, 已派遣, 处置中 *and 已退回*: a 退回 inside the street does not stop the hotline's
clock, and the street's own dispatch does not restart it. A pause (挂起) does not move it either:
the deadline is the hotline's.

Every other state runs no clock: 已结案, 不予立案 and 已合并 are over. A suspended case's clock is stopped (挂起); on resume the pending deadlines move out by the
time paused (`pushed_deadlines`).

**Overdue** (超期) has one meaning everywhere — the API field `is_overdue` and filter
`?overdue=true`, the console's 超期 tab and the department inbox, the deadline warnings (red) and
the dashboard: *the case's clock is running (its state is in the table, it is not suspended)
and now is past the deadline that clock watches*. `is_overdue(case, now)` answers it for one
case, `overdue_q(now)` in a query (filter(), Count(filter=…), or annotated with
`overdue_expression(now)`), and the dashboard's rollups keep each open case's
`running_deadline` so that "overdue now" is a comparison with now there too.

**Pauses**: `case.pauses` holds the finished pauses as ISO texts `[[start, end], …]`;
`pause_intervals` parses them (plus a suspension still running) for the working-time arithmetic.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import CaseStatus
from civicgrid.workcalendar.services import Deadline, add_working_hours, working_hours_between


@dataclass(frozen=True)
class Clock:
    """One clock: the field it starts from, the deadline it watches, its name on the pages."""

    key: str
    start: str
    deadline: str
    label: str
    # The filing clock runs in wall-clock time for an urgent category.
    filing: bool = False


FILING = Clock("filing", "reported_at", "filing_deadline", _("立案派遣期限"), filing=True)
HANDLING = Clock("handling", "dispatched_at", "handling_deadline", _("处置期限"))
VERIFICATION = Clock("verification", "handled_at", "verification_deadline", _("核查期限"))
HOTLINE = Clock("hotline", "hotline_dispatched_at", "handling_deadline", _("12345办理期限"))

# state → the clock that runs in it; a state not listed runs none.
CLOCKS: dict[str, Clock] = {
    CaseStatus.REPORTED: FILING,
    CaseStatus.FILED: FILING,
    CaseStatus.DISPATCHED: HANDLING,
    CaseStatus.ACCEPTED: HANDLING,
    CaseStatus.RETURNED: HANDLING,
    CaseStatus.HANDLED: VERIFICATION,
}
# The states in which a 12345 ticket with the hotline's deadline runs the hotline's clock.
HOTLINE_STATUSES = (
    CaseStatus.REPORTED,
    CaseStatus.FILED,
    CaseStatus.DISPATCHED,
    CaseStatus.ACCEPTED,
    CaseStatus.RETURNED,
)
# Every state in which some clock may run (the hotline's adds 已退回).
CLOCKED_STATUSES = tuple(dict.fromkeys([*CLOCKS, *HOTLINE_STATUSES]))
# state → the name of the deadline field watched in it (for SQL and the rollups), for a case on
# the street's clocks; a case on the hotline's clock watches HOTLINE.deadline in HOTLINE_STATUSES
# (`deadline_field`).
DEADLINE_FIELD: dict[str, str] = {status: clock.deadline for status, clock in CLOCKS.items()}

# Every deadline with the moment that ends it: until then it is pending and a pause moves it
# out (the filing limit covers 立案 and 派遣, so it runs until the dispatch).
PENDING_UNTIL = (
    (FILING, "dispatched_at"),
    (HANDLING, "handled_at"),
    (VERIFICATION, "closed_at"),
)


def on_hotline_clock(case) -> bool:
    """Whether the case runs the hotline's clock now (a 12345 ticket pushed with a deadline, not
    yet handled)."""
    return case.hotline_deadline is not None and case.status in HOTLINE_STATUSES


def clock_of(case) -> Clock | None:
    """The clock of the case's state (stopped or not), None when the state runs none."""
    if on_hotline_clock(case):
        return HOTLINE
    return CLOCKS.get(case.status)


def deadline_field(status: str, hotline: bool = False) -> str | None:
    """The deadline field watched in `status` (`hotline`: the case carries the hotline's
    deadline), None when no clock runs."""
    if hotline and status in HOTLINE_STATUSES:
        return HOTLINE.deadline
    return DEADLINE_FIELD.get(status)


def running_deadline(case) -> datetime.datetime | None:
    """The deadline the case's state watches (even while suspended), None when there is none."""
    clock = clock_of(case)
    return getattr(case, clock.deadline) if clock else None


def is_running(case) -> bool:
    """Whether a clock runs now: a clocked state and not suspended."""
    return clock_of(case) is not None and not case.is_suspended


def is_overdue(case, now=None) -> bool:
    """超期: the case's clock runs and `now` is past its deadline."""
    if not is_running(case):
        return False
    deadline = running_deadline(case)
    return deadline is not None and (now or timezone.now()) > deadline


def overdue_q(now=None, prefix: str = "") -> Q:
    """`is_overdue` as a query condition (`prefix` "case__" to filter a related model)."""
    now = now or timezone.now()
    condition = Q()
    by_field: dict[str, list] = {}
    for status, field in DEADLINE_FIELD.items():
        by_field.setdefault(field, []).append(status)
    for field, statuses in by_field.items():
        condition |= Q(**{f"{prefix}status__in": statuses, f"{prefix}{field}__lt": now})
    hotline = Q(
        **{
            f"{prefix}hotline_deadline__isnull": False,
            f"{prefix}status__in": list(HOTLINE_STATUSES),
        }
    )
    condition = (hotline & Q(**{f"{prefix}{HOTLINE.deadline}__lt": now})) | (~hotline & condition)
    return condition & Q(**{f"{prefix}is_suspended": False})


def overdue_expression(now=None) -> ExpressionWrapper:
    """`is_overdue` as a boolean column: `queryset.annotate(is_overdue=overdue_expression(now))`."""
    return ExpressionWrapper(overdue_q(now), output_field=BooleanField())


def running_deadline_expression():
    """`running_deadline` as a column (the deadline the case's state watches, NULL when none):
    `queryset.annotate(running_deadline=running_deadline_expression())` sorts the queues by
    urgency."""
    from django.db.models import Case as Choose
    from django.db.models import DateTimeField, F, When

    whens = [
        When(
            hotline_deadline__isnull=False,
            status__in=list(HOTLINE_STATUSES),
            then=F(HOTLINE.deadline),
        )
    ]
    whens += [When(status=status, then=F(field)) for status, field in DEADLINE_FIELD.items()]
    return Choose(*whens, default=None, output_field=DateTimeField())


def uses_wall_clock(case, clock: Clock | None = None) -> bool:
    """Whether the clock counts wall-clock time (the urgent filing limit) instead of work time."""
    clock = clock or CLOCKS.get(case.status)
    return bool(clock and clock.filing and case.category.is_urgent)


# --- pauses --------------------------------------------------------------------------------------


def parse_pauses(raw) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The stored pauses `[[start, end], …]` (ISO texts) as datetime pairs."""
    return [
        (datetime.datetime.fromisoformat(a), datetime.datetime.fromisoformat(b)) for a, b in raw
    ]


def pause_intervals(case, now=None) -> list[tuple]:
    """The case's pause intervals; a suspension still running ends at `now`."""
    pairs = parse_pauses(case.pauses)
    if case.is_suspended and case.suspended_at:
        pairs.append((case.suspended_at, now or timezone.now()))
    return pairs


def push(deadline, start, end, *, wall_clock=False) -> Deadline | None:
    """A pending deadline moved out by the time paused in [start, end) before it; None when the
    pause does not move it (it began after the deadline or covered no working time)."""
    if deadline is None or start >= deadline:
        return None
    stop = min(end, deadline)
    if wall_clock:
        return Deadline(deadline + (stop - start), True)
    paused = working_hours_between(start, stop)
    if paused <= 0:
        return None
    return add_working_hours(deadline, paused)


def pushed_deadlines(case, start, end) -> dict[str, Deadline]:
    """{deadline field: new deadline} of every pending deadline a pause [start, end) moves."""
    moved = {}
    for clock, ended_by in PENDING_UNTIL:
        if getattr(case, ended_by) is not None:
            continue
        if clock is HANDLING and case.hotline_deadline is not None:
            continue  # the hotline's deadline: the street's pause does not move it
        new = push(
            getattr(case, clock.deadline), start, end, wall_clock=uses_wall_clock(case, clock)
        )
        if new is not None:
            moved[clock.deadline] = new
    return moved


# --- what the pages say about the time left ------------------------------------------------------


@dataclass(frozen=True)
class Remaining:
    """The time left on the running clock, as every page shows it (`text`): "剩 N 工作小时",
    "超期 N 工作小时" once overdue (never "剩 0" beside a red light), "挂起中,剩余 N" with the
    time left frozen at the suspension. `hours` is negative when overdue."""

    state: str  # "left" | "overdue" | "suspended"
    hours: float
    deadline: datetime.datetime
    label: str

    @property
    def overdue(self) -> bool:
        return self.state == "overdue" or (self.state == "suspended" and self.hours < 0)

    @property
    def amount(self) -> str:
        """ "3.5 工作小时" / "20 工作分钟" (wall-clock "小时" for an urgent filing limit)."""
        value = abs(self.hours)
        if value < 1:
            return _("%(m)s 工作分钟") % {"m": max(1, round(value * 60))}
        return _("%(h)s 工作小时") % {"h": f"{value:.1f}".rstrip("0").rstrip(".")}

    @property
    def text(self) -> str:
        if self.state == "suspended":
            if self.hours < 0:
                return _("挂起中，挂起时已超期 %(a)s") % {"a": self.amount}
            return _("挂起中，剩余 %(a)s") % {"a": self.amount}
        if self.state == "overdue":
            return _("超期 %(a)s") % {"a": self.amount}
        return _("剩 %(a)s") % {"a": self.amount}


def remaining(case, now=None, calendar=None) -> Remaining | None:
    """The running clock's time left in working hours (pauses left out), None when no clock
    runs or it has no deadline. Overdue exactly when `is_overdue` says so; a suspended case
    shows the time left at the moment of its suspension (its clock is stopped)."""
    from civicgrid.workcalendar.services import get_calendar

    running = clock_of(case)
    deadline = getattr(case, running.deadline) if running else None
    if deadline is None:
        return None
    calendar = calendar or get_calendar()
    now = now or timezone.now()
    wall = uses_wall_clock(case, running)

    def between(a, b, pauses):
        if wall:
            return (b - a).total_seconds() / 3600
        return calendar.working_hours_between(a, b, exclude=pauses)

    finished = parse_pauses(case.pauses)
    if case.is_suspended and case.suspended_at is not None:
        at = case.suspended_at
        hours = (
            between(at, deadline, finished) if at <= deadline else -between(deadline, at, finished)
        )
        return Remaining("suspended", hours, deadline, str(running.label))
    if is_overdue(case, now):
        # Past the deadline outside working time: still overdue, by at least a minute.
        hours = -max(between(deadline, now, finished), 1 / 60)
        return Remaining("overdue", hours, deadline, str(running.label))
    return Remaining("left", between(now, deadline, finished), deadline, str(running.label))
